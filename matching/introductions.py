"""Double opt-in introductions between two companies, across LINE and Telegram.

A (the requester) asks for an introduction to B. B's chat members are notified on their
own channel with A's profile card, never A's contact details, and answer Accept/Decline.
On accept both sides receive the other's contact details in their own language; on
decline or expiry the requester is told politely. B without a chat account waits for
staff ("awaiting_staff"), who record B's answer through the API. Every step is an
IntroductionEvent row.

Writes happen in effects (`apply(ctx)`, ctx = the worker's session + notify) or in the
staff API; both call the functions below with a session and a `notify` callable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, col, select

from core.i18n import t
from core.state import ChatUser
from core.time import as_utc, utcnow
from core.types import LANGS, Lang, Reply
from language.format import company_name, phone_text
from language.translate import TextTranslator, quoted
from matching.intro_cards import decision_buttons, profile_card
from matching.intro_models import (
    ACCEPTED,
    AWAITING_STAFF,
    DECLINED,
    EXPIRED,
    OPEN_STATUSES,
    PENDING,
    Introduction,
    IntroductionEvent,
    NotInterested,
)
from matching.models import Company, CompanyMember

logger = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(days=14)
DEFAULT_LANG_BY_CHANNEL: dict[str, Lang] = {"line": "th", "telegram": "ja"}


class Notify(Protocol):
    def __call__(
        self, *, channel: Any, user_id: str, chat_id: str, replies: Sequence[Reply]
    ) -> None: ...


class IntroductionError(Exception):
    """The introduction cannot move as asked; `key` is the catalogue message explaining why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _lang(value: str | None, channel: str | None = None) -> Lang:
    if value in LANGS:
        return value  # type: ignore[return-value]
    return DEFAULT_LANG_BY_CHANNEL.get(channel or "", "en")


# -- reads --------------------------------------------------------------------------------


def company_of_user(session: Session, *, channel: str, user_id: str) -> Company | None:
    member = session.exec(
        select(CompanyMember).where(
            CompanyMember.channel == channel, CompanyMember.user_id == user_id
        )
    ).first()
    return session.get(Company, member.company_id) if member is not None else None


@dataclass(frozen=True)
class Recipient:
    channel: str
    user_id: str
    chat_id: str
    lang: Lang


def members_of(session: Session, company_id: int) -> list[Recipient]:
    """The chat accounts of a company that can be messaged (not blocked)."""
    out = []
    members = session.exec(
        select(CompanyMember).where(CompanyMember.company_id == company_id)
    ).all()
    for member in members:
        user = session.get(ChatUser, (member.channel, member.user_id))
        if user is not None and user.blocked:
            continue
        out.append(
            Recipient(
                channel=member.channel,
                user_id=member.user_id,
                chat_id=(user.chat_id if user is not None and user.chat_id else member.user_id),
                lang=_lang(
                    (user.lang if user is not None else None) or member.lang, member.channel
                ),
            )
        )
    return out


def live_introduction(
    session: Session, *, requester_id: int, target_id: int
) -> Introduction | None:
    """The introduction between the two that is still open or was accepted: asking again
    tells its status instead of sending a second request."""
    return session.exec(
        select(Introduction).where(
            Introduction.requester_company_id == requester_id,
            Introduction.target_company_id == target_id,
            col(Introduction.status).in_((*OPEN_STATUSES, ACCEPTED)),
        )
    ).first()


def not_interested_ids(session: Session | None, company_id: int) -> set[int]:
    if session is None:
        return set()
    rows = session.exec(
        select(NotInterested.target_company_id).where(NotInterested.company_id == company_id)
    )
    return set(rows.all())


def list_introductions(
    session: Session, *, status: str | None = None, limit: int = 200
) -> list[Introduction]:
    query = select(Introduction).order_by(col(Introduction.id).desc()).limit(limit)
    if status:
        query = query.where(Introduction.status == status)
    return list(session.exec(query).all())


def events_of(session: Session, introduction_id: int) -> list[IntroductionEvent]:
    return list(
        session.exec(
            select(IntroductionEvent)
            .where(IntroductionEvent.introduction_id == introduction_id)
            .order_by(col(IntroductionEvent.id))
        ).all()
    )


# -- contact details, shared on accept (the cards are in matching.intro_cards) ---------


def _name_for(company: Company | None) -> Callable[[Lang], str]:
    """The company's name for each reader (own script, else English, else as written)."""
    if company is None:
        return lambda lang: ""
    return lambda lang: company_name(company.name, company.name_en, lang)


def contact_text(company: Company, lang: Lang) -> str:
    lines = [company_name(company.name, company.name_en, lang)]
    if company.contact_person:
        lines.append(t("match.contact.person", lang, value=company.contact_person))
    if company.email:
        lines.append(t("match.contact.email", lang, value=company.email))
    if company.phone:
        lines.append(t("match.contact.phone", lang, value=phone_text(company.phone, lang)))
    if len(lines) == 1:
        lines.append(t("match.contact.none", lang))
    return "\n".join(lines)


# -- writes ---------------------------------------------------------------------------------


def _event(
    session: Session,
    intro: Introduction,
    kind: str,
    *,
    actor: str | None,
    at: datetime,
    **detail: Any,
) -> None:
    assert intro.id is not None
    session.add(
        IntroductionEvent(introduction_id=intro.id, kind=kind, actor=actor, at=at, detail=detail)
    )


def request_introduction(
    session: Session,
    notify: Notify | None,
    *,
    requester_id: int,
    target_id: int,
    channel: str | None,
    user_id: str | None,
    lang: Lang,
    note: str | None = None,
    now: datetime | None = None,
    ttl: timedelta = DEFAULT_TTL,
    translator: TextTranslator | None = None,
) -> Introduction:
    now = now or utcnow()
    requester = session.get(Company, requester_id)
    target = session.get(Company, target_id)
    if requester is None or target is None or requester_id == target_id:
        raise IntroductionError("match.intro.not_found")
    existing = live_introduction(session, requester_id=requester_id, target_id=target_id)
    if existing is not None and not expire_if_stale(session, notify, existing, now=now):
        return existing
    actor = f"{channel}:{user_id}" if channel else None
    intro = Introduction(
        requester_company_id=requester_id,
        target_company_id=target_id,
        requester_channel=channel,
        requester_user_id=user_id,
        requester_lang=lang,
        note=(note or "").strip()[:1000] or None,
        status=PENDING,
        created_at=now,
        updated_at=now,
        expires_at=now + ttl,
    )
    session.add(intro)
    session.flush()
    assert intro.id is not None
    _event(session, intro, "requested", actor=actor, at=now, has_note=intro.note is not None)
    recipients = members_of(session, target_id)
    if not recipients:
        intro.status = AWAITING_STAFF
        _event(session, intro, "awaiting_staff", actor=None, at=now)
        session.add(intro)
        return intro
    for r in recipients:
        replies = [_incoming_reply(requester, intro, r.lang, translator=translator)]
        if notify is not None:
            notify(channel=r.channel, user_id=r.user_id, chat_id=r.chat_id, replies=replies)
        _event(session, intro, "notified", actor=None, at=now, channel=r.channel)
    return intro


def _incoming_reply(
    requester: Company, intro: Introduction, lang: Lang, *, translator: TextTranslator | None
) -> Reply:
    assert intro.id is not None
    text = t(
        "match.intro.incoming",
        lang,
        name=company_name(requester.name, requester.name_en, lang),
        country=t(f"match.country.{requester.country}", lang),
    )
    if intro.note:
        note = quoted(intro.note, lang, translator=translator)  # 「…」（タイ語の原文）
        text += "\n" + t("match.intro.incoming_note", lang, note=note)
    card = profile_card(
        requester, lang, buttons=decision_buttons(intro.id, lang), translator=translator
    )
    return Reply(text=text, cards=(card,), buttons=decision_buttons(intro.id, lang), lang=lang)


def _tell_requester(
    session: Session,
    notify: Notify | None,
    intro: Introduction,
    key: str,
    **params: str | Callable[[Lang], str],
) -> bool:
    if notify is None or not intro.requester_channel or not intro.requester_user_id:
        return False
    user = session.get(ChatUser, (intro.requester_channel, intro.requester_user_id))
    if user is not None and user.blocked:
        return False
    lang = _lang(
        (user.lang if user is not None else None) or intro.requester_lang, intro.requester_channel
    )
    text = t(key, lang, **{k: (v(lang) if callable(v) else v) for k, v in params.items()})
    chat_id = user.chat_id if user is not None and user.chat_id else intro.requester_user_id
    notify(
        channel=intro.requester_channel,
        user_id=intro.requester_user_id,
        chat_id=chat_id,
        replies=[Reply(text=text, lang=lang)],
    )
    return True


def expire_if_stale(
    session: Session, notify: Notify | None, intro: Introduction, *, now: datetime
) -> bool:
    """Expire an open introduction past its time; True when it is (now) expired."""
    if intro.status == EXPIRED:
        return True
    if intro.status not in OPEN_STATUSES or as_utc(intro.expires_at) > now:
        return False
    intro.status = EXPIRED
    intro.updated_at = now
    session.add(intro)
    _event(session, intro, "expired", actor=None, at=now)
    target = session.get(Company, intro.target_company_id)
    told = _tell_requester(
        session, notify, intro, "match.intro.expired_requester", name=_name_for(target)
    )
    if told:
        _event(session, intro, "requester_told", actor=None, at=now, outcome=EXPIRED)
    return True


def expire_stale_introductions(
    session: Session, now: datetime | None = None, *, notify: Notify | None = None
) -> list[Introduction]:
    """Expire every open introduction past its time (call periodically); the caller commits."""
    now = now or utcnow()
    stale = session.exec(
        select(Introduction).where(
            col(Introduction.status).in_(OPEN_STATUSES), Introduction.expires_at <= now
        )
    ).all()
    expired = [intro for intro in stale if expire_if_stale(session, notify, intro, now=now)]
    if expired:
        logger.info("expired %s introduction requests", len(expired))
    return list(expired)


def decide(
    session: Session,
    notify: Notify | None,
    *,
    introduction_id: int,
    accept: bool,
    actor: str,
    now: datetime | None = None,
    by_staff: bool = False,
) -> Introduction:
    """Record B's answer. Raises IntroductionError when it is final, expired or unknown."""
    now = now or utcnow()
    intro = session.get(Introduction, introduction_id)
    if intro is None:
        raise IntroductionError("match.intro.not_found")
    if expire_if_stale(session, notify, intro, now=now):
        raise IntroductionError("match.intro.expired")
    if intro.status not in OPEN_STATUSES:
        raise IntroductionError("match.intro.already_decided")
    intro.status = ACCEPTED if accept else DECLINED
    intro.decided_at = now
    intro.decided_by = actor
    intro.updated_at = now
    session.add(intro)
    _event(session, intro, intro.status, actor=actor, at=now, by_staff=by_staff)
    requester = session.get(Company, intro.requester_company_id)
    target = session.get(Company, intro.target_company_id)
    assert requester is not None and target is not None
    if accept:
        told = _tell_requester(
            session,
            notify,
            intro,
            "match.intro.accepted_requester",
            name=_name_for(target),
            contact=lambda lang: contact_text(target, lang),
        )
        if told:
            _event(session, intro, "contacts_shared", actor=None, at=now, to="requester")
    else:
        told = _tell_requester(
            session, notify, intro, "match.intro.declined_requester", name=_name_for(target)
        )
        if told:
            _event(session, intro, "requester_told", actor=None, at=now, outcome=DECLINED)
    return intro


def mark_not_interested(
    session: Session, *, company_id: int, target_id: int, channel: str | None, user_id: str | None
) -> None:
    exists = session.exec(
        select(NotInterested).where(
            NotInterested.company_id == company_id, NotInterested.target_company_id == target_id
        )
    ).first()
    # One user's turns are handled in order, so check-then-insert does not race; the
    # unique constraint still guards the table.
    if exists is not None:
        return
    session.add(
        NotInterested(
            company_id=company_id, target_company_id=target_id, channel=channel, user_id=user_id
        )
    )


# -- effects (applied by the worker in the turn's transaction) --------------------------------


class _Ctx(Protocol):
    @property
    def session(self) -> Any: ...

    def notify(
        self, *, channel: Any, user_id: str, chat_id: str, replies: Sequence[Reply]
    ) -> None: ...


@dataclass(frozen=True)
class RequestIntroduction:
    requester_id: int
    target_id: int
    channel: str
    user_id: str
    lang: Lang
    note: str | None = None
    ttl: timedelta = DEFAULT_TTL
    clock: Callable[[], datetime] = utcnow
    translator: TextTranslator | None = None

    def apply(self, ctx: _Ctx) -> None:
        request_introduction(
            ctx.session,
            ctx.notify,
            requester_id=self.requester_id,
            target_id=self.target_id,
            channel=self.channel,
            user_id=self.user_id,
            lang=self.lang,
            note=self.note,
            now=self.clock(),
            ttl=self.ttl,
            translator=self.translator,
        )


@dataclass(frozen=True)
class DecideIntroduction:
    introduction_id: int
    accept: bool
    actor: str
    clock: Callable[[], datetime] = utcnow

    def apply(self, ctx: _Ctx) -> None:
        try:
            decide(
                ctx.session,
                ctx.notify,
                introduction_id=self.introduction_id,
                accept=self.accept,
                actor=self.actor,
                now=self.clock(),
            )
        except IntroductionError as exc:
            # The dialogue checked before; a concurrent answer got there first.
            logger.info("introduction %s not decided: %s", self.introduction_id, exc.key)


@dataclass(frozen=True)
class ExpireIntroduction:
    introduction_id: int
    clock: Callable[[], datetime] = utcnow

    def apply(self, ctx: _Ctx) -> None:
        intro = ctx.session.get(Introduction, self.introduction_id)
        if intro is not None:
            expire_if_stale(ctx.session, ctx.notify, intro, now=self.clock())


@dataclass(frozen=True)
class MarkNotInterested:
    company_id: int
    target_id: int
    channel: str
    user_id: str

    def apply(self, ctx: _Ctx) -> None:
        mark_not_interested(
            ctx.session,
            company_id=self.company_id,
            target_id=self.target_id,
            channel=self.channel,
            user_id=self.user_id,
        )
