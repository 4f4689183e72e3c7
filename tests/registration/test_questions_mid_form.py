"""A question typed in the middle of a form is answered, and the step is asked again: the
form keeps its place and its answers; an answer that only ends like a question is taken."""

from __future__ import annotations

from typing import Literal

from assembly.features import registration_skill
from bot.dialogue import Dialogue
from core.i18n import t
from language.intents import IntentMatch
from tests.registration.driver import Driver, texts
from tests.registration.test_happy_paths import THAI_SME_SCRIPTS, _start


class _Answerer:
    """Stands in for the knowledge answerer: records the questions it was given."""

    name = "kb"

    def __init__(self) -> None:
        self.questions: list[str] = []

    def on_postback(self, turn, data: str) -> bool:
        return False

    def on_text(self, turn) -> bool:
        return False

    def reask(self, turn) -> bool:
        return False

    def takes_answer(self, turn, text: str) -> bool:
        return False

    def on_free_text(self, turn) -> bool:
        self.questions.append(turn.msg.text)
        turn.say("coming_soon")
        return True


def _driver_with_answerer(
    db_engine, user_id: str, channel: Literal["line", "telegram"] = "line"
) -> tuple[Driver, _Answerer]:
    answerer = _Answerer()
    skill = registration_skill()
    driver = Driver(
        db_engine,
        channel=channel,
        user_id=user_id,
        dialogue=Dialogue(skills=[skill], fallbacks=[skill, answerer]),
    )
    driver.skill = skill
    return driver, answerer


def test_a_question_mid_form_is_answered_and_the_step_asked_again(db_engine) -> None:
    driver, answerer = _driver_with_answerer(db_engine, "U-question")
    _start(driver, "th", "th_sme")
    for kind, value in THAI_SME_SCRIPTS["th"][:11]:  # up to the employee count
        driver.text(value) if kind == "text" else driver.press(value)
    assert driver.reg_state()["draft"]["step"] == "employees"
    before = dict(driver.reg_state()["draft"]["answers"])

    replies = driver.text("ดอกเบี้ยกองทุนเท่าไหร่ครับ")  # "what is the fund's interest?"
    assert answerer.questions == ["ดอกเบี้ยกองทุนเท่าไหร่ครับ"]
    # the answer first, then the same step again with a word that the answers are kept
    assert replies[0].text == t("coming_soon", "th")  # what the answerer said
    assert "กลับมาที่การลงทะเบียนต่อ" in replies[-1].text
    assert "พนักงาน" in replies[-1].text
    assert "พักการลงทะเบียน" not in texts(replies)
    assert driver.conv().flow == "reg"
    state = driver.reg_state()
    assert state["stage"] == "form" and state["draft"]["step"] == "employees"
    assert state["draft"]["answers"] == before

    # the next message is the answer to the same step
    driver.text("๑๒๐")
    state = driver.reg_state()
    assert state["draft"]["answers"]["employees"] == 120
    assert state["draft"]["step"] == "revenue"


def test_an_answer_that_ends_like_a_question_is_still_an_answer(db_engine) -> None:
    driver, answerer = _driver_with_answerer(db_engine, "U-answer-q")
    _start(driver, "th", "th_sme")
    for kind, value in THAI_SME_SCRIPTS["th"][:11]:
        driver.text(value) if kind == "text" else driver.press(value)
    driver.text("120 คน?")  # unsure, but a valid count: taken, not sent to the answerer
    assert answerer.questions == []
    assert driver.reg_state()["draft"]["answers"]["employees"] == 120


def test_a_short_japanese_question_mid_form_keeps_the_form(db_engine) -> None:
    driver, answerer = _driver_with_answerer(db_engine, "T-question", channel="telegram")
    _start(driver, "ja", "jp_firm")
    driver.text("株式会社質問")
    step = driver.reg_state()["draft"]["step"]
    replies = driver.text("金利は？")
    assert answerer.questions == ["金利は？"]
    assert "登録の続きです" in replies[-1].text
    state = driver.reg_state()
    assert state["draft"]["step"] == step
    assert state["draft"]["answers"]["name"] == "株式会社質問"
    assert driver.conv().flow == "reg"


class _GuessesMenu:
    """An intent reader that guesses "menu" (confidence 0.6) for a few texts."""

    TEXTS = frozenset({"ลูกค้า, รับจ้างผลิต", "ไม่รู้สิ"})

    def classify(self, text: str, *, context: str = "idle") -> IntentMatch | None:
        return IntentMatch("menu", 0.6) if text in self.TEXTS else None

    def form_command(self, text: str) -> str | None:
        return None


def test_a_clean_answer_to_a_choice_step_is_kept_whatever_intent_is_guessed(db_engine) -> None:
    skill = registration_skill()
    driver = Driver(
        db_engine,
        channel="line",
        user_id="U-guess",
        dialogue=Dialogue(skills=[skill], intents=_GuessesMenu()),
    )
    driver.skill = skill
    _start(driver, "th", "th_sme")
    for kind, value in THAI_SME_SCRIPTS["th"][:5]:  # up to the partnership choice
        driver.text(value) if kind == "text" else driver.press(value)
    assert driver.reg_state()["draft"]["step"] == "partnership"
    driver.text("ลูกค้า, รับจ้างผลิต")  # both are options of this step: an answer, not "menu"
    assert driver.conv().flow == "reg"
    assert driver.reg_state()["draft"]["pending"] == ["buyer", "oem"]
    driver.text("ไม่รู้สิ")  # not an option: the guessed intent wins and the menu pauses the form
    assert driver.conv().flow is None
