"""Typed intents inside registration: questions, "edit <field>", "delete my data"."""

from __future__ import annotations

import pytest

from assembly.features import registration_skill
from core.types import Lang
from registration.forms.definitions import JAPAN_FIRM_FORM, THAI_SME_FORM
from registration.forms.engine import Form
from registration.words import looks_like_question

SKILL = registration_skill()


@pytest.mark.parametrize(
    "text",
    ["What is the SME fund?", "กองทุนพัฒนาเอสเอ็มอีกู้ได้ไหมคะ", "ดอกเบี้ยเท่าไหร่ครับ", "BOI の条件は何ですか",
     "申請はどこでできますか？", "How do I apply for the loan", "ต้องใช้เอกสารอะไรบ้าง?"],
)  # fmt: skip
def test_questions(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    ["บริษัท สยามพลาสติก จำกัด", "Siam Plastic Parts Co., Ltd.", "株式会社テスト金型", "081-234-5678", "yes",
     "Injection-moulded plastic parts for cars", "ISO 9001, IATF 16949", "80 million", "ลูกค้า, รับจ้างผลิต"],
)  # fmt: skip
def test_answers_are_not_questions(text: str) -> None:
    assert not looks_like_question(text)


@pytest.mark.parametrize(
    ("text", "form", "lang", "field"),
    [
        ("edit phone", THAI_SME_FORM, "en", "phone"),
        ("change my email", THAI_SME_FORM, "en", "email"),
        ("Edit employees", THAI_SME_FORM, "en", "employees"),
        ("แก้ไขเบอร์โทร", THAI_SME_FORM, "th", "phone"),
        ("เปลี่ยนจังหวัด", THAI_SME_FORM, "th", "province"),
        ("แก้ไขรายได้", THAI_SME_FORM, "th", "revenue"),
        ("電話番号を変更", JAPAN_FIRM_FORM, "ja", "phone"),
        ("メールアドレスを修正したい", JAPAN_FIRM_FORM, "ja", "email"),
        ("変更 従業員数", JAPAN_FIRM_FORM, "ja", "employees"),
        ("edit corporate number", JAPAN_FIRM_FORM, "en", "corporate_number"),
        ("edit prefecture", JAPAN_FIRM_FORM, "en", "prefecture"),
    ],
)
def test_edit_targets(text: str, form: Form, lang: Lang, field: str) -> None:
    assert SKILL._edit_target(text, form, lang) == field


def test_edit_target_needs_a_verb_outside_a_summary() -> None:
    assert SKILL._edit_target("phone", THAI_SME_FORM, "en") is None
    assert SKILL._edit_target("phone", THAI_SME_FORM, "en", allow_bare=True, answers={}) == "phone"
    assert SKILL._edit_target("edit banana", THAI_SME_FORM, "en") is None
    answers = {"name": "x", "name_en": None}
    assert (
        SKILL._edit_target("2", THAI_SME_FORM, "en", allow_bare=True, answers=answers) == "name_en"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("delete my data", True), ("Please delete my data", True), ("ลบข้อมูลของฉัน", True), ("ลบข้อมูล", True),
     ("データを削除", True), ("私のデータを削除してください", True), ("個人情報を削除したい", True),
     ("delete", False), ("data", False), ("ข้อมูลบริษัท", False), ("削除", False)],
)  # fmt: skip
def test_delete_requests(text: str, expected: bool) -> None:
    assert SKILL._is_delete_request(text) is expected
