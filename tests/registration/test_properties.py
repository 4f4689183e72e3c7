"""Property tests: any sequence of texts and button presses never breaks the conversation."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete

from assembly.features import registration_skill
from bot.dialogue import Dialogue
from core.db import init_db, make_engine
from core.i18n import catalogue
from core.settings import Settings
from language.detect import detect
from matching.models import Company, CompanyMember
from tests.registration.driver import Driver, button_data
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS

_users = itertools.count()

SCRIPT_TEXTS = sorted(
    {
        v
        for s in (*THAI_SME_SCRIPTS.values(), *JAPAN_FIRM_SCRIPTS.values())
        for k, v in s
        if k == "text"
    }
)
COMMANDS = [
    "back", "cancel", "skip", "done", "menu", "help", "language", "change language", "1", "2", "3", "12",
    "ย้อนกลับ", "ยกเลิก", "ข้าม", "เสร็จแล้ว", "เมนู", "เปลี่ยนภาษา", "ลบข้อมูลของฉัน", "แก้ไขเบอร์โทร",
    "戻る", "キャンセル", "スキップ", "完了", "メニュー", "言語を変更", "データを削除", "電話番号を変更",
    "delete my data", "edit phone", "edit 3", "my profile", "register", "yes", "no", "はい", "ใช่", "confirm",
    "resume", "start over", "ทำต่อ", "最初から", "join ABCD-2345", "参加 ZZZZ9999",
]  # fmt: skip
ODD_DATA = [
    "reg:start", "reg:profile", "reg:form:th_sme", "reg:form:jp_firm", "reg:form:nope", "reg:resume",
    "reg:restart", "reg:o:name:0", "reg:o:partnership:99", "reg:o:consent:1", "reg:o:sector:x",
    "reg:done:partnership", "reg:skip:name", "reg:skip:name_en", "reg:back", "reg:cancel",
    "reg:cancel:yes", "reg:cancel:no", "reg:lang", "reg:lang:ja", "reg:lang:xx", "reg:edit:phone",
    "reg:edit:nothing", "reg:confirm", "reg:pedit:phone", "reg:pedit:consent", "reg:pedit:zzz",
    "reg:delete", "reg:delete:yes", "reg:delete:no", "reg:invite", "reg:join:yes", "reg:join:no",
    "reg:join:ABCD2345", "reg:", "reg", "menu", "lang:th", "lang:en", "help",
]  # fmt: skip
SCRIPTS = st.sampled_from(["thai", "japanese", "latin"])
ALPHABETS = {
    "thai": st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B),
    "japanese": st.characters(min_codepoint=0x3041, max_codepoint=0x30FA),
    "latin": st.characters(min_codepoint=0x20, max_codepoint=0x7E),
}
INTERNAL_ERRORS = set(catalogue()["error.internal"].values())


@st.composite
def free_text(draw: st.DrawFn) -> str:
    script = draw(SCRIPTS)
    return draw(st.text(alphabet=ALPHABETS[script], min_size=1, max_size=30))


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(Settings(data_dir=tmp_path_factory.mktemp("props")))
    init_db(engine)
    yield engine
    engine.dispose()


def _strip_user_words(text: str, typed: list[str]) -> str:
    """The reply without anything the user typed (answers are echoed in summaries)."""
    for source in sorted(typed, key=len, reverse=True):
        # whole words, and the items of a typed list ("ญี่ปุ่น, เวียดนาม"), which an
        # error message may quote one by one
        for token in re.split(r"[\s,、;]+", unicodedata.normalize("NFC", source)):
            if token:
                text = text.replace(token, " ")
    return text


def _check_turn(driver: Driver, typed: list[str]) -> None:
    outcome = driver.last
    assert outcome is not None
    assert outcome.replies, "every message gets a reply"
    lang = outcome.conv.lang
    for reply in outcome.replies:
        assert reply.text not in INTERNAL_ERRORS, "a skill raised"
        assert reply.lang == lang
        assert detect(_strip_user_words(reply.text, typed)) in (lang, None), reply.text
        for button in (*reply.buttons, *(b for c in reply.cards for b in c.buttons)):
            assert button.data.isascii() and len(button.data.encode()) < 64
    conv = driver.conv()
    assert driver.skill.problems(conv.data) == []
    json.dumps(conv.data)  # JSON only
    if conv.flow is not None:
        assert conv.flow.startswith("reg")


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), channel=st.sampled_from(["line", "telegram"]))
def test_any_sequence_of_messages_keeps_a_valid_state(
    shared_engine: Engine, data: st.DataObject, channel: str
) -> None:
    # Each example starts from an empty directory: the scripts share one registration
    # number, and a company left by an earlier example would change what is offered
    # (hypothesis needs examples that do not depend on each other).
    with Session(shared_engine) as session:
        session.exec(delete(CompanyMember))
        session.exec(delete(Company))
        session.commit()
    skill = registration_skill()
    driver = Driver(
        shared_engine,
        channel=channel,  # type: ignore[arg-type]
        user_id=f"P-{next(_users)}",
        dialogue=Dialogue(skills=[skill], fallbacks=[skill]),
    )
    driver.skill = skill
    typed: list[str] = []
    driver.press("reg:start")
    _check_turn(driver, typed)
    # Often start from somewhere deep in a real registration (the summary, a finished
    # profile), so random steps also exercise editing, confirming and erasing.
    if data.draw(st.booleans()):
        form = data.draw(st.sampled_from(["th_sme", "jp_firm"]))
        scripts = THAI_SME_SCRIPTS if form == "th_sme" else JAPAN_FIRM_SCRIPTS
        lang = data.draw(st.sampled_from(sorted(scripts)))
        script = scripts[lang]
        driver.press(f"lang:{lang}")
        driver.press(f"reg:form:{form}")
        for kind, value in script[: data.draw(st.integers(min_value=0, max_value=len(script)))]:
            if kind == "text":
                typed.append(value)
                driver.text(value)
            else:
                driver.press(value)
            _check_turn(driver, typed)
    for _ in range(data.draw(st.integers(min_value=1, max_value=30))):
        offered = button_data(driver.last.replies) if driver.last else []
        kind = data.draw(
            st.sampled_from(["offered", "offered", "script", "command", "free", "odd"])
        )
        if kind == "offered" and offered:
            driver.press(data.draw(st.sampled_from(offered)))
        elif kind == "odd":
            driver.press(data.draw(st.sampled_from(ODD_DATA)))
        else:
            if kind == "script":
                text = data.draw(st.sampled_from(SCRIPT_TEXTS))
            elif kind == "command":
                text = data.draw(st.sampled_from(COMMANDS))
            else:
                text = data.draw(free_text())
            if not text.strip():
                continue
            typed.append(text)
            driver.text(text)
        _check_turn(driver, typed)


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.one_of(free_text(), st.sampled_from(SCRIPT_TEXTS + COMMANDS)), max_size=40),
    form=st.sampled_from(["th_sme", "jp_firm"]),
    lang=st.sampled_from(["th", "ja", "en"]),
)
def test_engine_alone_never_leaves_an_invalid_state(texts: list[str], form: str, lang: str) -> None:
    engine = registration_skill().engine
    state = engine.new_state(form, lang)  # type: ignore[arg-type]
    for text in texts:
        if state["step"] is None:
            break
        reply = engine.submit_text(state, text, lang)  # type: ignore[arg-type]
        if reply is None:
            engine.advance(state)
        else:
            assert reply.lang == lang
            assert re.search(r"\(\d+/\d+\)|（\d+/\d+）", reply.text)  # the question is asked again
        assert engine.problems(state) == []
        json.dumps(state)
