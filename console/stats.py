"""Figures for the dashboard, per ISO week over the last weeks, read from the stores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from console.charts import bar_chart, legend
from core.i18n import t
from core.time import utcnow
from core.types import Lang
from handoff import repo as handoff_repo
from inbox.models import EventStatus, InboxEvent, OutboxMessage
from knowledge.models import UnansweredQuestion
from matching.intro_models import ACCEPTED, Introduction
from matching.models import Company

WEEKS = 12


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    legend: list[tuple[str, str]]
    total: str = ""


def _week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year % 100:02d}-W{week:02d}"


def _weeks(now: datetime) -> list[str]:
    return [_week(now - timedelta(weeks=n)) for n in range(WEEKS - 1, -1, -1)]


def _per_week(times: Iterable[datetime | None], weeks: list[str]) -> list[int]:
    counts = Counter(_week(at) for at in times if at is not None)
    return [counts.get(week, 0) for week in weeks]


def _since(now: datetime) -> datetime:
    return now - timedelta(weeks=WEEKS)


def _answers_sent(session: Session, since: datetime) -> list[datetime]:
    """Replies sent with helpful/not-helpful buttons: answers from the documents (the
    simulator answers in the HTTP response and keeps no outbox row, so they are not here)."""
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.created_at) >= since))
    return [
        row.created_at
        for row in rows
        for reply in row.replies
        if any(str(b.get("data", "")).startswith("kb:fb:") for b in reply.get("buttons", []))
    ]


def _registrations(
    session: Session, since: datetime, weeks: list[str]
) -> tuple[list[int], list[int]]:
    companies = session.exec(
        select(Company.created_at, Company.country).where(
            col(Company.created_at) >= since, Company.source != "demo"
        )
    ).all()
    th = _per_week((at for at, c in companies if c == "TH"), weeks)
    jp = _per_week((at for at, c in companies if c == "JP"), weeks)
    return th, jp


def dashboard_charts(session: Session, lang: Lang, *, now: datetime | None = None) -> list[Chart]:
    now = now or utcnow()
    since, weeks = _since(now), _weeks(now)
    tr = lambda key: t(key, lang)  # noqa: E731
    th, jp = _registrations(session, since, weeks)
    declined = session.exec(
        select(UnansweredQuestion.created_at).where(col(UnansweredQuestion.created_at) >= since)
    ).all()
    answered = _per_week(_answers_sent(session, since), weeks)
    intros = session.exec(select(Introduction).where(col(Introduction.created_at) >= since)).all()
    failed = session.exec(
        select(InboxEvent.finished_at).where(
            InboxEvent.status == EventStatus.FAILED.value, col(InboxEvent.received_at) >= since
        )
    ).all()
    handoffs = handoff_repo.count_by_state(session)
    waiting, open_ = handoffs.get("waiting", 0), handoffs.get("open", 0)

    def chart(key: str, series: list[tuple[str, list[int]]], total: str = "") -> Chart:
        return Chart(tr(key), bar_chart(weeks, series), legend([n for n, _ in series]), total)

    return [
        chart(
            "console.dash.registrations",
            [(tr("console.co.country_th"), th), (tr("console.co.country_jp"), jp)],
        ),
        chart(
            "console.dash.questions",
            [
                (tr("console.dash.answered"), answered),
                (tr("console.dash.declined"), _per_week(declined, weeks)),
            ],
        ),
        chart(
            "console.dash.introductions",
            [
                (tr("console.dash.requested"), _per_week((i.created_at for i in intros), weeks)),
                (
                    tr("console.intro.status.accepted"),
                    _per_week((i.decided_at for i in intros if i.status == ACCEPTED), weeks),
                ),
            ],
        ),
        chart(
            "console.dash.handoffs",
            [
                (
                    tr("console.dash.handoffs_started"),
                    _per_week(handoff_repo.created_since(session, since), weeks),
                )
            ],
            total=t("console.dash.waiting_now", lang, waiting=waiting, open=open_),
        ),
        chart(
            "console.dash.failed",
            [(tr("console.dash.failed_events"), _per_week(failed, weeks))],
            total=t("console.dash.failed_total", lang, n=len(failed)),
        ),
    ]
