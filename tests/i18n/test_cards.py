"""Profile cards: structured summary in the reader's language first, then the company's
own words labelled (or translated by the optional translator); the translator's wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembly.features import translator
from language.translate import ChatTranslator
from matching.intro_cards import profile_card
from matching.models import Company
from matching.strength import strength
from tests.helpers import make_settings
from tests.i18n.test_translate import FakeModel

THAI = Company(
    ref="TH-1",
    country="TH",
    name="บริษัท ชลบุรีแม่พิมพ์ จำกัด",
    name_en="Chonburi Mould Co., Ltd.",
    sector="25",
    offers="แม่พิมพ์ปั๊มโลหะสำหรับชิ้นส่วนรถยนต์",
    seeks="ลูกค้าญี่ปุ่น",
    partnership=["supplier", "oem"],
    certifications=["ISO 9001", "Halal"],
    employees=1200,
    location="Chonburi",
)


def test_a_japanese_reader_sees_the_thai_company_in_japanese() -> None:
    card = profile_card(THAI, "ja")
    assert card.title == "Chonburi Mould Co., Ltd."
    assert card.subtitle == "タイ・金属製品製造業・チョンブリー"
    lines = card.body.splitlines()
    assert lines[0] == "取得認証：ISO 9001、ハラール"
    assert lines[1] == "従業員数：1,200名"
    assert lines[2].startswith("希望する提携：") and "、" in lines[2]
    assert lines[3] == "提供内容：แม่พิมพ์ปั๊มโลหะสำหรับชิ้นส่วนรถยนต์（タイ語の原文）"


def test_a_thai_reader_sees_it_in_thai_and_with_a_translator_the_japanese_reader_too() -> None:
    card = profile_card(THAI, "th")
    assert card.title == THAI.name
    assert card.subtitle == "ไทย · การผลิตผลิตภัณฑ์โลหะประดิษฐ์ · ชลบุรี"
    assert "ภาษา" not in card.body  # their own language: no label
    model = FakeModel(answer="自動車部品用の金属プレス金型")
    translated = profile_card(THAI, "ja", translator=ChatTranslator(model))
    assert "提供内容：自動車部品用の金属プレス金型（タイ語からの機械翻訳）" in translated.body
    assert len(model.prompts) == 2  # offers and seeks, once each


def test_strength_labels() -> None:
    assert [strength(s) for s in (0.8, 0.65, 0.3)] == ["very_good", "good", "possible"]


def test_the_translator_is_built_only_when_configured(tmp_path: Path) -> None:
    assert translator(make_settings(tmp_path)) is None
    with pytest.raises(ValueError, match="KAKEHASHI_LLM must look like"):
        translator(make_settings(tmp_path, translator="not-a-model"))
