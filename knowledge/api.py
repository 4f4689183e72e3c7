"""HTTP API of the knowledge base: answers and search for everyone, documents for staff.

Every document change updates the index in the same request, so the bot answers from the
new text as soon as the response is sent.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
    status,
)
from pydantic import BaseModel, Field

from core.deps import RowId, SessionDep, SettingsDep, StaffDep
from knowledge import repo
from knowledge.loaders import (
    SUPPORTED_SUFFIXES,
    LoadedDocument,
    LoaderError,
    load_file,
    normalise_as_of,
)
from knowledge.models import KnowledgeDocument
from knowledge.service import DocumentNotFound, IngestResult, KnowledgeService
from knowledge.types import Answer, Passage

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"])

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LangCode = Literal["th", "ja", "en"]


def get_knowledge(request: Request) -> KnowledgeService:
    service: KnowledgeService | None = getattr(request.app.state, "knowledge", None)
    if service is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="The knowledge base is not loaded."
        )
    return service


KnowledgeDep = Annotated[KnowledgeService, Depends(get_knowledge)]


# -- shapes ---------------------------------------------------------------------------


class AnswerRequest(BaseModel):
    question: str = Field(min_length=1, max_length=1000)
    lang: LangCode | None = None


class PassageOut(BaseModel):
    text: str
    score: float
    document_id: int
    title: str
    lang: str
    source: str
    url: str
    as_of: str
    similarity: float | None = None

    @classmethod
    def of(cls, passage: Passage) -> PassageOut:
        return cls(
            text=passage.text,
            score=passage.score,
            document_id=passage.document_id,
            title=passage.title,
            lang=passage.lang,
            source=passage.source,
            url=passage.url,
            as_of=passage.as_of,
            similarity=passage.similarity,
        )


class SourceOut(BaseModel):
    document_id: int
    title: str
    source: str
    url: str
    as_of: str


class AnswerOut(BaseModel):
    answer: str
    lang: str
    confident: bool
    generated: bool
    ref: str
    sources: list[SourceOut]
    passages: list[PassageOut]  # best first

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls(
            answer=answer.text,
            lang=answer.lang,
            confident=answer.confident,
            generated=answer.generated,
            ref=answer.ref,
            sources=[SourceOut(**vars(s)) for s in answer.sources],
            passages=[PassageOut.of(p) for p in answer.passages],
        )


class DocumentIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    lang: LangCode
    content: str = Field(min_length=1)
    topic: str = Field(default="", max_length=120)
    source: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    as_of: str = Field(default="", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    key: str | None = Field(
        default=None, max_length=200, description="stable identity; generated when empty"
    )


class DocumentPatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    lang: LangCode | None = None
    content: str | None = Field(default=None, min_length=1)
    topic: str | None = Field(default=None, max_length=120)
    source: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=1000)
    as_of: str | None = Field(default=None, max_length=10)


class DocumentOut(BaseModel):
    id: int
    key: str
    version: int
    title: str
    lang: str
    topic: str
    source: str
    url: str
    as_of: str
    updated_at: datetime

    @classmethod
    def of(cls, document: KnowledgeDocument) -> DocumentOut:
        assert document.id is not None
        return cls(
            id=document.id,
            key=document.key,
            version=document.version,
            title=document.title,
            lang=document.lang,
            topic=document.topic,
            source=document.source,
            url=document.url,
            as_of=document.as_of,
            updated_at=document.updated_at,
        )


class DocumentDetail(DocumentOut):
    content: str
    content_hash: str

    @classmethod
    def of(cls, document: KnowledgeDocument) -> DocumentDetail:
        return cls(
            **DocumentOut.of(document).model_dump(),
            content=document.content,
            content_hash=document.content_hash,
        )


class IngestOut(BaseModel):
    document_id: int
    key: str
    status: str
    version: int
    chunks: int
    document: DocumentOut | None = None


class FeedbackOut(BaseModel):
    id: int
    answer_ref: str
    helpful: bool
    question: str
    lang: str
    document_ids: list[int]
    channel: str
    created_at: datetime


class UnansweredOut(BaseModel):
    id: int
    question: str
    lang: str
    channel: str
    wants_staff: bool
    created_at: datetime


def _ingest_out(service: KnowledgeService, result: IngestResult) -> IngestOut:
    document = service.get_document(result.document_id)
    return IngestOut(
        document_id=result.document_id,
        key=result.key,
        status=result.status,
        version=result.version,
        chunks=result.chunks,
        document=DocumentOut.of(document) if document is not None else None,
    )


def _as_of(value: str) -> str:
    try:
        return normalise_as_of(value)
    except LoaderError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc


# -- questions ----------------------------------------------------------------------------


@router.post("/answer", response_model=AnswerOut)
def answer(body: AnswerRequest, service: KnowledgeDep, session: SessionDep) -> AnswerOut:
    result = service.answer(body.question, lang=body.lang)
    if not result.confident:
        repo.add_unanswered(
            session,
            question=result.question,
            lang=result.lang,
            answer_ref=result.ref,
            channel="api",
            best_score=result.best_similarity,
        )
        session.commit()
    return AnswerOut.of(result)


@router.get("/search", response_model=list[PassageOut])
def search(
    service: KnowledgeDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[PassageOut]:
    return [PassageOut.of(p) for p in service.search(q, k)]


# -- documents (staff) ------------------------------------------------------------------


@router.get("/documents", response_model=list[DocumentOut])
def list_documents(
    service: KnowledgeDep, _staff: StaffDep, lang: LangCode | None = None
) -> list[DocumentOut]:
    return [DocumentOut.of(d) for d in service.list_documents(lang=lang)]


@router.get("/documents/{document_id}", response_model=DocumentDetail)
def get_document(document_id: RowId, service: KnowledgeDep, _staff: StaffDep) -> DocumentDetail:
    document = service.get_document(document_id)
    if document is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such document.")
    return DocumentDetail.of(document)


@router.post("/documents", response_model=IngestOut, status_code=status.HTTP_201_CREATED)
def create_document(body: DocumentIn, service: KnowledgeDep, _staff: StaffDep) -> IngestOut:
    loaded = LoadedDocument(
        key=body.key or f"api/{uuid.uuid4().hex}",
        title=body.title.strip(),
        lang=body.lang,
        content=body.content.strip(),
        topic=body.topic.strip(),
        source=body.source.strip(),
        url=body.url.strip(),
        as_of=_as_of(body.as_of),
    )
    try:
        result = service.create_document(loaded)
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    return _ingest_out(service, result)


@router.put("/documents/{document_id}", response_model=IngestOut)
def update_document(
    document_id: RowId, body: DocumentPatch, service: KnowledgeDep, _staff: StaffDep
) -> IngestOut:
    changes = body.model_dump(exclude_none=True)
    if "as_of" in changes:
        changes["as_of"] = _as_of(changes["as_of"])
    try:
        result = service.update_document(document_id, **changes)
    except DocumentNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such document.") from exc
    return _ingest_out(service, result)


@router.post("/documents/upload", response_model=IngestOut, status_code=status.HTTP_201_CREATED)
def upload_document(
    service: KnowledgeDep,
    settings: SettingsDep,
    _staff: StaffDep,
    file: Annotated[UploadFile, File()],
    title: Annotated[str | None, Form()] = None,
    lang: Annotated[LangCode | None, Form()] = None,
    topic: Annotated[str | None, Form()] = None,
    source: Annotated[str | None, Form()] = None,
    url: Annotated[str | None, Form()] = None,
    as_of: Annotated[str | None, Form()] = None,
    key: Annotated[str | None, Form()] = None,
) -> IngestOut:
    """Upload a Markdown, text, HTML, PDF or DOCX file; uploading the same key again updates it."""
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"Unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}.",
        )
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, detail="The file is larger than 20 MB."
        )
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-100:]
    target = settings.data_dir / "uploads" / f"{uuid.uuid4().hex[:8]}-{safe}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    overrides = {
        "title": title,
        "lang": lang,
        "topic": topic,
        "source": source or name,
        "url": url,
        "as_of": as_of,
    }
    try:
        loaded = load_file(target, key=key or f"upload/{safe}", overrides=overrides, file_name=name)
    except LoaderError as exc:
        target.unlink(missing_ok=True)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
    result = service.ingest(loaded)
    return _ingest_out(service, result)


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_document(document_id: RowId, service: KnowledgeDep, _staff: StaffDep) -> None:
    if not service.delete_document(document_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such document.")


@router.get("/unanswered", response_model=list[UnansweredOut])
def unanswered(
    session: SessionDep, _staff: StaffDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[UnansweredOut]:
    return [
        UnansweredOut(
            id=row.id or 0,
            question=row.question,
            lang=row.lang,
            channel=row.channel,
            wants_staff=row.wants_staff,
            created_at=row.created_at,
        )
        for row in repo.list_unanswered(session, limit=limit)
    ]


@router.get("/feedback", response_model=list[FeedbackOut])
def feedback(
    session: SessionDep, _staff: StaffDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[FeedbackOut]:
    return [
        FeedbackOut(
            id=row.id or 0,
            answer_ref=row.answer_ref,
            helpful=row.helpful,
            question=row.question,
            lang=row.lang,
            document_ids=list(row.document_ids),
            channel=row.channel,
            created_at=row.created_at,
        )
        for row in repo.list_feedback(session, limit=limit)
    ]
