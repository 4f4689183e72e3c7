"""Products as concepts across th/ja/en (issue 12): extraction, scoring, reasons."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.concepts import Glossary, default_glossary
from matching.engine import Matcher
from matching.scoring import DEFAULT_WEIGHTS
from matching.snapshot import Profile


def _ids(text: str) -> list[str]:
    return [c.id for c in default_glossary().find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "งานประกอบแผงวงจรอิเล็กทรอนิกส์ มาตรฐาน ISO 9001",  # Thai, inside a longer phrase
        "タイでプリント基板の実装を委託できる会社を探しています",  # Japanese, with a particle
        "We offer PCB assembly for consumer electronics",
        "Printed circuit board assembly (SMT)",
    ],
)
def test_pcb_assembly_is_found_in_each_language(text: str) -> None:
    assert _ids(text)[0] == "pcb_assembly"


def test_plurals_and_british_spellings_meet() -> None:
    assert _ids("plastic injection moulds") == _ids("plastic injection molds")
    assert _ids("plastic injection moulds") == ["plastic_injection_moulds"]


def test_the_longest_name_wins_and_words_are_not_cut() -> None:
    # "ข้าวโพด" (maize) contains "ข้าว" (rice); "米国" (the USA) contains "米" (rice).
    assert _ids("ข้าวโพดเลี้ยงสัตว์") == ["maize"]
    assert _ids("米国向けに輸出しています") == []
    # A certificate held is not an offer of certification consulting.
    assert _ids("ISO 9001 と IATF 16949 を取得") == []


def test_a_compound_is_found_however_the_tokenizer_cuts_it() -> None:
    # Alone, "射出成形金型" is cut 射出/成型/金/型; inside a sentence 射出/成型/金型. Either way it
    # is injection moulds, not injection moulding plus moulds.
    assert _ids("射出成形金型") == ["plastic_injection_moulds"]
    text = "タイで家電製品向けの射出成形金型を供給できる会社を探しています。"
    assert "plastic_injection_moulds" in _ids(text)
    assert "plastic_injection_molding" not in _ids(text)


def test_broader_concepts_count_less() -> None:
    g = default_glossary()
    weights = g.weights("プリント基板実装")
    assert weights[g.by_id["pcb_assembly"].index] == 1.0
    assert weights[g.by_id["electronics"].index] == 0.5


def test_forms_can_be_left_out() -> None:
    g = Glossary.load(drop={("pcb_assembly", "ja", "プリント基板実装")})
    assert "プリント基板実装" not in g.by_id["pcb_assembly"].names["ja"]
    assert "プリント基板実装" in default_glossary().by_id["pcb_assembly"].names["ja"]


def _thai(i: int, offers: str, sector: str) -> Profile:
    return Profile(
        id=i,
        ref=f"TH-{i}",
        name=f"Thai {i}",
        country="TH",
        sector=sector,
        offers=offers,
        seeks="มองหาลูกค้าญี่ปุ่น",
        partnership=("buyer",),
        certifications=("ISO 9001",),
        employees=120,
        location="Ayutthaya",
    )


ISSUE_DIRECTORY = [
    Profile(
        id=1,
        ref="JP-PCB",
        name="JP",
        country="JP",
        sector="27",
        offers="家電製品を製造しています",
        seeks="タイでプリント基板の実装を委託できる会社を探しています",
        partnership=("supplier",),
        certifications=("ISO 9001",),
        required_certifications=("ISO 9001",),
        employees=900,
        location="Osaka",
        thai_base="Ayutthaya",
    ),
    _thai(10, "งานประกอบแผงวงจรอิเล็กทรอนิกส์ สำหรับเครื่องใช้ไฟฟ้า", "26"),
    _thai(11, "ออกแบบและติดตั้งระบบหุ่นยนต์อัตโนมัติสำหรับสายการผลิต", "28"),
    _thai(12, "Robot cell integration for electronics assembly lines", "28"),
    _thai(13, "รับทำแม่พิมพ์ฉีดพลาสติกสำหรับชิ้นส่วนเครื่องใช้ไฟฟ้า", "25"),
    _thai(14, "ผลิตแบตเตอรี่แพ็คสำหรับอุปกรณ์อิเล็กทรอนิกส์", "27"),
    _thai(15, "Electronic enclosures and plastic housings for appliances", "22"),
    _thai(16, "ผลิตสายไฟและชุดสายไฟสำหรับเครื่องใช้ไฟฟ้า", "27"),
]


@pytest.fixture
def issue_matcher(embedder) -> Matcher:
    m = Matcher(embedder)
    m.load_profiles(ISSUE_DIRECTORY)
    return m


def test_the_issue_example_pcb_assembler_ranks_above_robots_and_moulds(
    issue_matcher: Matcher,
) -> None:
    ranked = [x.ref for x in issue_matcher.match(1, k=10)]
    assert ranked[0] == "TH-10", ranked
    for other in ("TH-11", "TH-12", "TH-13", "TH-14"):
        assert ranked.index("TH-10") < ranked.index(other)


def test_the_concept_leg_is_what_lifts_it(issue_matcher: Matcher) -> None:
    with_concepts = {x.ref: x.score for x in issue_matcher.match(1, k=10)}
    issue_matcher.weights = DEFAULT_WEIGHTS.__class__(concept=0.0)
    without = {x.ref: x.score for x in issue_matcher.match(1, k=10)}
    margin = with_concepts["TH-10"] - max(v for k, v in with_concepts.items() if k != "TH-10")
    old_margin = without["TH-10"] - max(v for k, v in without.items() if k != "TH-10")
    assert margin > old_margin


@pytest.mark.parametrize(
    ("lang", "name", "polite"),
    [
        ("ja", "「プリント基板実装」", "ます。"),
        ("en", "PCB assembly", ""),
        ("th", "ประกอบแผงวงจร", "ครับ"),
    ],
)
def test_the_reason_names_the_concept_in_the_readers_language(
    issue_matcher: Matcher, lang: str, name: str, polite: str
) -> None:
    top = issue_matcher.match(1, k=1, lang=lang)[0]  # type: ignore[arg-type]
    assert "match.reason.concept_they_offer" in top.reason_keys
    reason = top.reasons[top.reason_keys.index("match.reason.concept_they_offer")]
    assert name in reason and reason.endswith(polite)


def test_a_free_text_search_names_the_concept(issue_matcher: Matcher) -> None:
    top = issue_matcher.match_text("プリント基板の実装", country="JP", k=1, lang="ja")[0]
    assert top.ref == "TH-10"
    assert "match.reason.concept_described" in top.reason_keys


def test_a_name_the_glossary_lacks_is_linked_by_its_embedding(embedder) -> None:
    g = Glossary.load(drop={("frozen_shrimp", "en", "frozen prawns")})
    text = "We export frozen prawns to Japan"
    assert g.named(text) == ()  # no name of the glossary is in the text
    m = Matcher(embedder, glossary=g)
    weights = m.linker.weights(text)
    assert max(weights, key=weights.__getitem__) == g.by_id["frozen_shrimp"].index
    # Services are found by name only (their names are everyday words).
    assert g.by_id["mro_supplies"].index not in m.linker.weights("We supply parts")


def test_a_concept_only_linked_by_embedding_counts_less(embedder) -> None:
    """The concept leg's share is cut to `link_trust` of it for a candidate whose offer
    names no concept of the glossary (its concepts are links that may be a neighbour's)."""
    g = Glossary.load(drop={("frozen_shrimp", "en", "frozen prawns")})
    buyer = replace(ISSUE_DIRECTORY[0], sector="10", seeks="タイで冷凍エビを探しています")
    named_offer = _thai(10, "ผลิตกุ้งแช่แข็งส่งออก", "10")
    linked_offer = _thai(11, "We export frozen prawns to Japan", "10")
    unnamed_other = _thai(12, "Garden gnomes and resin statues", "10")
    assert g.named(unnamed_other.offers) == ()
    m = Matcher(embedder, glossary=g)
    m.load_profiles([buyer, named_offer, linked_offer, unnamed_other])
    snap = m.snapshot
    query = m.query_for(1)
    start, end = snap.blocks["TH"]
    _, fused = m.score_block(query, start, end)
    m.weights = replace(DEFAULT_WEIGHTS, concept=0.0)
    _, plain = m.score_block(query, start, end)
    c = DEFAULT_WEIGHTS.concept
    for cid, share in ((10, c), (11, c * DEFAULT_WEIGHTS.link_trust)):
        i = snap.row_of[cid] - start
        emb, concept = plain["text_ab"][i], fused["concept_ab"][i]
        assert concept > 0.5  # both are linked or named to frozen shrimp
        assert fused["text_ab"][i] == pytest.approx((1 - share) * emb + share * concept, abs=1e-5)
    # No concept shared with an offer the glossary does not name: the share shrinks more.
    i = snap.row_of[12] - start
    assert fused["concept_ab"][i] == 0.0
    share = c * DEFAULT_WEIGHTS.link_miss
    assert fused["text_ab"][i] == pytest.approx((1 - share) * plain["text_ab"][i], abs=1e-5)
    assert DEFAULT_WEIGHTS.link_miss < DEFAULT_WEIGHTS.link_trust < 1.0
