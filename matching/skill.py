"""Partner matching in the chat: proposals as cards, free-text search, introductions.

Button data (all under this skill's "match" prefix, short ASCII):
  match:find            the first five proposals     match:more:N   proposals from N
  match:describe        ask for a free-text need      match:dmore:N  more for that text
  match:ask:ID          request an introduction to company ID (then a note, or skip)
  match:skip            send the request without a note
  match:ni:ID           "not interested" in company ID
  match:yes:ID / no:ID  the other side accepts / declines introduction ID
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from core.i18n import t
from core.time import as_utc, utcnow
from core.turn import Turn, main_menu_buttons
from core.types import Button, Card, Lang, Reply
from language.format import company_name
from language.translate import TextTranslator
from matching import introductions as intros
from matching.engine import Match, Matcher
from matching.intro_cards import subtitle_parts
from matching.intro_models import OPEN_STATUSES, PENDING, Introduction
from matching.models import Company
from matching.strength import strength

logger = logging.getLogger(__name__)

PAGE = 5
MIN_DESCRIPTION = 4
# A note or description typed later than this after the question is not an answer to it.
FLOW_TIMEOUT = timedelta(minutes=30)


class MatchingSkill:
    name = "match"

    def __init__(
        self,
        matcher: Matcher | None,
        *,
        ttl: timedelta = intros.DEFAULT_TTL,
        clock: Callable[[], datetime] = utcnow,
        page_size: int = PAGE,
        translator: TextTranslator | None = None,
    ) -> None:
        self.matcher = matcher
        self.ttl = ttl
        self.clock = clock
        self.page_size = page_size
        # Optional: other companies' free text translated into the reader's language.
        self.translator = translator

    # -- entry points ----------------------------------------------------------------

    def on_postback(self, turn: Turn, data: str) -> bool:
        parts = data.split(":")
        action = parts[1] if len(parts) > 1 else "find"
        arg = _int(parts[2]) if len(parts) > 2 else None
        if action == "find":
            self._proposals(turn, offset=0)
        elif action == "more":
            self._proposals(turn, offset=arg or 0)
        elif action == "describe":
            self._start_flow(turn, "match:describe")
            turn.say(
                "match.describe.prompt",
                buttons=[Button(t("match.button.cancel", turn.lang), "match:cancel")],
            )
        elif action == "dmore":
            text = self._state(turn).get("description")
            if not text:
                self._proposals(turn, offset=0)
            else:
                self._described(turn, text, offset=arg or 0)
        elif action == "ask" and arg is not None:
            self._ask_note(turn, arg)
        elif action == "skip":
            self._send_request(turn, note=None)
        elif action == "cancel":
            turn.conv.flow = None
            self._state(turn).pop("target", None)
            turn.say("menu.title", buttons=main_menu_buttons(turn.lang))
        elif action == "ni" and arg is not None:
            self._not_interested(turn, arg)
        elif action in ("yes", "no") and arg is not None:
            self._decide(turn, arg, accept=action == "yes")
        elif action == "search":  # a typed need ("タイで金型を作れる会社を探しています")
            text = (turn.msg.text or "").strip()[:500]
            self._state(turn)["description"] = text
            self._described(turn, text, offset=0)
        elif action == "answer" and len(parts) > 2:  # "yes, I'd like that introduction"
            self._answer_latest(turn, accept=parts[2] == "yes")
        else:
            return False
        return True

    def _answer_latest(self, turn: Turn, *, accept: bool) -> None:
        """A typed answer to an introduction request: the newest one waiting for us."""
        company = self._company(turn) if turn.session is not None else None
        waiting = None
        if company is not None and company.id is not None:
            waiting = turn.session.exec(
                select(Introduction)
                .where(
                    col(Introduction.target_company_id) == company.id,
                    col(Introduction.status) == PENDING,
                )
                .order_by(col(Introduction.id).desc())
            ).first()
        if waiting is None or waiting.id is None:
            turn.say("match.intro.none_waiting", buttons=main_menu_buttons(turn.lang))
            return
        self._decide(turn, waiting.id, accept=accept)

    def on_free_text(self, turn: Turn) -> bool:
        return False  # typed searches arrive through the menu's free-text step

    def reask(self, turn: Turn) -> bool:
        return False

    def takes_answer(self, turn: Turn, text: str) -> bool:
        return False  # a described search is free text: any intent goes first

    def on_text(self, turn: Turn) -> bool:
        text = (turn.msg.text or "").strip()
        if self._flow_expired(turn):
            # The question was asked long ago (the user went elsewhere): this text is not
            # an answer to it. Let the rest of the bot take it.
            turn.conv.flow = None
            self._state(turn).pop("target", None)
            return False
        if turn.conv.flow == "match:describe":
            if len(text) < MIN_DESCRIPTION:
                turn.say("match.describe.too_short")
                return True
            turn.conv.flow = None
            self._state(turn)["description"] = text[:500]
            self._described(turn, text[:500], offset=0)
            return True
        if turn.conv.flow == "match:note":
            self._send_request(turn, note=text)
            return True
        turn.conv.flow = None
        return False

    def _start_flow(self, turn: Turn, flow: str) -> None:
        turn.conv.flow = flow
        self._state(turn)["asked_at"] = self.clock().isoformat()

    def _flow_expired(self, turn: Turn) -> bool:
        asked = self._state(turn).get("asked_at")
        try:
            at = datetime.fromisoformat(asked) if isinstance(asked, str) else None
        except ValueError:
            at = None
        return at is None or self.clock() - at > FLOW_TIMEOUT

    # -- proposals -------------------------------------------------------------------

    def _state(self, turn: Turn) -> dict[str, Any]:
        state: dict[str, Any] = turn.conv.data.setdefault(self.name, {})
        return state

    def _company(self, turn: Turn) -> Company | None:
        if turn.session is None:
            return None
        return intros.company_of_user(
            turn.session, channel=turn.msg.channel, user_id=turn.msg.user_id
        )

    def _ready(self, turn: Turn) -> bool:
        if self.matcher is None or turn.session is None:
            turn.say("match.unavailable", buttons=main_menu_buttons(turn.lang))
            return False
        if not self.matcher.ready:
            turn.say("match.warming_up", buttons=main_menu_buttons(turn.lang))
            return False
        self.matcher.ensure_fresh(turn.session)
        return True

    def _loaded(self, turn: Turn, company_id: int) -> bool:
        """The user's company is in the matcher's snapshot (a reload may still be running
        right after registration); if not, say so instead of failing."""
        assert self.matcher is not None
        if company_id in self.matcher.snapshot.row_of:
            return True
        turn.say("match.warming_up", buttons=main_menu_buttons(turn.lang))
        return False

    def _no_company(self, turn: Turn) -> None:
        turn.say(
            "match.no_company",
            buttons=[
                Button(t("menu.register", turn.lang), "reg:start"),
                Button(t("match.button.describe", turn.lang), "match:describe"),
                Button(t("menu.back", turn.lang), "menu"),
            ],
        )

    def _proposals(self, turn: Turn, *, offset: int) -> None:
        if not self._ready(turn):
            return
        assert self.matcher is not None
        company = self._company(turn)
        if company is None or company.id is None:
            text = (turn.msg.text or "").strip()[:500]
            if offset == 0 and any(c.kind != "service" for c in self.matcher.glossary.find(text)):
                # typed "find a Japanese partner for my durian export": that is the search
                self._state(turn)["description"] = text
                self._described(turn, text, offset=0)
            else:
                self._no_company(turn)
            return
        offset = max(0, min(offset, 200))
        if not self._loaded(turn, company.id):
            return
        matches = self.matcher.match(
            company.id,
            k=self.page_size,
            offset=offset,
            lang=turn.lang,
            not_interested=intros.not_interested_ids(turn.session, company.id),
        )
        header = t(
            "match.results",
            turn.lang,
            company=_name(company, turn.lang),
            first=offset + 1,
            last=offset + len(matches),
        )
        self._show(
            turn,
            matches,
            header=header,
            more=f"match:more:{offset + self.page_size}",
            offset=offset,
        )

    def _described(self, turn: Turn, text: str, *, offset: int) -> None:
        if not self._ready(turn):
            return
        assert self.matcher is not None
        company = self._company(turn)
        offset = max(0, min(offset, 200))
        if company is not None and company.id is not None:
            if not self._loaded(turn, company.id):
                return
            matches = self.matcher.match(
                company.id,
                k=self.page_size,
                offset=offset,
                lang=turn.lang,
                seeks_text=text,
                not_interested=intros.not_interested_ids(turn.session, company.id),
            )
        else:
            matches = self.matcher.match_text(
                text, country=_viewer_country(turn), k=self.page_size, offset=offset, lang=turn.lang
            )
        header = t(
            "match.results_description", turn.lang, first=offset + 1, last=offset + len(matches)
        )
        self._show(
            turn,
            matches,
            header=header,
            more=f"match:dmore:{offset + self.page_size}",
            offset=offset,
        )

    def _show(
        self, turn: Turn, matches: list[Match], *, header: str, more: str, offset: int
    ) -> None:
        lang = turn.lang
        if not matches:
            turn.say(
                "match.no_more" if offset else "match.none",
                buttons=[
                    Button(t("match.button.describe", lang), "match:describe"),
                    *main_menu_buttons(lang)[:2],
                ],
            )
            return
        english = _english_names(turn, [m.company_id for m in matches])
        cards = tuple(self._card(m, lang, english.get(m.company_id)) for m in matches)
        buttons = [
            Button(t("match.button.more", lang), more),
            Button(t("match.button.describe", lang), "match:describe"),
            Button(t("menu.back", lang), "menu"),
        ]
        turn.reply(Reply(text=header, cards=cards, buttons=tuple(buttons), lang=lang))

    def _card(self, m: Match, lang: Lang, name_en: str | None = None) -> Card:
        assert self.matcher is not None
        snap = self.matcher.snapshot
        row = snap.row_of.get(m.company_id)
        profile = snap.profiles[row] if row is not None else None
        subtitle = subtitle_parts(
            m.country,
            profile.sector if profile is not None else None,
            profile.location if profile is not None else None,
            lang,
        )
        return Card(
            title=company_name(m.name, name_en, lang),
            subtitle=subtitle,
            body="\n".join(f"• {r}" for r in m.reasons),
            # a word people trust, calibrated on the matching benchmark (matching/strength.py)
            footer=t(f"match.strength.{strength(m.score)}", lang),
            buttons=(
                Button(t("match.button.request", lang), f"match:ask:{m.company_id}"),
                Button(t("match.button.not_interested", lang), f"match:ni:{m.company_id}"),
            ),
        )

    def _not_interested(self, turn: Turn, target_id: int) -> None:
        company = self._company(turn)
        if company is None or company.id is None:
            self._no_company(turn)
            return
        target = turn.session.get(Company, target_id)
        if target is None:
            turn.say("match.intro.not_found", buttons=main_menu_buttons(turn.lang))
            return
        turn.effect(
            intros.MarkNotInterested(
                company_id=company.id,
                target_id=target_id,
                channel=turn.msg.channel,
                user_id=turn.msg.user_id,
            )
        )
        turn.say(
            "match.not_interested.done",
            name=_name(target, turn.lang),
            buttons=[
                Button(t("match.button.more", turn.lang), "match:find"),
                Button(t("menu.back", turn.lang), "menu"),
            ],
        )

    # -- introductions ---------------------------------------------------------------

    def _ask_note(self, turn: Turn, target_id: int) -> None:
        company = self._company(turn)
        if company is None or company.id is None:
            self._no_company(turn)
            return
        target = turn.session.get(Company, target_id)
        if target is None or target.id == company.id:
            turn.say("match.intro.not_found", buttons=main_menu_buttons(turn.lang))
            return
        existing = intros.live_introduction(
            turn.session, requester_id=company.id, target_id=target_id
        )
        if existing is not None and not self._stale(existing):
            self._say_already(turn, target, existing)
            return
        self._state(turn)["target"] = target_id
        self._start_flow(turn, "match:note")
        turn.say(
            "match.intro.ask_note",
            name=_name(target, turn.lang),
            buttons=[
                Button(t("match.button.skip", turn.lang), "match:skip"),
                Button(t("match.button.cancel", turn.lang), "match:cancel"),
            ],
        )

    def _stale(self, intro: Introduction) -> bool:
        """An open request past its time (an accepted one never goes stale)."""
        return intro.status in OPEN_STATUSES and as_utc(intro.expires_at) <= self.clock()

    def _say_already(self, turn: Turn, target: Company, intro: Introduction) -> None:
        turn.say(
            "match.intro.already",
            name=_name(target, turn.lang),
            status=t(f"match.status.{intro.status}", turn.lang),
            buttons=main_menu_buttons(turn.lang),
        )

    def _send_request(self, turn: Turn, *, note: str | None) -> None:
        state = self._state(turn)
        target_id = state.pop("target", None)
        turn.conv.flow = None
        company = self._company(turn)
        if company is None or company.id is None:
            self._no_company(turn)
            return
        target = turn.session.get(Company, target_id) if isinstance(target_id, int) else None
        if target is None or target.id is None:
            turn.say("match.intro.not_found", buttons=main_menu_buttons(turn.lang))
            return
        existing = intros.live_introduction(
            turn.session, requester_id=company.id, target_id=target.id
        )
        if existing is not None and not self._stale(existing):
            self._say_already(turn, target, existing)
            return
        turn.effect(
            intros.RequestIntroduction(
                requester_id=company.id,
                target_id=target.id,
                channel=turn.msg.channel,
                user_id=turn.msg.user_id,
                lang=turn.lang,
                note=note,
                ttl=self.ttl,
                clock=self.clock,
                translator=self.translator,
            )
        )
        has_members = bool(intros.members_of(turn.session, target.id))
        turn.say(
            "match.intro.sent" if has_members else "match.intro.sent_staff",
            name=_name(target, turn.lang),
            buttons=[
                Button(t("match.button.more", turn.lang), "match:find"),
                Button(t("menu.back", turn.lang), "menu"),
            ],
        )

    def _decide(self, turn: Turn, intro_id: int, *, accept: bool) -> None:
        if turn.session is None:
            turn.say("match.unavailable", buttons=main_menu_buttons(turn.lang))
            return
        company = self._company(turn)
        intro = turn.session.get(Introduction, intro_id)
        if intro is None or company is None or intro.target_company_id != company.id:
            turn.say("match.intro.not_found", buttons=main_menu_buttons(turn.lang))
            return
        if intro.status in OPEN_STATUSES and self._stale(intro):
            turn.effect(intros.ExpireIntroduction(introduction_id=intro_id, clock=self.clock))
            turn.say("match.intro.expired", buttons=main_menu_buttons(turn.lang))
            return
        if intro.status not in OPEN_STATUSES:
            key = (
                "match.intro.expired"
                if intro.status == "expired"
                else "match.intro.already_decided"
            )
            turn.say(key, buttons=main_menu_buttons(turn.lang))
            return
        actor = f"{turn.msg.channel}:{turn.msg.user_id}"
        turn.effect(
            intros.DecideIntroduction(
                introduction_id=intro_id, accept=accept, actor=actor, clock=self.clock
            )
        )
        if accept:
            requester = turn.session.get(Company, intro.requester_company_id)
            assert requester is not None
            turn.say(
                "match.intro.accepted_target",
                name=_name(requester, turn.lang),
                contact=intros.contact_text(requester, turn.lang),
                buttons=main_menu_buttons(turn.lang),
            )
        else:
            turn.say("match.intro.declined_target", buttons=main_menu_buttons(turn.lang))


def _name(company: Company, lang: Lang) -> str:
    return company_name(company.name, company.name_en, lang)


def _english_names(turn: Turn, ids: list[int]) -> dict[int, str | None]:
    """The English names given at registration, for names the reader cannot read."""
    if turn.session is None or not ids:
        return {}
    rows = turn.session.exec(
        select(Company.id, Company.name_en).where(col(Company.id).in_(ids))
    ).all()
    return {int(cid): name_en for cid, name_en in rows if cid is not None}


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _viewer_country(turn: Turn) -> str:
    """Without a profile: a Japanese reader looks at Thai companies, a Thai reader at Japanese."""
    if turn.lang == "ja":
        return "JP"
    if turn.lang == "th":
        return "TH"
    return "TH" if turn.msg.channel == "line" else "JP"
