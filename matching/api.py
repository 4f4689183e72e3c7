"""Staff API for matching: proposals for a company, and the introductions workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from core.deps import RowId, SessionDep, StaffDep
from core.time import utcnow
from matching import introductions as intros
from matching.engine import Matcher
from matching.intro_models import AWAITING_STAFF, STATUSES, Introduction
from matching.models import Company

router = APIRouter(prefix="/api", tags=["matching"])


def get_matcher(request: Request) -> Matcher:
    matcher: Matcher | None = getattr(request.app.state, "matcher", None)
    if matcher is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="The matcher is not running."
        )
    if not matcher.ready:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The matcher is still loading the directory; try again shortly.",
            headers={"Retry-After": "10"},
        )
    return matcher


def get_notify(request: Request, session: SessionDep) -> intros.Notify | None:
    """Messages to chat users, queued in this request's own transaction.

    `app.state.notify_factory(session)` gives `notify(channel=, user_id=, chat_id=,
    replies=)`; the messages go out with the worker's retries once the request commits.
    """
    factory = getattr(request.app.state, "notify_factory", None)
    return None if factory is None else factory(session)


MatcherDep = Annotated[Matcher, Depends(get_matcher)]
NotifyDep = Annotated[intros.Notify | None, Depends(get_notify)]


class MatchOut(BaseModel):
    ref: str
    name: str
    country: str
    score: float
    reasons: list[str]


class CompanyBrief(BaseModel):
    id: int
    ref: str
    name: str
    country: str


class IntroductionOut(BaseModel):
    id: int
    status: str
    requester: CompanyBrief
    target: CompanyBrief
    note: str | None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    events: list[dict[str, Any]] = Field(default_factory=list)


class DecisionIn(BaseModel):
    accept: bool
    note: str | None = Field(
        default=None, max_length=500, description="What the company said, for the record"
    )


class DecisionOut(BaseModel):
    introduction: IntroductionOut
    requester_notified: bool
    # On accept: the requester's contact details, for staff to pass on to the target company.
    requester_contact: dict[str, str | None] | None = None


def _brief(company: Company | None) -> CompanyBrief:
    if company is None or company.id is None:
        return CompanyBrief(id=0, ref="", name="(deleted)", country="")
    return CompanyBrief(id=company.id, ref=company.ref, name=company.name, country=company.country)


def _out(session: Any, intro: Introduction, *, with_events: bool = False) -> IntroductionOut:
    assert intro.id is not None
    events = []
    if with_events:
        events = [
            {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "detail": e.detail}
            for e in intros.events_of(session, intro.id)
        ]
    return IntroductionOut(
        id=intro.id,
        status=intro.status,
        requester=_brief(session.get(Company, intro.requester_company_id)),
        target=_brief(session.get(Company, intro.target_company_id)),
        note=intro.note,
        created_at=intro.created_at,
        expires_at=intro.expires_at,
        decided_at=intro.decided_at,
        decided_by=intro.decided_by,
        events=events,
    )


@router.get("/companies/{company_id}/matches", response_model=list[MatchOut])
def company_matches(
    company_id: RowId,
    session: SessionDep,
    _staff: StaffDep,
    matcher: MatcherDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    lang: Literal["th", "ja", "en"] = "en",
) -> list[dict[str, Any]]:
    """The company's best partner matches, best first, with reasons (same as `kakehashi match`)."""
    if session.get(Company, company_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such company.")
    try:
        matches = matcher.match(
            company_id,
            k=k,
            lang=lang,
            not_interested=intros.not_interested_ids(session, company_id),
            session=session,
        )
    except KeyError:  # added after the snapshot, while a reload is running
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The matcher is reloading the directory; try again shortly.",
            headers={"Retry-After": "5"},
        ) from None
    return [m.to_json() for m in matches]


@router.get("/introductions", response_model=list[IntroductionOut])
def list_introductions(
    session: SessionDep,
    _staff: StaffDep,
    notify: NotifyDep,
    status_: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[IntroductionOut]:
    """Introduction requests, newest first; `status=awaiting_staff` lists those staff must handle."""
    if status_ is not None and status_ not in STATUSES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, detail=f"status must be one of {STATUSES}"
        )
    # Looking at the list is "touching" it: stale requests expire (and requesters are told) first.
    if intros.expire_stale_introductions(session, notify=notify):
        session.commit()
    rows = intros.list_introductions(session, status=status_, limit=limit)
    return [_out(session, row) for row in rows]


@router.get("/introductions/{introduction_id}", response_model=IntroductionOut)
def get_introduction(
    introduction_id: RowId, session: SessionDep, _staff: StaffDep
) -> IntroductionOut:
    """One introduction with every stored step."""
    intro = session.get(Introduction, introduction_id)
    if intro is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such introduction.")
    return _out(session, intro, with_events=True)


@router.post("/introductions/{introduction_id}/decision", response_model=DecisionOut)
def record_decision(
    introduction_id: RowId,
    body: DecisionIn,
    session: SessionDep,
    staff: StaffDep,
    notify: NotifyDep,
) -> DecisionOut:
    """Record the answer of a company without a chat account, after staff asked it."""
    intro = session.get(Introduction, introduction_id)
    if intro is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such introduction.")
    if intro.status != AWAITING_STAFF:
        intros.expire_if_stale(session, notify, intro, now=utcnow())
        session.commit()
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"This introduction is {intro.status}; only awaiting_staff ones take a staff decision.",
        )
    sent: list[str] = []

    def recording_notify(**kwargs: Any) -> None:
        sent.append(kwargs["channel"])
        if notify is not None:
            notify(**kwargs)

    try:
        intro = intros.decide(
            session,
            recording_notify if notify is not None else None,
            introduction_id=introduction_id,
            accept=body.accept,
            actor=f"staff:{staff.email}",
            by_staff=True,
        )
    except intros.IntroductionError as exc:
        session.commit()  # an expiry found on the way is stored
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"Not recorded: {exc.key}") from None
    if body.note:
        intros._event(
            session,
            intro,
            "staff_note",
            actor=f"staff:{staff.email}",
            at=utcnow(),
            note=body.note,
        )
    session.commit()
    contact = _requester_contact(session, intro) if body.accept else None
    return DecisionOut(
        introduction=_out(session, intro, with_events=True),
        requester_notified=bool(sent),
        requester_contact=contact,
    )


def _requester_contact(session: Session, intro: Introduction) -> dict[str, str | None] | None:
    """The requester's contact details, for staff to pass on to the company that accepted."""
    requester = session.get(Company, intro.requester_company_id)
    if requester is None:
        return None
    return {
        "name": requester.name,
        "contact_person": requester.contact_person,
        "email": requester.email,
        "phone": requester.phone,
    }
