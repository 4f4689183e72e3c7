from __future__ import annotations

import pytest

from knowledge.service import KnowledgeService


@pytest.mark.parametrize(
    ("lang", "question", "topic"),
    [
        ("th", "กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่", "pracharat-fund"),
        ("th", "BOI ส่งเสริม SME ต้องลงทุนขั้นต่ำเท่าไหร่", "boi-sme-measures"),
        ("ja", "プラチャラット基金の金利は何パーセントですか", "pracharat-fund"),
        ("ja", "J-GoodTechの会員はどれくらいいますか", "j-goodtech"),
        ("en", "What is J-GoodTech?", "j-goodtech"),
        ("en", "What counts as a small business in Thailand?", "osmep-sme-definition"),
    ],
)
def test_answers_come_from_the_right_topic_in_the_users_language(
    starter_service: KnowledgeService, lang: str, question: str, topic: str
) -> None:
    answer = starter_service.answer(question)
    assert answer.lang == lang  # detected from the script
    assert answer.confident
    assert answer.passages[0].topic == topic
    assert answer.passages[0].lang == lang  # the user's language is preferred
    assert answer.text.startswith(answer.passages[0].text) or answer.passages[0].text in answer.text
    source = answer.sources[0]
    assert source.title == answer.passages[0].title
    assert source.as_of and source.source


def test_the_answer_quotes_the_section_that_holds_the_fact(
    starter_service: KnowledgeService,
) -> None:
    answer = starter_service.answer("กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่")
    assert "10 ล้านบาท" in answer.text
    answer = starter_service.answer("what's the interest rate on the 2024 Thai SME Fund loans")
    assert "5–7%" in answer.text


def test_english_question_can_be_answered_in_thai_when_asked(
    starter_service: KnowledgeService,
) -> None:
    answer = starter_service.answer("What is J-GoodTech?", lang="th")
    assert answer.lang == "th"
    assert answer.passages[0].topic == "j-goodtech"
    assert answer.passages[0].lang == "th"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("กองทุนประชารัฐเริ่มปล่อยกู้ที่จังหวัดไหนเป็นแห่งแรก", "pracharat-fund"),
        ("บริษัทญี่ปุ่นในประเทศไทยมีกี่บริษัท", "japanese-companies-in-thailand"),
    ],
)
def test_cross_language_answer_when_no_document_in_the_users_language(
    no_thai_service: KnowledgeService, question: str, topic: str
) -> None:
    answer = no_thai_service.answer(question)
    assert answer.lang == "th"
    assert answer.confident
    assert answer.passages[0].topic == topic
    assert answer.passages[0].lang in {"ja", "en"}


@pytest.mark.parametrize(
    "question",
    [
        "พรุ่งนี้กรุงเทพฝนจะตกไหม",
        "明日の東京の天気は？",
        "How much does an iPhone 16 cost?",
        "Who won the last football World Cup?",
    ],
)
def test_out_of_scope_questions_are_declined(
    starter_service: KnowledgeService, question: str
) -> None:
    answer = starter_service.answer(question)
    assert not answer.confident
    assert answer.sources == ()
    assert answer.text != ""
    assert answer.ref


def test_decline_is_in_the_users_language(starter_service: KnowledgeService) -> None:
    assert "ขออภัย" in starter_service.answer("ราคาทองวันนี้บาทละเท่าไหร่").text
    assert "申し訳" in starter_service.answer("おすすめのラーメン屋を教えてください").text
    assert "don't know" in starter_service.answer("What is the current price of bitcoin?").text


def test_search_returns_ranked_passages(starter_service: KnowledgeService) -> None:
    passages = starter_service.search("JETRO DIP memorandum focus industries", 5)
    assert len(passages) == 5
    assert passages[0].topic == "jetro-dip-cooperation"
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert all(p.document_id > 0 and p.text for p in passages)


def test_keyword_and_dense_legs_each_work_alone(starter_service: KnowledgeService) -> None:
    keyword = starter_service.retrieve("T-GoodTech", k=3, mode="keyword")
    assert keyword.hits and keyword.hits[0].record.topic == "j-goodtech"
    assert all(h.dense is None for h in keyword.hits)
    dense = starter_service.retrieve("ร้อยละของแรงงานที่ทำงานใน SME", k=3, mode="dense")
    assert dense.hits[0].record.topic == "japanese-companies-in-thailand"
    assert all(h.keyword is None for h in dense.hits)


def test_starter_documents_cover_every_topic_in_three_languages(
    starter_service: KnowledgeService,
) -> None:
    documents = starter_service.list_documents()
    by_topic: dict[str, set[str]] = {}
    for document in documents:
        by_topic.setdefault(document.topic, set()).add(document.lang)
        assert document.title and document.source and document.as_of
    assert len(by_topic) >= 11
    assert all(langs == {"th", "ja", "en"} for langs in by_topic.values())
