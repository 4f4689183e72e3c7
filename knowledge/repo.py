"""All database access of the knowledge base (documents, chunks, feedback, questions)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core.time import utcnow
from knowledge.models import (
    AnswerFeedback,
    KnowledgeChunk,
    KnowledgeDocument,
    UnansweredQuestion,
)


def count_documents(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(KnowledgeDocument)).one())


def store_stamp(session: Session) -> tuple[int, int, str]:
    """Changes whenever a document is added, changed or deleted: (count, sum of versions,
    latest update time)."""
    count, versions, latest = session.exec(
        select(
            func.count(col(KnowledgeDocument.id)),
            func.coalesce(func.sum(col(KnowledgeDocument.version)), 0),
            func.max(col(KnowledgeDocument.updated_at)),
        )
    ).one()
    return int(count), int(versions), str(latest)


def list_documents(session: Session, *, lang: str | None = None) -> list[KnowledgeDocument]:
    query = select(KnowledgeDocument).order_by(
        col(KnowledgeDocument.topic), col(KnowledgeDocument.lang)
    )
    if lang:
        query = query.where(KnowledgeDocument.lang == lang)
    return list(session.exec(query))


def get_document(session: Session, document_id: int) -> KnowledgeDocument | None:
    return session.get(KnowledgeDocument, document_id)


def get_document_by_key(session: Session, key: str) -> KnowledgeDocument | None:
    return session.exec(select(KnowledgeDocument).where(KnowledgeDocument.key == key)).first()


def documents_with_origin_under(session: Session, prefix: str) -> list[KnowledgeDocument]:
    query = select(KnowledgeDocument).where(col(KnowledgeDocument.origin).startswith(prefix))
    return list(session.exec(query))


def save_document(session: Session, document: KnowledgeDocument) -> KnowledgeDocument:
    document.updated_at = utcnow()
    session.add(document)
    session.flush()
    return document


def replace_chunks(session: Session, *, document_id: int, chunks: Sequence[KnowledgeChunk]) -> None:
    session.execute(delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == document_id))
    session.add_all(list(chunks))
    session.flush()


def delete_document(session: Session, document_id: int) -> bool:
    document = session.get(KnowledgeDocument, document_id)
    if document is None:
        return False
    session.execute(delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == document_id))
    session.delete(document)
    session.flush()
    return True


def all_chunks(session: Session) -> list[tuple[KnowledgeChunk, KnowledgeDocument]]:
    query = (
        select(KnowledgeChunk, KnowledgeDocument)
        .join(KnowledgeDocument, col(KnowledgeChunk.document_id) == col(KnowledgeDocument.id))
        .order_by(col(KnowledgeChunk.document_id), col(KnowledgeChunk.position))
    )
    return [(chunk, document) for chunk, document in session.exec(query)]


def chunks_of(session: Session, document_id: int) -> list[KnowledgeChunk]:
    query = (
        select(KnowledgeChunk)
        .where(KnowledgeChunk.document_id == document_id)
        .order_by(col(KnowledgeChunk.position))
    )
    return list(session.exec(query))


def add_feedback(
    session: Session,
    *,
    answer_ref: str,
    helpful: bool,
    question: str = "",
    lang: str = "",
    document_ids: Sequence[int] = (),
    channel: str = "",
    user_id: str = "",
) -> AnswerFeedback:
    feedback = AnswerFeedback(
        answer_ref=answer_ref,
        helpful=helpful,
        question=question,
        lang=lang,
        document_ids=list(document_ids),
        channel=channel,
        user_id=user_id,
    )
    session.add(feedback)
    session.flush()
    return feedback


def list_feedback(session: Session, *, limit: int = 200) -> list[AnswerFeedback]:
    query = select(AnswerFeedback).order_by(col(AnswerFeedback.id).desc()).limit(limit)
    return list(session.exec(query))


def add_unanswered(
    session: Session,
    *,
    question: str,
    lang: str,
    answer_ref: str = "",
    channel: str = "",
    user_id: str = "",
    chat_id: str = "",
    wants_staff: bool = False,
    best_score: float = 0.0,
) -> UnansweredQuestion:
    row = UnansweredQuestion(
        answer_ref=answer_ref,
        question=question,
        lang=lang,
        channel=channel,
        user_id=user_id,
        chat_id=chat_id,
        wants_staff=wants_staff,
        best_score=best_score,
    )
    session.add(row)
    session.flush()
    return row


def request_staff(
    session: Session,
    *,
    answer_ref: str,
    question: str,
    lang: str,
    channel: str,
    user_id: str,
    chat_id: str,
) -> UnansweredQuestion:
    """Mark the logged question as wanting a person, or log it now with that flag."""
    row = None
    if answer_ref:
        row = session.exec(
            select(UnansweredQuestion).where(
                UnansweredQuestion.answer_ref == answer_ref, UnansweredQuestion.user_id == user_id
            )
        ).first()
    if row is None:
        return add_unanswered(
            session,
            question=question,
            lang=lang,
            answer_ref=answer_ref,
            channel=channel,
            user_id=user_id,
            chat_id=chat_id,
            wants_staff=True,
        )
    row.wants_staff = True
    session.add(row)
    session.flush()
    return row


def list_unanswered(session: Session, *, limit: int = 200) -> list[UnansweredQuestion]:
    query = select(UnansweredQuestion).order_by(col(UnansweredQuestion.id).desc()).limit(limit)
    return list(session.exec(query))


def forget_user(session: Session, *, channel: str, user_id: str) -> None:
    """Delete a user's feedback and logged questions ("delete my data")."""
    session.exec(
        delete(AnswerFeedback).where(
            col(AnswerFeedback.channel) == channel, col(AnswerFeedback.user_id) == user_id
        )
    )
    session.exec(
        delete(UnansweredQuestion).where(
            col(UnansweredQuestion.channel) == channel, col(UnansweredQuestion.user_id) == user_id
        )
    )
