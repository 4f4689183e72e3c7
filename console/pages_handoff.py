"""The handoff queue and one conversation: read it, reply, hand it back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from console.auth import StaffDep
from console.errors import ConsoleRoute, found
from console.render import render
from console.transcript import transcript
from core.db import write_lock
from core.deps import EngineDep, RowId, SessionDep
from core.i18n import t
from core.staff import StaffAccount, audit
from handoff import repo
from handoff import staff as handoff_staff
from handoff.models import Handoff
from matching.repo import get_company_for_member

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)


def _names(session: SessionDep, rows: list[Handoff]) -> dict[int, str]:
    ids = {row.assigned_staff_id for row in rows if row.assigned_staff_id}
    return {i: a.email for i in ids if (a := session.get(StaffAccount, i)) is not None}


@router.get("/handoffs")
def queue(request: Request, staff: StaffDep, session: SessionDep) -> Response:
    rows = repo.queue(session)
    closed = repo.recent_closed(session, limit=10)
    template = "handoff_rows.html" if request.headers.get("hx-request") else "handoffs.html"
    return render(
        request, template, staff, rows=rows, closed=closed, names=_names(session, rows + closed)
    )


def _get(session: SessionDep, handoff_id: int) -> Handoff:
    return found(repo.get(session, handoff_id))


def _page(
    request: Request, staff: StaffDep, session: SessionDep, row: Handoff, **ctx: Any
) -> Response:
    lines = transcript(session, channel=row.channel, user_id=row.user_id, handoff_id=row.id)
    template = "handoff_lines.html" if request.headers.get("hx-request") else "handoff.html"
    company = get_company_for_member(session, channel=row.channel, user_id=row.user_id)
    return render(
        request,
        template,
        staff,
        handoff=row,
        lines=lines,
        names=_names(session, [row]),
        company=company,
        **ctx,
    )


@router.get("/handoffs/{handoff_id}")
def conversation(
    handoff_id: RowId, request: Request, staff: StaffDep, session: SessionDep
) -> Response:
    return _page(request, staff, session, _get(session, handoff_id))


@router.post("/handoffs/{handoff_id}/reply")
def reply(
    handoff_id: RowId,
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    engine: EngineDep,
    text: Annotated[str, Form(max_length=4000)],
) -> Response:
    row = _get(session, handoff_id)
    error = None
    with write_lock(engine):
        try:
            handoff_staff.reply(
                session,
                handoff=row,
                staff_id=staff.id,
                text=text,
                notify=request.app.state.notify_factory(session),
            )
            audit(session, staff.account, "handoff_reply", f"handoff:{handoff_id}", chars=len(text))
            session.commit()
        except handoff_staff.HandoffClosed:
            session.rollback()
            error = t("console.handoff.closed_error", staff.lang)
        except ValueError:
            session.rollback()
            error = t("console.handoff.empty_error", staff.lang)
    _wake(request)
    if request.headers.get("hx-request"):
        return _page(request, staff, session, _get(session, handoff_id), error=error)
    return RedirectResponse(f"/admin/handoffs/{handoff_id}", status_code=303)


@router.post("/handoffs/{handoff_id}/close")
def hand_back(
    handoff_id: RowId, request: Request, staff: StaffDep, session: SessionDep, engine: EngineDep
) -> Response:
    row = _get(session, handoff_id)
    with write_lock(engine):
        handoff_staff.hand_back(
            session,
            handoff=row,
            staff_id=staff.id,
            notify=request.app.state.notify_factory(session),
        )
        audit(session, staff.account, "handoff_hand_back", f"handoff:{handoff_id}")
        session.commit()
    _wake(request)
    return RedirectResponse(f"/admin/handoffs/{handoff_id}", status_code=303)


@router.post("/handoffs/{handoff_id}/take")
def take(
    handoff_id: RowId, request: Request, staff: StaffDep, session: SessionDep, engine: EngineDep
) -> Response:
    row = _get(session, handoff_id)
    with write_lock(engine):
        repo.take(session, handoff=row, staff_id=staff.id)
        audit(session, staff.account, "handoff_take", f"handoff:{handoff_id}")
        session.commit()
    return RedirectResponse(f"/admin/handoffs/{handoff_id}", status_code=303)


def _wake(request: Request) -> None:
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
