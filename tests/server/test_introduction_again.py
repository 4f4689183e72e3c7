"""A second introduction request to the same company is not sent again (issue 9).

Both people use the real webhooks (signed bodies, the worker, the outbox); what each of
them received is read back from the exact JSON the platform stand-in recorded. The
requester, a Japanese firm on Telegram, asks twice while the request is pending and once
more after the Thai SME (on LINE) has accepted: each time it is told that the request
exists and its status (catalogue key match.intro.already), and the Thai SME receives
nothing new; the database keeps one introduction with its first events.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.i18n import t
from language.format import company_name
from matching import introductions as intros
from matching.intro_models import Introduction
from matching.models import Company
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS
from tests.server.test_form_paths import Person, Said, received, texts
from tests.standin import PlatformStandIn


def _register(person: Person, form: str, script: list[tuple[str, str]]) -> None:
    person.press("reg:start")
    person.press(f"reg:form:{form}")
    for kind, value in script:
        if kind == "text":
            person.say(value)
        else:
            person.press(value)


def _the_introduction(client: TestClient) -> tuple[Introduction, list[str]]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        (intro,) = session.exec(select(Introduction)).all()
        assert intro.id is not None
        return intro, [e.kind for e in intros.events_of(session, intro.id)]


def _ask_again(
    buyer: Person, seller_user: str, standin: PlatformStandIn, target: int
) -> tuple[list[Said], list[Said]]:
    """The buyer presses "ask for an introduction" again; what each side receives."""
    before = len(standin.calls)
    said = buyer.press(f"match:ask:{target}")
    return said, received(standin, "line", seller_user, since=before)


def test_a_repeated_request_tells_its_status_and_sends_nothing_new(
    client: TestClient, standin: PlatformStandIn
) -> None:
    seller = Person(client, standin, "line", "U-again-seller")
    _register(seller, "th_sme", THAI_SME_SCRIPTS["th"])
    buyer = Person(client, standin, "telegram", "9301")
    _register(buyer, "jp_firm", JAPAN_FIRM_SCRIPTS["ja"])
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        (thai,) = session.exec(select(Company).where(Company.country == "TH")).all()
        assert thai.id is not None
        target, name = thai.id, company_name(thai.name, thai.name_en, "ja")
    assert name == "Siam Plastic Parts Co., Ltd."  # the English name, for a Japanese reader

    # The first request reaches the Thai SME once, on LINE, with Accept/Decline.
    buyer.press(f"match:ask:{target}")
    before = len(standin.calls)
    said = buyer.press("match:skip")
    assert "紹介依頼を送りました" in texts(said)
    request = received(standin, "line", seller.user, since=before)
    accept = next(d for s in request for d in s.data if d.startswith("match:yes:"))
    intro, first_events = _the_introduction(client)
    assert intro.status == "pending"
    assert first_events == ["requested", "notified"]

    # Asked again while pending: the buyer is told it exists, the seller gets nothing.
    said, to_seller = _ask_again(buyer, seller.user, standin, target)
    pending = t("match.status.pending", "ja")
    assert texts(said).startswith(t("match.intro.already", "ja", name=name, status=pending))
    assert "match:skip" not in {d for s in said for d in s.data}  # no new note is asked for
    assert to_seller == []
    assert _the_introduction(client)[1] == first_events

    # The seller accepts; the buyer receives the contact details once.
    before = len(standin.calls)
    seller.press(accept)
    told = received(standin, "telegram", buyer.user, since=before)
    assert "somchai@siamplastic.co.th" in texts(told)
    intro, events = _the_introduction(client)
    assert intro.status == "accepted"
    assert events == ["requested", "notified", "accepted", "contacts_shared"]

    # Asked again after the acceptance: the status says so, nothing goes to the seller,
    # and no second introduction or event is stored.
    said, to_seller = _ask_again(buyer, seller.user, standin, target)
    accepted = t("match.status.accepted", "ja")
    assert texts(said).startswith(t("match.intro.already", "ja", name=name, status=accepted))
    assert to_seller == []
    assert _the_introduction(client)[1] == events
