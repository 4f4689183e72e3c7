"""Rules from the December 2026 development round: names and aliases people write, values
a question states rather than asks, amounts that name a fund, and banks or agencies no
document covers (each test fails without the rule it names)."""

from __future__ import annotations

from knowledge.cues import places_in
from knowledge.extract import Extractor, Rarity, build_cues
from knowledge.service import KnowledgeService
from knowledge.skill import render_answer
from language.tokenize import get_tokenizer


def _extractor() -> Extractor:
    tokenizer = get_tokenizer()
    return Extractor(tokenizer, build_cues(tokenizer))


def _kinds(extractor: Extractor, question: str) -> set[str]:
    return {k.name for k in extractor.cues.kinds_of(question)}


def _shown(service: KnowledgeService, question: str, lang: str) -> str:
    return render_answer(service.answer(question, lang=lang), lang)  # type: ignore[arg-type]


def test_a_name_found_as_written_is_cut_out_before_the_rest_is_read() -> None:
    extractor = _extractor()
    frequency = {"กองทุน": 3}
    rarity = Rarity(frequency, 10)
    # "ของกสอ." would be cut into "งก" and "สอ", words no document uses
    assert extractor.novelty("กองทุนของกสอ.", rarity, frequency) == 0.0


def test_a_name_counts_as_its_concept_and_is_searched_in_its_other_spellings() -> None:
    extractor = _extractor()
    terms = extractor.question_terms("เจโทรเซ็น MOU กับ กสอ.")
    assert {"@jetro", "@dip"} <= terms
    assert not {"เจ", "โทร"} & terms
    assert {"jetro", "dip"} <= set(extractor.expansion("เจโทรกับ กสอ.", names_only=True))
    # no name: nothing to search again in the question's own language
    assert extractor.expansion("ดอกเบี้ยเท่าไหร่", names_only=True) == []


def test_a_question_word_matches_a_document_saying_it_in_other_words() -> None:
    extractor = _extractor()
    text = "ได้ลงนามบันทึกความร่วมมือ"
    assert "mou" in extractor.unit_terms(text)
    assert "mou" not in extractor.terms(text)


def test_a_name_spelled_another_way_finds_its_document(starter_service: KnowledgeService) -> None:
    # the Thai document writes "JETRO"; the owner writes "เจโทร" and "กสอ."
    assert "7 มิถุนายน 2561" in _shown(starter_service, "เจโทรเซ็นกับ กสอ. ปีไหน", "th")


def test_the_document_naming_every_body_asked_about_answers(
    starter_service: KnowledgeService,
) -> None:
    # not the SMRJ–DIP memorandum's three areas: JETRO is not named there
    shown = _shown(starter_service, "Does the JETRO-DIP agreement cover health?", "en")
    assert "Health." in shown


def test_a_value_the_question_states_is_not_asked() -> None:
    extractor = _extractor()
    kinds = _kinds(extractor, "กู้กับ กสอ. ไม่ต้องค้ำ เริ่มปล่อยกู้วันไหน")
    assert "collateral" not in kinds and "deadline" in kinds
    kinds = _kinds(extractor, "กองทุนดอกเบี้ยถูก ติดบูโรกู้ได้มั้ย")
    assert "interest" not in kinds and "eligibility" in kinds
    assert "collateral" in _kinds(extractor, "ต้องมีคนค้ำมั้ย")
    # the only kind asked stays asked
    assert _kinds(extractor, "ไม่ต้องค้ำใช่มั้ย") == {"collateral"}


def test_an_amount_naming_the_fund_does_not_answer_another_kind(
    starter_service: KnowledgeService,
) -> None:
    # not the sentence giving the fund's size, 20,000 ล้าน
    shown = _shown(starter_service, "กองทุน 2 หมื่นล้านของกรมส่งเสริมฯ ต้องมีหลักทรัพย์ค้ำไหม", "th")
    assert "ไม่ต้องใช้หลักประกัน" in shown


def test_a_bank_or_agency_no_document_covers_is_not_answered_for(
    starter_service: KnowledgeService,
) -> None:
    assert places_in("GSB SME loan interest rate?") == {"gsb"}
    assert places_in("บสย.ค้ำประกันสินเชื่อ") == {"tcg"}
    assert places_in("日本政策金融公庫の融資") == {"jfc"}
    assert places_in("a subscription fee") == frozenset()
    for question, lang in (
        ("GSB SME loan interest rate?", "en"),
        ("ธนาคารกสิกรปล่อยกู้ sme ดอกเบี้ยเท่าไหร่", "th"),
    ):
        assert not starter_service.answer(question, lang=lang).confident, question


def test_aliases_and_cues_people_write() -> None:
    extractor = _extractor()
    assert "@dip" in extractor.terms("ของ กสอ.")
    assert "@meti" in extractor.terms("経産省との合意")
    assert "@basis" in extractor.terms("TSIC อิงตามอะไร")
    assert "@basis" in extractor.terms("อ้างอิงตาม ISIC Rev.4")
    assert "@repay" in extractor.terms("ระยะเวลากู้สูงสุด 3 ปี")
    assert "@npl" in extractor.terms("ติด npl อยู่")
    assert "@agreement" in extractor.terms("บันทึกความร่วมมือ")
    assert "eligibility" in _kinds(extractor, "業歴何年必要？")
    # "ได้กี่" (how much can) is part of "ได้กี่ปี" (how many years)
    assert "amount" not in _kinds(extractor, "ผ่อนได้กี่ปี")
