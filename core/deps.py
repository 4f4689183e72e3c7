"""FastAPI dependencies shared by every router: settings, sessions, staff auth.

The getters of app-level objects are `async def` on purpose: FastAPI runs plain `def`
dependencies on its thread pool, a thread hop per dependency per request, which showed
as most of the webhook's acknowledgement time under load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.dialogue import Dialogue
from channels.base import ChannelAdapter
from core.metrics import Metrics
from core.settings import Settings
from core.staff import StaffAccount, authenticate
from inbox.ingest import Ingestor
from inbox.worker import Worker


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False)


def require_staff(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffAccount:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Staff token required: send 'Authorization: Bearer <token>' "
            "(create one with 'kakehashi staff token EMAIL').",
            headers={"WWW-Authenticate": "Bearer"},
        )
    account = authenticate(session, credentials.credentials)
    if account is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="This staff token is not valid or has been revoked.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return account


def require_admin(account: Annotated[StaffAccount, Depends(require_staff)]) -> StaffAccount:
    if account.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="This action needs an admin account.")
    return account


StaffDep = Annotated[StaffAccount, Depends(require_staff)]
AdminDep = Annotated[StaffAccount, Depends(require_admin)]


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_adapters(request: Request) -> dict[str, ChannelAdapter]:
    adapters: dict[str, ChannelAdapter] = request.app.state.adapters
    return adapters


async def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.dialogue
    return dialogue


async def get_worker(request: Request) -> Worker | None:
    worker: Worker | None = request.app.state.worker
    return worker


MetricsDep = Annotated[Metrics, Depends(get_metrics)]
AdaptersDep = Annotated[dict[str, ChannelAdapter], Depends(get_adapters)]
DialogueDep = Annotated[Dialogue, Depends(get_dialogue)]
WorkerDep = Annotated[Worker | None, Depends(get_worker)]


async def get_ingestor(request: Request) -> Ingestor:
    ingestor: Ingestor = request.app.state.ingestor
    return ingestor


IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
