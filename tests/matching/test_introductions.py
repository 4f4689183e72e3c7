from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.dialogue import Dialogue
from matching import introductions as intros
from matching.engine import Matcher
from matching.intro_models import Introduction
from matching.skill import MatchingSkill

from .conftest import RecordingContext, add_member, all_text, turn


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def setup(matcher: Matcher, session: Session, directory: dict[str, int]) -> tuple[Dialogue, Clock]:
    # A Japanese firm on Telegram, a Thai SME on LINE.
    add_member(
        session,
        directory["JP-AUTO"],
        channel="telegram",
        user_id="tg-100",
        chat_id="5001",
        lang="ja",
    )
    add_member(
        session, directory["TH-SEAL"], channel="line", user_id="U-th-1", chat_id="U-th-1", lang="th"
    )
    clock = Clock()
    return Dialogue(skills=[MatchingSkill(matcher, ttl=timedelta(days=14), clock=clock)]), clock


def request(
    d: Dialogue, session: Session, target: int, note: str | None = "よろしくお願いいたします。"
):
    out, _sent = turn(d, session, "telegram", "tg-100", postback=f"match:ask:{target}")
    assert out.conv.flow == "match:note"
    assert [b.data for b in out.replies[0].buttons] == ["match:skip", "match:cancel"]
    if note is None:
        return turn(d, session, "telegram", "tg-100", postback="match:skip")
    return turn(d, session, "telegram", "tg-100", text=note)


def events(session: Session, intro: Introduction) -> list[str]:
    assert intro.id is not None
    return [e.kind for e in intros.events_of(session, intro.id)]


def the_introduction(session: Session) -> Introduction:
    session.expire_all()
    (intro,) = session.exec(select(Introduction)).all()
    return intro


def test_double_opt_in_across_line_and_telegram(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, _ = setup(matcher, session, directory)
    out, sent = request(d, session, directory["TH-SEAL"])
    assert out.conv.flow is None
    assert "紹介依頼を送りました" in out.replies[0].text
    intro = the_introduction(session)
    assert intro.status == "pending" and intro.note == "よろしくお願いいたします。"
    # B is told on B's own channel, in B's language, with A's card and no contact details.
    (note,) = sent
    assert (note.channel, note.user_id, note.chat_id) == ("line", "U-th-1", "U-th-1")
    (incoming,) = note.replies
    assert incoming.lang == "th"
    assert "Mikawa Brake Industries (Demo)" in incoming.text and "ครับ" in incoming.text
    # the note is the requester's own words, labelled with its language
    assert "“よろしくお願いいたします。” (ข้อความเดิมภาษาญี่ปุ่น)" in incoming.text
    assert incoming.cards[0].title == "Mikawa Brake Industries (Demo)"
    assert [b.data for b in incoming.cards[0].buttons] == [
        f"match:yes:{intro.id}",
        f"match:no:{intro.id}",
    ]
    text = all_text(note.replies)
    for secret in ("tanaka@mikawa-brake.example.jp", "+81300001001", "田中"):
        assert secret not in text
    # A's own reply does not reveal B's contact details either.
    assert "somchai@" not in all_text(out.replies)

    # B accepts: B sees A's contact details in Thai, A gets B's in Japanese on Telegram.
    out, sent = turn(d, session, "line", "U-th-1", postback=f"match:yes:{intro.id}")
    assert "tanaka@mikawa-brake.example.jp" in out.replies[0].text
    assert "อีเมล" in out.replies[0].text
    (note,) = sent
    assert (note.channel, note.user_id, note.chat_id) == ("telegram", "tg-100", "5001")
    assert note.replies[0].lang == "ja"
    assert "somchai@rayong-seal.example.com" in note.replies[0].text
    # stored in E.164, shown to a Japanese reader in the international format
    assert "+66 2 000 2001" in note.replies[0].text and "メール" in note.replies[0].text
    intro = the_introduction(session)
    assert intro.status == "accepted" and intro.decided_by == "line:U-th-1"
    assert events(session, intro) == ["requested", "notified", "accepted", "contacts_shared"]

    # A second press changes nothing.
    out, sent = turn(d, session, "line", "U-th-1", postback=f"match:yes:{intro.id}")
    assert (
        sent == []
        and "回答済み" not in out.replies[0].text
        and "ได้รับคำตอบไปแล้ว" in out.replies[0].text
    )


def test_request_without_note_and_duplicate_request(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, _ = setup(matcher, session, directory)
    request(d, session, directory["TH-SEAL"], note=None)
    assert the_introduction(session).note is None
    out, sent = turn(d, session, "telegram", "tg-100", postback=f"match:ask:{directory['TH-SEAL']}")
    assert (
        sent == [] and "送信済み" in out.replies[0].text and "先方の回答待ち" in out.replies[0].text
    )
    assert len(session.exec(select(Introduction)).all()) == 1


def test_only_the_target_company_can_answer(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, _ = setup(matcher, session, directory)
    request(d, session, directory["TH-SEAL"])
    intro = the_introduction(session)
    add_member(
        session,
        directory["TH-MOULD"],
        channel="line",
        user_id="U-other",
        chat_id="U-other",
        lang="th",
    )
    out, sent = turn(d, session, "line", "U-other", postback=f"match:yes:{intro.id}")
    assert sent == [] and "ไม่พบ" in out.replies[0].text
    assert the_introduction(session).status == "pending"


def test_decline_tells_the_requester_politely(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, _ = setup(matcher, session, directory)
    request(d, session, directory["TH-SEAL"])
    intro = the_introduction(session)
    out, sent = turn(d, session, "line", "U-th-1", postback=f"match:no:{intro.id}")
    assert "ขอบคุณ" in out.replies[0].text
    assert "tanaka@" not in out.replies[0].text
    (note,) = sent
    assert note.channel == "telegram" and note.replies[0].lang == "ja"
    assert "ご紹介をお受けできない" in note.replies[0].text
    assert "somchai@" not in note.replies[0].text
    intro = the_introduction(session)
    assert intro.status == "declined"
    assert events(session, intro) == ["requested", "notified", "declined", "requester_told"]


def test_expiry_when_touched(matcher: Matcher, session: Session, directory: dict[str, int]) -> None:
    d, clock = setup(matcher, session, directory)
    request(d, session, directory["TH-SEAL"])
    intro = the_introduction(session)
    clock.now += timedelta(days=15)
    out, sent = turn(d, session, "line", "U-th-1", postback=f"match:yes:{intro.id}")
    assert "หมดอายุ" in out.replies[0].text
    assert "tanaka@" not in out.replies[0].text
    (note,) = sent
    assert note.channel == "telegram" and "期限内に回答がなかった" in note.replies[0].text
    intro = the_introduction(session)
    assert intro.status == "expired"
    assert events(session, intro) == ["requested", "notified", "expired", "requester_told"]
    # A new request is possible once the old one expired.
    out, sent = request(d, session, directory["TH-SEAL"])
    assert len(sent) == 1 and len(session.exec(select(Introduction)).all()) == 2


def test_expire_stale_introductions(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, clock = setup(matcher, session, directory)
    request(d, session, directory["TH-SEAL"])
    ctx = RecordingContext(session)
    assert (
        intros.expire_stale_introductions(
            session, clock.now + timedelta(days=13), notify=ctx.notify
        )
        == []
    )
    expired = intros.expire_stale_introductions(
        session, clock.now + timedelta(days=14, seconds=1), notify=ctx.notify
    )
    session.commit()
    assert len(expired) == 1 and the_introduction(session).status == "expired"
    assert [s.user_id for s in ctx.notifications] == ["tg-100"]
    assert (
        intros.expire_stale_introductions(
            session, clock.now + timedelta(days=30), notify=ctx.notify
        )
        == []
    )


def test_company_without_chat_account_waits_for_staff(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, clock = setup(matcher, session, directory)
    out, sent = request(d, session, directory["TH-MOULD"])
    assert sent == []
    assert "担当スタッフ" in out.replies[0].text
    intro = the_introduction(session)
    assert intro.status == "awaiting_staff"
    assert events(session, intro) == ["requested", "awaiting_staff"]
    # Staff record the answer (as the API does): the requester gets the contact details.
    ctx = RecordingContext(session)
    assert intro.id is not None
    intros.decide(
        session,
        ctx.notify,
        introduction_id=intro.id,
        accept=True,
        actor="staff:a@example.org",
        by_staff=True,
        now=clock.now,
    )
    session.commit()
    (note,) = ctx.notifications
    assert note.user_id == "tg-100" and "mould@lanna-die.example.com" in note.replies[0].text
    assert the_introduction(session).status == "accepted"


def test_cancel_while_writing_the_note(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, _ = setup(matcher, session, directory)
    turn(d, session, "telegram", "tg-100", postback=f"match:ask:{directory['TH-SEAL']}")
    out, sent = turn(d, session, "telegram", "tg-100", postback="match:cancel")
    assert out.conv.flow is None and sent == []
    assert session.exec(select(Introduction)).all() == []


def test_a_late_text_is_not_taken_as_the_note(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d, clock = setup(matcher, session, directory)
    out, _ = turn(d, session, "telegram", "tg-100", postback=f"match:ask:{directory['TH-SEAL']}")
    assert out.conv.flow == "match:note"
    clock.now += timedelta(hours=2)
    out, sent = turn(d, session, "telegram", "tg-100", text="補助金について教えてください")
    assert sent == [] and out.conv.flow is None
    assert session.exec(select(Introduction)).all() == []
