"""Unanswered questions, grouped across languages, noise left out; from a group staff
write or edit a document, or mark it resolved."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from console.auth import StaffDep
from console.errors import ConsoleRoute
from console.render import render
from core.db import write_lock
from core.deps import EngineDep, SessionDep, SettingsDep
from core.staff import audit
from knowledge import repo, revisions
from knowledge.models import UnansweredQuestion
from knowledge.unanswered_groups import QuestionGroup, group_questions, is_noise
from language.embeddings import get_embedder

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)
LIMIT = 1000
SEARCHED = 30  # groups for which the closest documents are looked up


def _classifier(request: Request) -> Any:
    intents = getattr(request.app.state, "intents", None)
    if intents is None:
        return None
    return lambda text: m.name if (m := intents.classify(text)) is not None else None


def open_questions(
    session: Session, classify: Any
) -> tuple[list[UnansweredQuestion], list[UnansweredQuestion]]:
    """(questions to group, noise), without those already resolved."""
    done = set(revisions.resolved_ids(session))
    rows = [r for r in repo.list_unanswered(session, limit=LIMIT) if r.id not in done]
    noise = [r for r in rows if is_noise(r.question, classify)]
    ids = {r.id for r in noise}
    return [r for r in rows if r.id not in ids], noise


def groups_for(
    request: Request, session: Session, embedder_spec: str
) -> tuple[list[QuestionGroup], list[UnansweredQuestion]]:
    questions, noise = open_questions(session, _classifier(request))
    return group_questions(questions, get_embedder(embedder_spec)), noise


@router.get("/unanswered")
def unanswered(
    request: Request, staff: StaffDep, session: SessionDep, settings: SettingsDep
) -> Response:
    groups, noise = groups_for(request, session, settings.embedder)
    return render(
        request,
        "unanswered.html",
        staff,
        groups=groups,
        noise=noise,
        closest=closest_documents(request, groups[:SEARCHED]),
    )


def closest_documents(request: Request, groups: list[QuestionGroup]) -> dict[int, list[Any]]:
    """For each group (by its first id): the documents retrieval finds for its wording,
    to edit when one of them should have answered."""
    service = getattr(request.app.state, "knowledge", None)
    found: dict[int, list[Any]] = {}
    if service is None:
        return found
    for group in groups:
        seen: dict[int, Any] = {}
        for passage in service.search(group.examples(1)[0].question, 5):
            seen.setdefault(passage.document_id, passage)
        found[group.ids[0]] = list(seen.values())[:3]
    return found


@router.post("/unanswered/resolve")
def resolve(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    engine: EngineDep,
    ids: Annotated[str, Form(max_length=20_000)],
) -> Response:
    question_ids = [int(x) for x in ids.split(",") if x.strip().isdigit()]
    with write_lock(engine):
        added = revisions.resolve_questions(
            session, question_ids, resolved_by=staff.account.email, document_id=None
        )
        audit(session, staff.account, "unanswered_resolve", "", questions=question_ids, added=added)
        session.commit()
    return RedirectResponse("/admin/unanswered", status_code=303)
