from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.dialogue import Dialogue
from core.i18n import t
from core.turn import Turn
from core.types import Channel, Conversation, IncomingMessage, Kind, from_hint
from language.detect import detect
from language.intents import IntentMatch


def msg(
    channel: Channel = "line",
    *,
    text: str | None = None,
    postback: str | None = None,
    kind: Kind | None = None,
    lang_hint: str | None = None,
) -> IncomingMessage:
    chosen = kind or (Kind.POSTBACK if postback else Kind.TEXT)
    return IncomingMessage(
        channel=channel,
        event_id="e",
        user_id="u",
        chat_id="u",
        kind=chosen,
        timestamp=datetime.now(UTC),
        text=text,
        postback=postback,
        lang_hint=lang_hint,
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่", "th"),
        ("担保は必要ですか", "ja"),
        ("タイの金型メーカー", "ja"),
        ("What is the maximum loan?", "en"),
        ("SME กู้ได้เท่าไหร่", "th"),
        ("ISO 9001 取得企業", "ja"),
        ("12345", None),
        ("", None),
    ],
)
def test_detect(text: str, lang: str | None) -> None:
    assert detect(text) == lang


def test_from_hint() -> None:
    assert from_hint("th-TH") == "th"
    assert from_hint("ja") == "ja"
    assert from_hint("de") is None


def test_reply_follows_the_language_the_user_writes_in() -> None:
    dialogue = Dialogue()
    conv = Conversation(channel="line", user_id="u")
    for text, lang in (("hello", "en"), ("メニュー", "ja"), ("เมนู", "th")):
        out = dialogue.handle(conv, msg(text=text))
        assert out.replies[0].lang == lang
        conv = out.conv
    assert conv.lang == "th"


def test_chosen_language_wins_over_detection() -> None:
    dialogue = Dialogue()
    out = dialogue.handle(Conversation(channel="line", user_id="u"), msg(postback="lang:ja"))
    assert out.conv.lang_chosen and out.conv.lang == "ja"
    assert out.replies[0].text == t("language.changed", "ja")
    out = dialogue.handle(out.conv, msg(text="hello there"))
    assert out.replies[0].lang == "ja"
    assert out.replies[0].text == t("greeting", "ja")


def test_follow_greets_in_channel_default_with_main_menu() -> None:
    dialogue = Dialogue()
    line = dialogue.handle(Conversation(channel="line", user_id="u"), msg("line", kind=Kind.FOLLOW))
    telegram = dialogue.handle(
        Conversation(channel="telegram", user_id="u"), msg("telegram", kind=Kind.FOLLOW)
    )
    assert line.replies[0].text == t("greeting", "th")
    assert telegram.replies[0].text == t("greeting", "ja")
    data = [b.data for b in line.replies[0].buttons]
    assert data == ["reg:start", "kb:ask", "match:find", "reg:profile", "lang", "help"]


def test_telegram_language_hint_is_used_when_no_text() -> None:
    out = Dialogue().handle(
        Conversation(channel="telegram", user_id="u"),
        msg("telegram", kind=Kind.FOLLOW, lang_hint="en-US"),
    )
    assert out.replies[0].text == t("greeting", "en")


def test_unfollow_marks_blocked_and_stays_silent() -> None:
    out = Dialogue().handle(Conversation(channel="line", user_id="u"), msg(kind=Kind.UNFOLLOW))
    assert out.conv.blocked and out.replies == []


def test_features_not_built_answer_coming_soon_in_three_languages() -> None:
    for lang in ("th", "ja", "en"):
        conv = Conversation(channel="line", user_id="u", lang=lang, lang_chosen=True)
        out = Dialogue().handle(conv, msg(postback="match:find"))
        assert out.replies[0].text == t("coming_soon", lang)


def test_a_failing_skill_apologises_instead_of_crashing() -> None:
    class Broken:
        name = "reg"

        def on_postback(self, turn: Turn, data: str) -> bool:
            raise RuntimeError("boom")

        def on_text(self, turn: Turn) -> bool:
            return False

        on_free_text = reask = on_text

        def takes_answer(self, turn: Turn, text: str) -> bool:
            return False

    out = Dialogue(skills=[Broken()]).handle(
        Conversation(channel="line", user_id="u"), msg(text="x", postback="reg:start")
    )
    assert out.replies[0].text == t("error.internal", "th")


def test_stale_unknown_button() -> None:
    out = Dialogue().handle(
        Conversation(channel="telegram", user_id="u", lang="en"), msg("telegram", postback="zzz:1")
    )
    assert out.replies[0].text == t("fallback.stale_button", "en")


class _Form:
    """A one-question flow that records what reaches it."""

    name = "reg"

    def __init__(self, answers: frozenset[str] = frozenset()) -> None:
        self.texts: list[str] = []
        self.answers = answers  # what its pending step would take as a clean answer

    def on_postback(self, turn: Turn, data: str) -> bool:
        turn.conv.flow = "reg:form"
        turn.say("menu.title")
        return True

    def on_text(self, turn: Turn) -> bool:
        self.texts.append(turn.msg.text or "")
        return True

    def reask(self, turn: Turn) -> bool:
        turn.say("help")
        return True

    def takes_answer(self, turn: Turn, text: str) -> bool:
        return text in self.answers

    def on_free_text(self, turn: Turn) -> bool:
        return False


class _Guess:
    """An intent reader that reads every text as "menu" with a fixed confidence."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    def classify(self, text: str, *, context: str = "idle") -> IntentMatch | None:
        return IntentMatch("menu", self.confidence)

    def form_command(self, text: str) -> str | None:
        return None


@pytest.mark.parametrize(("confidence", "answered"), [(0.6, True), (1.0, False)])
def test_a_guessed_intent_gives_way_to_a_clean_answer(confidence: float, answered: bool) -> None:
    form = _Form(answers=frozenset({"ญี่ปุ่น, เวียดนาม"}))
    dialogue = Dialogue(skills=[form], intents=_Guess(confidence))
    conv = dialogue.handle(
        Conversation(channel="line", user_id="u"), msg(postback="reg:start")
    ).conv
    out = dialogue.handle(conv, msg(text="ญี่ปุ่น, เวียดนาม"))
    assert form.texts == (["ญี่ปุ่น, เวียดนาม"] if answered else [])
    assert (out.conv.flow == "reg:form") is answered
    # Text the step would not take as an answer still goes to the guessed intent.
    out = dialogue.handle(conv, msg(text="ไปเมนูหน่อย"))
    assert out.conv.flow is None and "ไปเมนูหน่อย" not in form.texts


def test_menu_pauses_an_active_flow() -> None:
    form = _Form()
    dialogue = Dialogue(skills=[form])
    conv = dialogue.handle(
        Conversation(channel="line", user_id="u"), msg(postback="reg:start")
    ).conv
    assert conv.flow == "reg:form"
    conv = dialogue.handle(conv, msg(text="เมนู")).conv
    assert conv.flow is None
    out = dialogue.handle(conv, msg(text="hello"))
    assert form.texts == [] and out.replies[0].text == t("greeting", "en")


def test_language_change_mid_flow_asks_the_pending_question_again() -> None:
    dialogue = Dialogue(skills=[_Form()])
    conv = dialogue.handle(
        Conversation(channel="line", user_id="u"), msg(postback="reg:start")
    ).conv
    out = dialogue.handle(conv, msg(postback="lang:ja"))
    assert [r.text for r in out.replies] == [t("language.changed", "ja"), t("help", "ja")]
    assert out.conv.flow == "reg:form" and out.conv.lang == "ja"
