from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.dialogue import Dialogue
from core.i18n import catalogue
from core.types import Conversation, IncomingMessage, Kind
from knowledge.models import AnswerFeedback, UnansweredQuestion
from knowledge.service import KnowledgeService
from knowledge.skill import KnowledgeSkill, LogUnanswered, RecordFeedback, RequestStaff
from tests.knowledge.conftest import FakeEffectContext

_counter = 0


def _message(*, text: str | None = None, postback: str | None = None) -> IncomingMessage:
    global _counter
    _counter += 1
    return IncomingMessage(
        channel="line",
        event_id=f"e{_counter}",
        user_id="U1",
        chat_id="U1",
        kind=Kind.POSTBACK if postback else Kind.TEXT,
        timestamp=datetime.now(UTC),
        text=text,
        postback=postback,
    )


@pytest.fixture(scope="module")
def dialogue(starter_service: KnowledgeService) -> Dialogue:
    skill = KnowledgeSkill(starter_service)
    return Dialogue(skills=[skill], fallbacks=[skill])


def test_every_knowledge_message_exists_in_three_languages() -> None:
    keys = [key for key in catalogue() if key.startswith("kb.")]
    assert len(keys) >= 12
    for key in keys:
        entry = catalogue()[key]
        assert set(entry) == {"th", "ja", "en"}, key
        assert all(text.strip() for text in entry.values()), key


def test_free_text_gets_a_cited_answer_with_buttons(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(
        Conversation(channel="line", user_id="U1"), _message(text="กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่")
    )
    assert len(outcome.replies) == 1
    reply = outcome.replies[0]
    assert reply.lang == "th"
    assert "10 ล้านบาท" in reply.text
    assert "กองทุนพัฒนาเอสเอ็มอีตามแนวประชารัฐ" in reply.text  # the title
    # The source already names its year, in the Buddhist era: no second "as of" beside it.
    assert reply.text.rstrip().endswith("เดอะเนชั่น (2567)")
    assert "ข้อมูล ณ" not in reply.text and "2024" not in reply.text
    assert "ธพว." in reply.text  # the source (SME D Bank, by its Thai abbreviation)
    url_buttons = [b for b in reply.buttons if b.url]
    assert [b.url for b in url_buttons] == ["https://www.smebank.co.th/"]
    feedback = [b.data for b in reply.buttons if b.data.startswith("kb:fb:")]
    ref = outcome.conv.data["kb"]["recent"][0]["ref"]
    assert feedback == [f"kb:fb:{ref}:up", f"kb:fb:{ref}:down"]
    assert all(len(b.data.encode()) < 64 and b.data.isascii() for b in reply.buttons)
    assert outcome.effects == []


def test_answer_without_url_has_no_link_button(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(
        Conversation(channel="telegram", user_id="U1"),
        _message(text="DIPが2021年に行った90日間の支援策の予算は？"),
    )
    reply = outcome.replies[0]
    assert "1億5,000万バーツ" in reply.text
    assert "出典：The Nation" in reply.text
    assert not any(b.url for b in reply.buttons)


def test_unknown_question_offers_staff_and_is_logged(dialogue: Dialogue, kb_engine) -> None:
    outcome = dialogue.handle(
        Conversation(channel="telegram", user_id="U1"), _message(text="明日の東京の天気は？")
    )
    reply = outcome.replies[0]
    assert reply.text == catalogue()["kb.unknown"]["ja"]
    assert [b.data for b in reply.buttons] == ["kb:staff", "menu"]
    assert len(outcome.effects) == 1 and isinstance(outcome.effects[0], LogUnanswered)
    with Session(kb_engine) as session:
        outcome.effects[0].apply(FakeEffectContext(session))
        session.commit()
        rows = list(session.exec(select(UnansweredQuestion)))
    assert [(r.question, r.lang, r.channel, r.user_id, r.wants_staff) for r in rows] == [
        ("明日の東京の天気は？", "ja", "line", "U1", False)
    ]

    # "Talk to staff" marks the same logged question.
    staff = dialogue.handle(outcome.conv, _message(postback="kb:staff"))
    assert staff.replies[0].text == catalogue()["kb.staff_requested"]["ja"]
    assert isinstance(staff.effects[0], RequestStaff)
    with Session(kb_engine) as session:
        staff.effects[0].apply(FakeEffectContext(session))
        session.commit()
        rows = list(session.exec(select(UnansweredQuestion)))
    assert [(r.question, r.wants_staff) for r in rows] == [("明日の東京の天気は？", True)]


def test_feedback_buttons_store_feedback(dialogue: Dialogue, kb_engine) -> None:
    answered = dialogue.handle(
        Conversation(channel="line", user_id="U1"), _message(text="What is J-GoodTech?")
    )
    ref = answered.conv.data["kb"]["recent"][0]["ref"]
    down = dialogue.handle(answered.conv, _message(postback=f"kb:fb:{ref}:down"))
    assert down.replies[0].text == catalogue()["kb.thanks_not_helpful"]["en"]
    assert f"kb:staff:{ref}" in [b.data for b in down.replies[0].buttons]
    up = dialogue.handle(answered.conv, _message(postback=f"kb:fb:{ref}:up"))
    assert up.replies[0].text == catalogue()["kb.thanks_helpful"]["en"]
    with Session(kb_engine) as session:
        for effect in (*down.effects, *up.effects):
            assert isinstance(effect, RecordFeedback)
            effect.apply(FakeEffectContext(session))
        session.commit()
        rows = list(session.exec(select(AnswerFeedback)))
    assert [(r.answer_ref, r.helpful, r.question, r.channel) for r in rows] == [
        (ref, False, "What is J-GoodTech?", "line"),
        (ref, True, "What is J-GoodTech?", "line"),
    ]
    assert rows[0].document_ids and all(isinstance(d, int) for d in rows[0].document_ids)


def test_ask_button_prompts_and_the_next_text_is_answered(dialogue: Dialogue) -> None:
    prompted = dialogue.handle(
        Conversation(channel="line", user_id="U1", lang="en"), _message(postback="kb:ask")
    )
    assert prompted.replies[0].text == catalogue()["kb.ask_prompt"]["en"]
    assert prompted.conv.flow == "kb:ask"
    answered = dialogue.handle(
        prompted.conv, _message(text="What is the minimum investment for BOI SME promotion?")
    )
    assert answered.conv.flow is None
    assert "500,000 baht" in answered.replies[0].text


def test_unknown_kb_postback_is_not_taken(starter_service: KnowledgeService) -> None:
    from core.turn import Services, Turn

    skill = KnowledgeSkill(starter_service)
    turn = Turn(
        conv=Conversation(channel="line", user_id="U1"),
        msg=_message(postback="kb:nope"),
        lang="en",
        services=Services(),
    )
    assert skill.on_postback(turn, "kb:nope") is False
    assert skill.on_postback(turn, "kb:fb:abc:sideways") is False
    assert turn.replies == [] and turn.effects == []


def test_answer_from_another_language_says_so(no_thai_service: KnowledgeService) -> None:
    skill = KnowledgeSkill(no_thai_service)
    outcome = Dialogue(skills=[skill], fallbacks=[skill]).handle(
        Conversation(channel="line", user_id="U1"),
        _message(text="กองทุนประชารัฐเริ่มปล่อยกู้ที่จังหวัดไหนเป็นแห่งแรก"),
    )
    text = outcome.replies[0].text
    assert text.startswith("(เอกสารนี้มีเฉพาะฉบับภาษา")
    assert "Songkhla" in text or "ソンクラー" in text
    assert "ข้อมูล ณ พ.ศ. 2567" in text
