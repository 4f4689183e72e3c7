"""Knowledge-base tables: documents, their chunks, answer feedback, unanswered questions.

A document's chunks are kept here too (text and keyword tokens), so the keyword index can
be rebuilt per process from the store and the vector index can be re-synchronised from it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from core.time import utcnow


class DocumentMeta(SQLModel):
    title: str = Field(max_length=300)
    lang: str = Field(max_length=2, index=True)  # th, ja, en
    topic: str = Field(default="", max_length=120, index=True)  # shared by translations
    source: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    as_of: str = Field(default="", max_length=10)  # YYYY, YYYY-MM or YYYY-MM-DD


class KnowledgeDocument(DocumentMeta, table=True):
    __tablename__ = "knowledge_document"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=500)  # stable identity (path, slug)
    version: int = 1
    content_hash: str = Field(max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))
    origin: str = Field(default="", max_length=1000)  # file it came from, if any
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class KnowledgeChunk(SQLModel, table=True):
    __tablename__ = "knowledge_chunk"

    id: str = Field(primary_key=True, max_length=80)  # "<document id>-<version>-<position>"
    document_id: int = Field(foreign_key="knowledge_document.id", index=True)
    version: int
    position: int
    section: str = Field(default="", max_length=500)  # heading path inside the document
    text: str = Field(sa_column=Column(Text, nullable=False))
    tokens: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class AnswerFeedback(SQLModel, table=True):
    __tablename__ = "knowledge_feedback"

    id: int | None = Field(default=None, primary_key=True)
    answer_ref: str = Field(max_length=32, index=True)
    helpful: bool
    question: str = Field(default="", sa_column=Column(Text, nullable=False))
    lang: str = Field(default="", max_length=2)
    document_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channel: str = Field(default="", max_length=16)
    user_id: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utcnow)


class UnansweredQuestion(SQLModel, table=True):
    __tablename__ = "knowledge_unanswered"

    id: int | None = Field(default=None, primary_key=True)
    answer_ref: str = Field(default="", max_length=32, index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    lang: str = Field(default="", max_length=2)
    channel: str = Field(default="", max_length=16)  # line, telegram, api
    user_id: str = Field(default="", max_length=128)
    chat_id: str = Field(default="", max_length=128)
    wants_staff: bool = False  # the user asked for a person
    best_score: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


KNOWLEDGE_TABLES = (
    KnowledgeDocument.__table__,  # type: ignore[attr-defined]
    KnowledgeChunk.__table__,  # type: ignore[attr-defined]
    AnswerFeedback.__table__,  # type: ignore[attr-defined]
    UnansweredQuestion.__table__,  # type: ignore[attr-defined]
)
