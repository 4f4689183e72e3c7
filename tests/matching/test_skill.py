from __future__ import annotations

from sqlmodel import Session, select

from bot.dialogue import Dialogue
from matching.engine import Matcher
from matching.intro_models import NotInterested
from matching.skill import MatchingSkill

from .conftest import add_member, all_text, turn


def dialogue(matcher: Matcher | None) -> Dialogue:
    return Dialogue(skills=[MatchingSkill(matcher)])


def test_find_partners_shows_five_cards_with_buttons(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    add_member(
        session, directory["JP-AUTO"], channel="telegram", user_id="tg-1", chat_id="9001", lang="ja"
    )
    out, sent = turn(dialogue(matcher), session, "telegram", "tg-1", postback="match:find")
    assert sent == []
    (reply,) = out.replies
    assert reply.lang == "ja"
    assert len(reply.cards) == 5
    first = reply.cards[0]
    assert first.title == "Rayong Rubber Seal Co. (Demo)"
    assert "IATF 16949" in first.body and "取得" in first.body
    assert "タイ" in (first.subtitle or "")
    assert [b.data for b in first.buttons] == [
        f"match:ask:{directory['TH-SEAL']}",
        f"match:ni:{directory['TH-SEAL']}",
    ]
    assert [b.label for b in first.buttons] == ["紹介を依頼", "興味なし"]
    assert reply.buttons[0].data == "match:more:5"
    # Contact details are never on a proposal card.
    assert "example.com" not in all_text(out.replies) and "+66" not in all_text(out.replies)
    # "More" shows the next five, none repeated.
    more, _ = turn(dialogue(matcher), session, "telegram", "tg-1", postback="match:more:5")
    titles = [c.title for c in more.replies[0].cards]
    assert titles and not set(titles) & {c.title for c in reply.cards}
    assert more.replies[0].buttons[0].data == "match:more:10"


def test_thai_reader_gets_thai_cards(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    add_member(
        session, directory["TH-SEAL"], channel="line", user_id="U-th", chat_id="U-th", lang="th"
    )
    out, _ = turn(dialogue(matcher), session, "line", "U-th", postback="match:find")
    cards = out.replies[0].cards
    # A Thai reader cannot read kanji: the English name given at registration is shown.
    assert cards[0].title == "Mikawa Brake Industries (Demo)"
    assert all(line.endswith("ครับ") for line in cards[0].body.splitlines())
    assert cards[0].buttons[0].label == "ขอให้แนะนำให้รู้จัก"


def test_without_a_company_the_user_is_offered_registration(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    out, _ = turn(dialogue(matcher), session, "line", "U-nobody", postback="match:find")
    (reply,) = out.replies
    assert not reply.cards
    assert "reg:start" in [b.data for b in reply.buttons]
    assert "match:describe" in [b.data for b in reply.buttons]
    assert reply.lang == "th" and "ลงทะเบียน" in reply.text


def test_free_text_description_for_a_japanese_firm(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d = dialogue(matcher)
    out, _ = turn(d, session, "telegram", "tg-anon", postback="match:describe")
    assert out.conv.flow == "match:describe"
    out, _ = turn(d, session, "telegram", "tg-anon", text="タイで金型を作れる会社を探しています")
    assert out.conv.flow is None
    (reply,) = out.replies
    assert reply.cards[0].title == "Lanna Mould and Die (Demo)"
    assert "ご入力" in reply.cards[0].body
    assert reply.buttons[0].data == "match:dmore:5"
    more, _ = turn(d, session, "telegram", "tg-anon", postback="match:dmore:5")
    assert more.replies[0].cards and more.replies[0].cards[0].title != reply.cards[0].title


def test_too_short_description_asks_again(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    d = dialogue(matcher)
    turn(d, session, "telegram", "tg-anon", postback="match:describe")
    out, _ = turn(d, session, "telegram", "tg-anon", text="型")
    assert out.conv.flow == "match:describe"
    assert "詳しく" in out.replies[0].text


def test_not_interested_is_stored_and_down_ranks(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    add_member(
        session, directory["JP-AUTO"], channel="telegram", user_id="tg-1", chat_id="9001", lang="ja"
    )
    d = dialogue(matcher)
    out, _ = turn(d, session, "telegram", "tg-1", postback=f"match:ni:{directory['TH-SEAL']}")
    assert "Rayong Rubber Seal Co. (Demo)" in out.replies[0].text
    rows = session.exec(select(NotInterested)).all()
    assert [(r.company_id, r.target_company_id) for r in rows] == [
        (directory["JP-AUTO"], directory["TH-SEAL"])
    ]
    # Pressing it twice keeps one row.
    turn(d, session, "telegram", "tg-1", postback=f"match:ni:{directory['TH-SEAL']}")
    assert len(session.exec(select(NotInterested)).all()) == 1
    again, _ = turn(d, session, "telegram", "tg-1", postback="match:find")
    assert "Rayong Rubber Seal Co. (Demo)" not in [c.title for c in again.replies[0].cards[:3]]


def test_without_a_matcher_the_user_is_told(session: Session, directory: dict[str, int]) -> None:
    out, _ = turn(dialogue(None), session, "telegram", "tg-1", postback="match:find")
    assert "ご利用いただけません" in out.replies[0].text


def test_a_company_registered_during_a_reload_is_told_to_wait(
    matcher: Matcher, session: Session, directory: dict[str, int]
) -> None:
    from matching.models import Company

    new = Company(
        ref="TH-NEW", country="TH", name="New (Demo)", sector="22", offers="ซีลยาง", seeks="หาลูกค้า"
    )
    session.add(new)
    session.commit()
    assert new.id is not None
    add_member(session, new.id, channel="line", user_id="U-new", chat_id="U-new", lang="th")
    with matcher._lock:  # a reload is running on another thread
        out, _ = turn(dialogue(matcher), session, "line", "U-new", postback="match:find")
    assert "เริ่มทำงาน" in out.replies[0].text and not out.replies[0].cards
    # Afterwards the next press reloads and answers.
    out, _ = turn(dialogue(matcher), session, "line", "U-new", postback="match:find")
    assert out.replies[0].cards
