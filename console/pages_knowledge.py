"""Knowledge documents: list and search, write and edit in Markdown with a preview,
upload files, delete, earlier versions and indexing status. Saving goes through the
knowledge service, which updates the index in the same request: the bot answers from
the new text at once."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from console.auth import Staff, StaffDep
from console.errors import ConsoleRoute, found
from console.render import markdown, render
from core.db import write_lock
from core.deps import EngineDep, RowId, SessionDep, SettingsDep
from core.i18n import t
from core.staff import audit
from knowledge import repo, revisions
from knowledge.loaders import (
    SUPPORTED_SUFFIXES,
    LoadedDocument,
    LoaderError,
    load_file,
    normalise_as_of,
)
from knowledge.models import KnowledgeDocument
from knowledge.service import DocumentNotFound, KnowledgeService

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LANGS = ("th", "ja", "en")


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService | None = getattr(request.app.state, "knowledge", None)
    if service is None:
        raise HTTPException(503, detail="The knowledge base is not loaded.")
    return service


def index_status(session: Session, document: KnowledgeDocument) -> tuple[str, int]:
    """("indexed" | "stale" | "empty", chunks of the current version)."""
    assert document.id is not None
    chunks = repo.chunks_of(session, document.id)
    current = sum(1 for c in chunks if c.version == document.version)
    if not chunks:
        return "empty", 0
    return ("indexed" if current == len(chunks) else "stale"), current


@router.get("/knowledge")
def documents(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    lang: str = "",
    topic: str = "",
    q: str = "",
) -> Response:
    rows = repo.list_documents(session, lang=lang if lang in LANGS else None)
    topics = sorted({d.topic for d in rows if d.topic})
    if topic:
        rows = [d for d in rows if d.topic == topic]
    if q.strip():
        needle = q.strip().lower()
        rows = [d for d in rows if needle in f"{d.title}\n{d.topic}\n{d.content}".lower()]
    statuses = {d.id: index_status(session, d) for d in rows}
    return render(
        request,
        "knowledge.html",
        staff,
        rows=rows,
        topics=topics,
        statuses=statuses,
        filters={"lang": lang, "topic": topic, "q": q},
    )


@router.get("/knowledge/new")
def new_document(
    request: Request, staff: StaffDep, lang: str = "", title: str = "", questions: str = ""
) -> Response:
    draft = {
        "title": title,
        "lang": lang if lang in LANGS else staff.lang,
        "topic": "",
        "source": "",
        "url": "",
        "as_of": "",
        "content": "",
    }
    return render(
        request,
        "document.html",
        staff,
        document=None,
        draft=draft,
        questions=questions,
        revisions=[],
        status=None,
    )


@router.post("/knowledge/preview")
def preview(
    staff: StaffDep, content: Annotated[str, Form(max_length=200_000)] = ""
) -> HTMLResponse:
    return HTMLResponse(markdown(content))


class DocumentForm(BaseModel):
    """The document editor's fields (one form model for writing and editing)."""

    title: str = Field(min_length=1, max_length=300)
    lang: str
    content: str = Field(min_length=1, max_length=200_000)
    topic: str = Field("", max_length=120)
    source: str = Field("", max_length=500)
    url: str = Field("", max_length=1000)
    as_of: str = Field("", max_length=10)
    questions: str = Field("", max_length=2000)

    def draft(self) -> dict[str, str]:
        """What the staff member typed, to show again."""
        return self.model_dump(exclude={"questions"})

    def fields(self) -> dict[str, Any]:
        """The document's fields, trimmed; ValueError or LoaderError when one is wrong."""
        if self.lang not in LANGS:
            raise ValueError("lang")
        return {
            **{k: v.strip() for k, v in self.draft().items()},
            "as_of": normalise_as_of(self.as_of.strip()),
        }


def _resolve(session: Session, staff: Staff, questions: str, document_id: int) -> None:
    ids = [int(x) for x in questions.split(",") if x.strip().isdigit()]
    if ids:
        revisions.resolve_questions(
            session, ids, resolved_by=staff.account.email, document_id=document_id
        )
        audit(
            session, staff.account, "unanswered_resolve", f"document:{document_id}", questions=ids
        )


@router.post("/knowledge/new")
def create(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    engine: EngineDep,
    form: Annotated[DocumentForm, Form()],
) -> Response:
    try:
        fields = form.fields()
    except (ValueError, LoaderError) as exc:
        return render(
            request,
            "document.html",
            staff,
            status_code=422,
            document=None,
            draft=form.draft(),
            questions=form.questions,
            revisions=[],
            status=None,
            error=t("console.kb.invalid", staff.lang, detail=str(exc)),
        )
    result = _service(request).create_document(
        LoadedDocument(key=f"console/{uuid.uuid4().hex}", **fields)
    )
    with write_lock(engine):
        audit(
            session,
            staff.account,
            "document_create",
            f"document:{result.document_id}",
            title=fields["title"],
            lang=form.lang,
        )
        _resolve(session, staff, form.questions, result.document_id)
        session.commit()
    return RedirectResponse(f"/admin/knowledge/{result.document_id}?saved=1", status_code=303)


@router.post("/knowledge/upload")
async def upload(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
    engine: EngineDep,
    file: Annotated[UploadFile, File()],
    lang: Annotated[str, Form()] = "",
    topic: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    from starlette.concurrency import run_in_threadpool

    name = (file.filename or "upload").rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if suffix not in SUPPORTED_SUFFIXES or len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            415 if suffix not in SUPPORTED_SUFFIXES else 413,
            detail=f"Use a file of {', '.join(SUPPORTED_SUFFIXES)} up to 20 MB.",
        )
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-100:]
    target = settings.data_dir / "uploads" / f"{uuid.uuid4().hex[:8]}-{safe}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    overrides = {"lang": lang if lang in LANGS else None, "topic": topic or None, "source": name}
    try:
        loaded = load_file(target, key=f"upload/{safe}", overrides=overrides, file_name=name)
    except LoaderError as exc:
        target.unlink(missing_ok=True)
        raise HTTPException(422, detail=str(exc)) from None
    result = await run_in_threadpool(_service(request).ingest, loaded)

    def record() -> None:
        with write_lock(engine):
            audit(
                session,
                staff.account,
                "document_upload",
                f"document:{result.document_id}",
                file=name,
            )
            session.commit()

    await run_in_threadpool(record)
    return RedirectResponse(f"/admin/knowledge/{result.document_id}?saved=1", status_code=303)


@router.get("/knowledge/{document_id}")
def document_page(
    document_id: RowId,
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    saved: int = 0,
    questions: str = "",
    revision: int | None = None,
) -> Response:
    document = found(repo.get_document(session, document_id))
    draft = {
        k: getattr(document, k)
        for k in ("title", "lang", "topic", "source", "url", "as_of", "content")
    }
    shown = revisions.get_revision(session, revision) if revision else None
    if shown is not None and shown.document_id == document_id:
        draft.update(title=shown.title, lang=shown.lang, topic=shown.topic, content=shown.content)
    return render(
        request,
        "document.html",
        staff,
        document=document,
        draft=draft,
        questions=questions,
        revisions=revisions.revisions_of(session, document_id),
        status=index_status(session, document),
        shown=shown,
        notice=t("console.kb.saved", staff.lang) if saved else None,
    )


@router.post("/knowledge/{document_id}")
def update(
    document_id: RowId,
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    engine: EngineDep,
    form: Annotated[DocumentForm, Form()],
) -> Response:
    document = found(repo.get_document(session, document_id))
    try:
        fields = form.fields()
    except (ValueError, LoaderError) as exc:
        raise HTTPException(422, detail=str(exc)) from None
    before = document.version
    with write_lock(engine):
        revisions.keep_revision(session, document, saved_by=staff.account.email)
        session.commit()
    try:
        result = _service(request).update_document(document_id, **fields)
    except DocumentNotFound:
        raise HTTPException(404, detail="No such document.") from None
    with write_lock(engine):
        if result.version == before:  # nothing changed: no version to keep
            for old in revisions.revisions_of(session, document_id)[:1]:
                if old.version == before:
                    session.delete(old)
        audit(
            session,
            staff.account,
            "document_update",
            f"document:{document_id}",
            version=result.version,
        )
        _resolve(session, staff, form.questions, document_id)
        session.commit()
    return RedirectResponse(f"/admin/knowledge/{document_id}?saved=1", status_code=303)


@router.post("/knowledge/{document_id}/delete")
def delete(
    document_id: RowId, request: Request, staff: StaffDep, session: SessionDep, engine: EngineDep
) -> Response:
    document = found(repo.get_document(session, document_id))
    title = document.title
    with write_lock(engine):
        revisions.keep_revision(session, document, saved_by=staff.account.email)
        session.commit()
    _service(request).delete_document(document_id)
    with write_lock(engine):
        audit(session, staff.account, "document_delete", f"document:{document_id}", title=title)
        session.commit()
    return RedirectResponse("/admin/knowledge", status_code=303)
