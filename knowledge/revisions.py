"""What staff change in the knowledge base, kept for them: earlier versions of a document
(saved from the console before each change) and unanswered questions they resolved.

Neither table has a foreign key: a document or a logged question may be deleted ("delete
my data", a removed document) while its history stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, Text, delete
from sqlmodel import Field, Session, SQLModel, col, select

from core.time import utcnow
from knowledge.models import KnowledgeDocument


class KnowledgeRevision(SQLModel, table=True):
    __tablename__ = "knowledge_revision"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(index=True)
    version: int
    title: str = Field(max_length=300)
    lang: str = Field(max_length=2)
    topic: str = Field(default="", max_length=120)
    content: str = Field(sa_column=Column(Text, nullable=False))
    saved_by: str = Field(default="", max_length=254)  # who replaced this version
    created_at: datetime = Field(default_factory=utcnow)


class UnansweredResolution(SQLModel, table=True):
    __tablename__ = "knowledge_unanswered_resolved"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(index=True, unique=True)
    resolved_by: str = Field(default="", max_length=254)
    document_id: int | None = None  # the document written or edited for it, if any
    created_at: datetime = Field(default_factory=utcnow)


def keep_revision(session: Session, document: KnowledgeDocument, *, saved_by: str) -> None:
    """Keep the version about to be replaced."""
    assert document.id is not None
    session.add(
        KnowledgeRevision(
            document_id=document.id,
            version=document.version,
            title=document.title,
            lang=document.lang,
            topic=document.topic,
            content=document.content,
            saved_by=saved_by,
        )
    )
    session.flush()


def revisions_of(session: Session, document_id: int) -> list[KnowledgeRevision]:
    query = (
        select(KnowledgeRevision)
        .where(KnowledgeRevision.document_id == document_id)
        .order_by(col(KnowledgeRevision.version).desc())
    )
    return list(session.exec(query))


def get_revision(session: Session, revision_id: int) -> KnowledgeRevision | None:
    return session.get(KnowledgeRevision, revision_id)


def resolve_questions(
    session: Session, question_ids: Iterable[int], *, resolved_by: str, document_id: int | None
) -> int:
    done = set(resolved_ids(session))
    added = 0
    for question_id in set(question_ids) - done:
        session.add(
            UnansweredResolution(
                question_id=question_id, resolved_by=resolved_by, document_id=document_id
            )
        )
        added += 1
    session.flush()
    return added


def resolved_ids(session: Session) -> list[int]:
    return list(session.exec(select(UnansweredResolution.question_id)))


def reopen_questions(session: Session, question_ids: Iterable[int]) -> None:
    session.execute(
        delete(UnansweredResolution).where(
            col(UnansweredResolution.question_id).in_(list(question_ids))
        )
    )
