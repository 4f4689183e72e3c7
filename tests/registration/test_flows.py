"""Resume after restart, back/cancel/language mid-form, edit one field, delete my data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text as sql
from sqlmodel import Session, SQLModel, select

from assembly.features import registration_skill
from bot.dialogue import Dialogue
from core.db import make_engine
from core.settings import Settings
from core.state import load_conversation
from core.turn import Services, Turn
from core.types import IncomingMessage, Kind, Location
from matching.models import Company, CompanyMember
from tests.registration.driver import Driver, button_data, texts
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS, _start


def _with_fallback(engine, **kwargs: Any) -> Driver:
    """A driver whose dialogue also lets the skill see free text outside a flow."""
    skill = registration_skill()
    driver = Driver(engine, dialogue=Dialogue(skills=[skill], fallbacks=[skill]), **kwargs)
    driver.skill = skill
    return driver


def _register_thai(driver: Driver, lang: str = "en") -> Company:
    _start(driver, lang, "th_sme")
    for kind, value in THAI_SME_SCRIPTS[lang]:
        driver.text(value) if kind == "text" else driver.press(value)
    with Session(driver.engine) as session:
        return session.exec(select(Company)).one()


def _company(engine) -> Company:
    with Session(engine) as session:
        return session.exec(select(Company)).one()


def test_resume_after_restart(db_engine, tmp_path) -> None:
    first = Driver(db_engine, channel="line", user_id="U-restart")
    _start(first, "th", "th_sme")
    script = THAI_SME_SCRIPTS["th"]
    for kind, value in script[:6]:  # up to the partner types, mid-way through a multi-choice
        first.text(value) if kind == "text" else first.press(value)
    saved = first.reg_state()
    assert saved["draft"]["answers"]["sector"] == "22"
    assert saved["draft"]["pending"] == ["buyer", "oem"]
    db_engine.dispose()

    # a new process: new engine on the same database file, new dialogue and skill
    engine = make_engine(Settings(data_dir=tmp_path))
    second = Driver(engine, channel="line", user_id="U-restart")
    replies = second.press("reg:start")
    assert "reg:resume" in button_data(replies) and "reg:restart" in button_data(replies)
    assert "5" in texts(replies)  # five answers so far
    replies = second.press("reg:resume")
    assert "คุณกำลังมองหาพันธมิตรแบบไหนครับ" in texts(replies)
    assert "ผู้ซื้อ/ลูกค้า และ รับจ้างผลิต/OEM" in texts(replies)  # the selection survived
    for kind, value in script[6:]:
        second.text(value) if kind == "text" else second.press(value)
    company = _company(engine)
    assert company.partnership == ["buyer", "oem"]
    assert company.phone == "+66812345678"
    engine.dispose()


def test_leaving_for_the_menu_and_coming_back(db_engine) -> None:
    driver = Driver(db_engine, channel="telegram", user_id="T-menu")
    _start(driver, "ja", "jp_firm")
    driver.text("株式会社メニュー")
    replies = driver.press("menu")  # the main menu mid-form
    assert "reg:start" in button_data(replies)
    driver.press("help")
    replies = driver.press("reg:start")
    assert "reg:resume" in button_data(replies)
    replies = driver.press("reg:resume")
    assert "英文社名" in texts(replies)  # the optional English name comes next
    replies = driver.press("reg:skip:name_en")
    assert "法人番号（13桁）" in texts(replies)
    # starting over forgets the answers
    driver.press("reg:start")
    replies = driver.press("reg:restart")
    assert "reg:form:jp_firm" in button_data(replies)
    assert driver.reg_state()["draft"] is None


def test_invalid_answers_are_explained_in_the_users_language(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-invalid")
    _start(driver, "th", "th_sme")
    driver.text("บริษัท ทดสอบ จำกัด")
    driver.press("reg:skip:name_en")
    replies = driver.text("0105536003772")
    assert "หลักตรวจสอบไม่ตรง" in texts(replies)
    assert "เลขทะเบียนนิติบุคคล 13 หลัก" in texts(replies)  # the same question again
    replies = driver.text("12345")
    assert "ได้รับ 5 หลัก" in texts(replies)
    assert driver.reg_state()["draft"]["step"] == "registration_number"
    driver.text("0105536003771")
    assert driver.reg_state()["draft"]["step"] == "sector"


def test_back_skip_cancel_and_language_at_any_step(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-nav")
    _start(driver, "th", "th_sme")
    replies = driver.text("ย้อนกลับ")
    assert "คำถามแรกแล้ว" in texts(replies)
    driver.text("บริษัท ทดสอบ จำกัด")
    driver.text("ข้าม")  # typed skip on the optional English name
    assert driver.reg_state()["draft"]["answers"]["name_en"] is None
    replies = driver.text("กลับ")
    assert driver.reg_state()["draft"]["step"] == "name_en"
    replies = driver.press("reg:back")
    assert "คำตอบปัจจุบัน: บริษัท ทดสอบ จำกัด" in texts(replies)
    # change language in the middle: the same question comes back in Japanese
    replies = driver.press("reg:lang")
    assert "reg:lang:ja" in button_data(replies)
    replies = driver.press("reg:lang:ja")
    assert all(r.lang == "ja" for r in replies)
    assert "貴社名（タイ語表記）" in texts(replies)
    # the typed command works too
    replies = driver.text("言語を変更")
    assert "reg:lang:en" in button_data(replies)
    replies = driver.press("reg:lang:en")
    assert "What is your company's name (in Thai)?" in texts(replies)
    # cancel asks first, then discards
    replies = driver.text("cancel")
    assert "reg:cancel:yes" in button_data(replies)
    replies = driver.press("reg:cancel:no")
    assert "What is your company's name (in Thai)?" in texts(replies)
    driver.press("reg:cancel")
    replies = driver.press("reg:cancel:yes")
    assert "Nothing was stored" in texts(replies)
    assert driver.conv().flow is None
    assert driver.reg_state()["draft"] is None


def test_form_language_is_kept_when_an_answer_is_in_another_script(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-script")
    _start(driver, "th", "th_sme")
    replies = driver.text("Siam Test Co., Ltd.")  # an English name typed in a Thai form
    assert all(r.lang == "th" for r in replies)
    assert "ชื่อภาษาอังกฤษ" in texts(replies)


def test_stale_button_asks_the_current_question_again(db_engine) -> None:
    driver = Driver(db_engine, channel="telegram", user_id="T-stale")
    _start(driver, "en", "jp_firm")
    replies = driver.press("reg:o:consent:0")  # a consent button before its time
    assert "earlier question" in texts(replies)
    assert driver.reg_state()["draft"]["answers"] == {}
    assert "What is your company's name?" in texts(replies)


def test_summary_edit_button_changes_one_answer(db_engine) -> None:
    driver = Driver(db_engine, channel="telegram", user_id="T-sum")
    _start(driver, "en", "jp_firm")
    script = JAPAN_FIRM_SCRIPTS["en"]
    for kind, value in script[:-1]:  # stop at the summary
        driver.text(value) if kind == "text" else driver.press(value)
    replies = driver.last.replies  # type: ignore[union-attr]
    assert "reg:edit:employees" in button_data(replies)
    assert "reg:confirm" in button_data(replies)
    replies = driver.press("reg:edit:employees")
    assert "Current answer: 350 people" in texts(replies)
    replies = driver.text("1,200")
    assert "Please check your details." in texts(replies)  # straight back to the summary
    # typed "edit phone" on the summary
    replies = driver.text("edit phone")
    assert "contact phone number" in texts(replies)
    driver.text("090-1234-5678")
    # switching the Thai base off drops its location
    driver.press("reg:edit:thai_base")
    driver.text("no")
    driver.press("reg:confirm")
    company = _company(db_engine)
    assert company.employees == 1200
    assert company.phone == "+819012345678"
    assert company.thai_base is None and company.extra["thai_base"] == "no"


def test_profile_view_and_edit_one_field(db_engine) -> None:
    driver = _with_fallback(db_engine, channel="line", user_id="U-edit")
    before = _register_thai(driver, "en")
    replies = driver.press("reg:profile")
    shown = texts(replies)
    assert before.ref in shown and "+66812345678" in shown and "small enterprise" in shown
    assert "reg:pedit:phone" in button_data(replies) and "reg:delete" in button_data(replies)

    # by button
    driver.press("reg:pedit:phone")
    replies = driver.text("02-123-4567")
    assert "+6621234567" in texts(replies)
    after = _company(db_engine)
    assert after.phone == "+6621234567"
    assert after.updated_at > before.updated_at
    for column in (
        "name",
        "email",
        "employees",
        "sector",
        "partnership",
        "location",
        "consent_at",
        "ref",
    ):
        assert getattr(after, column) == getattr(before, column), column

    # typed in Japanese outside any flow (the user chose English, so the bot stays English);
    # an invalid answer first
    replies = driver.text("従業員数を変更")
    assert "How many employees" in texts(replies)
    replies = driver.text("many")
    assert "Please answer with a number" in texts(replies)
    driver.text("30")
    after = _company(db_engine)
    assert after.employees == 30
    assert after.size_class == "small"  # recomputed: 30 employees, 80 M baht manufacturing
    # typed in Thai while looking at the profile
    driver.press("reg:profile")
    driver.text("แก้ไขอีเมล")
    driver.text("new@siamplastic.co.th")
    assert _company(db_engine).email == "new@siamplastic.co.th"
    # back out of an edit without changing anything
    driver.press("reg:pedit:province")
    replies = driver.press("reg:back")
    assert _company(db_engine).location == "Chonburi"
    assert driver.conv().flow == "reg"  # showing the profile again


def test_registered_user_pressing_register_sees_their_profile_option(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-again")
    company = _register_thai(driver, "th")
    replies = driver.press("reg:start")
    assert company.name in texts(replies)
    assert "reg:profile" in button_data(replies)
    replies = driver.press("reg:form:th_sme")  # an old button: still no second company
    with Session(db_engine) as session:
        assert len(list(session.exec(select(Company)))) == 1


def _all_rows(engine) -> str:
    dump = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sql(f'SELECT * FROM "{table.name}"')):
                dump.append(f"{table.name}: {tuple(row)}")
    return "\n".join(dump)


def test_delete_my_data_leaves_nothing_personal(db_engine) -> None:
    driver = _with_fallback(db_engine, channel="line", user_id="U-delete-me")
    company = _register_thai(driver, "th")
    # someone else's data stays
    other = Driver(db_engine, channel="telegram", user_id="T-other")
    _start(other, "ja", "jp_firm")
    for kind, value in JAPAN_FIRM_SCRIPTS["ja"]:
        other.text(value) if kind == "text" else other.press(value)

    personal: list[str | None] = [company.name, company.name_en, company.phone, company.email, company.contact_person,
                company.registration_number, "U-delete-me", "0812345678", "081-234-5678"]  # fmt: skip
    before = _all_rows(db_engine)
    assert all(p and p in before for p in personal[:7])

    replies = driver.text("ลบข้อมูลของฉัน")
    assert company.name in texts(replies)
    assert "reg:delete:yes" in button_data(replies)
    replies = driver.press("reg:delete:yes")
    told = texts(replies)
    assert company.ref in told and "ข้อมูลบริษัทของคุณ" in told and "ประวัติการสนทนา" in told
    assert company.name not in told  # this reply is stored in the outbox after the erasure

    after = _all_rows(db_engine)
    for item in personal:
        assert item is not None
        assert item not in after, item
    with Session(db_engine) as session:
        assert [c.ref for c in session.exec(select(Company))] == [
            c.ref for c in session.exec(select(Company).where(Company.country == "JP"))
        ]
        assert [m.user_id for m in session.exec(select(CompanyMember))] == ["T-other"]
    # the user can start again from scratch
    replies = driver.press("reg:profile")
    assert "reg:start" in button_data(replies)


def test_delete_can_be_declined_and_works_from_the_profile_button(db_engine) -> None:
    driver = _with_fallback(db_engine, channel="telegram", user_id="T-del")
    _start(driver, "en", "jp_firm")
    for kind, value in JAPAN_FIRM_SCRIPTS["en"]:
        driver.text(value) if kind == "text" else driver.press(value)
    driver.press("reg:profile")
    replies = driver.press("reg:delete")
    assert "cannot be undone" in texts(replies)
    replies = driver.press("reg:delete:no")
    assert "Your company profile" in texts(replies)
    assert _company(db_engine).name == "Test Kanagata Co., Ltd."
    driver.text("delete my data")
    driver.text("yes")
    with Session(db_engine) as session:
        assert list(session.exec(select(Company))) == []
        assert list(session.exec(select(CompanyMember))) == []


def test_delete_mid_form_erases_the_draft(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-draft")
    _start(driver, "en", "th_sme")
    driver.text("Secret Co")
    replies = driver.text("delete my data")
    assert "reg:delete:yes" in button_data(replies)
    replies = driver.press("reg:delete:yes")
    assert "there was no registered company profile" in texts(replies)
    assert "Secret Co" not in _all_rows(db_engine)


def _turn(driver: Driver, session: Session, text: str) -> Turn:
    conv = load_conversation(session, channel=driver.channel, user_id=driver.user_id)
    msg = IncomingMessage(channel=driver.channel, event_id="x", user_id=driver.user_id, chat_id=driver.user_id,
                          kind=Kind.TEXT, timestamp=driver.timestamp, text=text)  # fmt: skip
    return Turn(conv=conv, msg=msg, lang=conv.lang or "th", services=Services(), session=session)


def test_reask_hook_for_the_dialogue_manager(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-reask")
    _start(driver, "th", "th_sme")
    driver.text("บริษัท ทดสอบ จำกัด")
    driver.press("menu")
    with Session(db_engine) as session:
        turn = _turn(driver, session, "")
        assert driver.skill.reask(turn)
        assert "ชื่อภาษาอังกฤษ" in texts(turn.replies)
        assert turn.conv.flow == "reg"


def test_free_text_hook_leaves_ordinary_questions_alone(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-free")
    _register_thai(driver, "th")
    with Session(db_engine) as session:
        for text in ("กองทุน SME คืออะไร", "What is J-GoodTech?", "phone"):
            turn = _turn(driver, session, text)
            assert not driver.skill.on_free_text(turn), text
            assert turn.replies == []
        turn = _turn(driver, session, "แก้ไขเบอร์โทร")
        assert driver.skill.on_free_text(turn)
        assert "เบอร์โทรติดต่อ" in texts(turn.replies)


def test_profile_edit_that_switches_on_a_question_asks_it(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-other-cert")
    _register_thai(driver, "en")
    driver.press("reg:pedit:certifications")
    driver.press("reg:o:certifications:9")  # "Other"
    replies = driver.press("reg:done:certifications")
    assert "Which other certifications?" in texts(replies)
    driver.text("TIS 2134, GHP")
    company = _company(db_engine)
    assert company.certifications == ["ISO 9001", "IATF 16949", "TIS 2134", "GHP"]
    assert company.extra["certifications_other"] == "TIS 2134, GHP"


def test_a_shared_location_answers_the_province_question(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-loc")
    _start(driver, "en", "th_sme")
    for kind, value in THAI_SME_SCRIPTS["en"][:13]:
        driver.text(value) if kind == "text" else driver.press(value)
    assert driver.reg_state()["draft"]["step"] == "province"
    msg = driver._msg(
        kind=Kind.LOCATION,
        location=Location(
            latitude=13.1, longitude=100.9, address="Bang Lamung, Chon Buri 20150, Thailand"
        ),
    )
    replies = driver.run(msg)
    assert driver.reg_state()["draft"]["answers"]["province"] == "Chonburi"
    assert "Province: Chonburi" in texts(replies)


def _invite_code(replies: list) -> str:
    match = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", texts(replies))
    assert match, texts(replies)
    return match.group(1)


def test_a_second_chat_account_joins_with_a_one_time_code(db_engine) -> None:
    owner = _with_fallback(db_engine, channel="line", user_id="U-owner")
    company = _register_thai(owner, "th")
    owner.press("reg:profile")
    code = _invite_code(owner.press("reg:invite"))
    with Session(db_engine) as session:
        stored = session.get(Company, company.id)
        assert stored is not None
        assert code not in str(stored.extra)  # only its hash is kept

    colleague = _with_fallback(db_engine, channel="telegram", user_id="T-colleague")
    replies = colleague.text(f"join {code.lower().replace('-', '')}")
    assert company.name in texts(replies) and "reg:join:yes" in button_data(replies)
    replies = colleague.press("reg:join:yes")
    with Session(db_engine) as session:
        members = sorted((m.channel, m.user_id) for m in session.exec(select(CompanyMember)))
    assert members == [("line", "U-owner"), ("telegram", "T-colleague")]
    replies = colleague.press("reg:profile")
    assert company.ref in texts(replies)

    # the code works once
    third = _with_fallback(db_engine, channel="telegram", user_id="T-third")
    replies = third.text(f"参加 {code}")
    assert "無効" in texts(replies)
    # a linked account cannot join again
    replies = colleague.text(f"join {code}")
    assert company.name in texts(replies)

    # an expired code is refused
    code2 = _invite_code(owner.press("reg:invite"))
    third.timestamp = third.timestamp + timedelta(hours=25)
    replies = third.text(f"join {code2}")
    assert "無効" in texts(replies) or "not valid" in texts(replies)

    # erasure by one member removes every link
    colleague.text("delete my data")
    colleague.press("reg:delete:yes")
    with Session(db_engine) as session:
        assert list(session.exec(select(CompanyMember))) == []
        assert list(session.exec(select(Company))) == []


def test_join_can_be_declined(db_engine) -> None:
    owner = Driver(db_engine, channel="line", user_id="U-own2")
    _register_thai(owner, "en")
    code = _invite_code(owner.press("reg:invite"))
    other = _with_fallback(db_engine, channel="line", user_id="U-other2")
    other.text(f"join {code}")
    replies = other.text("no")
    assert "not linked" in texts(replies) or "ไม่ได้เชื่อมบัญชี" in texts(replies)
    with Session(db_engine) as session:
        assert [m.user_id for m in session.exec(select(CompanyMember))] == ["U-own2"]


def test_an_old_form_button_does_not_throw_away_a_draft(db_engine) -> None:
    driver = Driver(db_engine, channel="line", user_id="U-oldbutton")
    _start(driver, "en", "th_sme")
    driver.text("Draft Co")
    replies = driver.press("reg:form:jp_firm")
    assert "reg:resume" in button_data(replies)
    assert driver.reg_state()["draft"]["answers"]["name"] == "Draft Co"
