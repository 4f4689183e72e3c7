"""FastAPI app factory and HTTP routes. No business logic lives here: the runtime is
built by `assembly.runtime`, the features by `assembly.features`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from assembly import features
from assembly.deps import AdaptersDep, DialogueDep, IngestorDep, MetricsDep, WorkerDep
from assembly.processes import die_with_serve
from assembly.runtime import Runtime
from channels.base import MalformedRequest, VerificationError
from core.db import is_unavailable, session_scope
from core.deps import EngineDep, SessionDep, SettingsDep, StaffDep
from core.i18n import t
from core.settings import Settings
from inbox import repo
from inbox.simulator import collect_held, simulate

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    die_with_serve()  # a web process started by `kakehashi serve --workers N`
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings)
        runtime.publish(app.state)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="Kakehashi",
        summary="Cross-border SME business matching assistant for LINE and Telegram",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_exception_handler(DatabaseDown, _database_down)
    for error in (DBAPIError, PoolTimeout):
        app.add_exception_handler(error, _database_error)
    app.state.templates = Jinja2Templates(directory=WEB_DIR / "templates")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(webhooks)
    app.include_router(operations)
    if settings.simulator_enabled:
        app.include_router(simulator)
    for router in features.routers():
        app.include_router(router)
    return app


class DatabaseDown(Exception):
    """The database did not answer: 503 with Retry-After, the platform delivers again."""


RETRY_AFTER_S = "5"


async def _database_down(_request: Request, _exc: Exception) -> Response:
    return JSONResponse(
        {"detail": "The database is not answering; please try again shortly."},
        status_code=503,
        headers={"retry-after": RETRY_AFTER_S},
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    """Any route: a database that went away is 503 (retry later), anything else a 500."""
    if is_unavailable(exc):
        logger.warning("%s %s: database unavailable", request.method, request.url.path)
        return await _database_down(request, exc)
    logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


# -- webhooks: verify, parse, store, acknowledge ------------------------------------------

webhooks = APIRouter(tags=["webhooks"])


@webhooks.post("/webhooks/{channel}")
async def webhook(
    channel: str,
    request: Request,
    adapters: AdaptersDep,
    metrics: MetricsDep,
    settings: SettingsDep,
    ingestor: IngestorDep,
) -> dict[str, Any]:
    adapter = adapters.get(channel)
    if adapter is None:
        raise HTTPException(404, detail=f"No channel named {channel!r}; use 'line' or 'telegram'.")
    missing = adapter.missing_settings()
    if missing:
        metrics.requests_rejected.labels(channel, "not_configured").inc()
        raise HTTPException(
            503, detail=f"The {channel} channel is not configured: set {', '.join(missing)}."
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        metrics.requests_rejected.labels(channel, "content_type").inc()
        raise HTTPException(415, detail="Send the webhook body as application/json.")
    body = await _read_body(request, settings.max_body_bytes)
    try:
        adapter.verify(request.headers, body)
    except VerificationError as exc:
        metrics.requests_rejected.labels(channel, "verification").inc()
        raise HTTPException(exc.status_code, detail=exc.detail) from None
    try:
        body.decode("utf-8")
        messages = adapter.parse(body)
    except (UnicodeDecodeError, MalformedRequest) as exc:
        metrics.requests_rejected.labels(channel, "malformed").inc()
        raise HTTPException(400, detail=f"Malformed webhook body: {exc}") from None
    try:
        result = await ingestor.store(messages)  # the ingestor wakes the worker
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        # Not stored: 503 makes LINE and Telegram deliver the events again later.
        metrics.requests_rejected.labels(channel, "database").inc()
        raise DatabaseDown() from None
    metrics.events_received.labels(channel).inc(result.stored)
    metrics.events_duplicate.labels(channel).inc(result.duplicates)
    logger.info("%s webhook: %d stored, %d duplicates", channel, result.stored, result.duplicates)
    return {"status": "ok", "stored": result.stored, "duplicates": result.duplicates}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, detail=f"Body larger than {limit} bytes.")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, detail=f"Body larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


# -- operations: health, metrics, failed events -------------------------------------------

operations = APIRouter()


@operations.get("/healthz", tags=["operations"])
async def healthz(engine: EngineDep, request: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await asyncio.to_thread(_ping, engine)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    for name, check in features.health_checks(request.app.state).items():
        try:
            await asyncio.to_thread(check)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    # Without the database nothing is stored: 503. Without the vector index (e.g. the Chroma
    # server is down) answers still come from the in-memory index: degraded, still 200.
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status_code=200 if checks["database"] == "ok" else 503,
    )


@operations.get("/metrics", tags=["operations"], include_in_schema=False)
async def metrics_endpoint(metrics: MetricsDep, engine: EngineDep) -> Response:
    metrics.inbox_open.set(await asyncio.to_thread(_open_count, engine))
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


@operations.get("/api/admin/failed-events", tags=["staff"])
async def failed_events(_staff: StaffDep, session: SessionDep, limit: int = 100) -> dict[str, Any]:
    rows = repo.list_failed(session, limit=min(max(limit, 1), 1000))
    return {
        "events": [
            {
                "id": row.id,
                "channel": row.channel,
                "event_id": row.event_id,
                "user_key": row.user_key,
                "attempts": row.attempts,
                "error": row.error,
                "received_at": row.received_at.isoformat(),
                "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            }
            for row in rows
        ]
    }


def _ping(engine: Any) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _open_count(engine: Any) -> int:
    with session_scope(engine) as session:
        return repo.count_open(session)


# -- the chat simulator: the same turns without a platform account ------------------------
# (KAKEHASHI_SIMULATOR=false turns it off, e.g. on a public deployment)


class ChatRequest(BaseModel):
    channel: Literal["line", "telegram"]
    user_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
    text: Annotated[str | None, Field(max_length=4000)] = None
    postback: Annotated[str | None, Field(max_length=300)] = None
    lang: Literal["th", "ja", "en"] | None = None

    @model_validator(mode="after")
    def _one_of_text_or_postback(self) -> ChatRequest:
        if (self.text is None) == (self.postback is None):
            raise ValueError("send exactly one of 'text' or 'postback'")
        return self


simulator = APIRouter()


@simulator.post("/api/chat", tags=["simulator"])
async def chat(
    body: ChatRequest, engine: EngineDep, dialogue: DialogueDep, worker: WorkerDep
) -> dict[str, Any]:
    replies, notified = await asyncio.to_thread(
        simulate,
        engine,
        dialogue,
        channel=body.channel,
        user_id=body.user_id,
        text=body.text,
        postback=body.postback,
        lang_hint=body.lang,
    )
    if notified and worker is not None:
        worker.wake()
    return {"replies": [reply.to_json() for reply in replies]}


@simulator.get("/api/chat/held", tags=["simulator"])
async def chat_held(
    channel: Literal["line", "telegram"], user_id: str, engine: EngineDep
) -> dict[str, Any]:
    replies = await asyncio.to_thread(collect_held, engine, channel=channel, user_id=user_id)
    return {"replies": [reply.to_json() for reply in replies]}


@simulator.get("/chat", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(request: Request, lang: Literal["th", "ja", "en"] = "th") -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "chat.html", {"lang": lang, "t": lambda key, **kw: t(key, lang, **kw)}
    )


@simulator.get("/", include_in_schema=False)
async def index() -> Response:
    return Response(status_code=307, headers={"location": "/chat"})
