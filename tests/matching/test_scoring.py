from __future__ import annotations

import pytest

from matching.engine import Matcher
from matching.scoring import normalise_cert, sector_fit, strip_framing


def refs(matches) -> list[str]:
    return [m.ref for m in matches]


def test_planted_complementary_pair_ranks_first(
    matcher: Matcher, directory: dict[str, int]
) -> None:
    matches = matcher.match(directory["JP-AUTO"], k=5)
    assert matches[0].ref == "TH-SEAL"
    assert all(m.country == "TH" for m in matches)
    assert [m.score for m in matches[:1]] >= [m.score for m in matches[1:2]]


def test_only_the_other_country_is_proposed(matcher: Matcher, directory: dict[str, int]) -> None:
    assert {m.country for m in matcher.match(directory["TH-DIST"], k=10)} == {"JP"}


def test_reciprocity_one_way_fit_scores_lower(matcher: Matcher, directory: dict[str, int]) -> None:
    # TH-ONEWAY offers exactly what JP-AUTO seeks, but wants an investor for a food
    # factory: one direction only. The baseline (what A seeks vs what B offers) ranks it
    # near the top; the reciprocal score puts every two-way seal maker above it.
    query = matcher.query_for(directory["JP-AUTO"])
    baseline = matcher.baseline(query, k=3)
    assert directory["TH-ONEWAY"] in baseline
    scores = {m.ref: m.score for m in matcher.match(directory["JP-AUTO"], k=20)}
    for two_way in ("TH-SEAL", "TH-SEAL2", "TH-SEAL3"):
        assert scores[two_way] > scores["TH-ONEWAY"]


def test_certification_reason_in_each_readers_language(
    matcher: Matcher, directory: dict[str, int]
) -> None:
    top = matcher.match(directory["JP-AUTO"], k=1, lang="ja")[0]
    assert "match.reason.cert_they_hold" in top.reason_keys
    assert any("IATF 16949" in r and "取得" in r for r in top.reasons)
    # The Thai side sees the same pair as "they require IATF 16949, which you hold".
    back = matcher.match(directory["TH-SEAL"], k=3, lang="th")
    jp = next(m for m in back if m.ref == "JP-AUTO")
    assert "match.reason.cert_you_hold" in jp.reason_keys
    assert any("IATF 16949" in r and r.endswith("ครับ") for r in jp.reasons)


def test_two_or_three_reasons_per_match(matcher: Matcher, directory: dict[str, int]) -> None:
    for m in matcher.match(directory["JP-AUTO"], k=8):
        assert 2 <= len(m.reasons) <= 3, m


def test_partnership_reason(matcher: Matcher, directory: dict[str, int]) -> None:
    # A maker looking for a distributor meets a distributor looking for makers to represent.
    top = matcher.match(directory["JP-ROBOT"], k=1, lang="en")[0]
    assert top.ref == "TH-DIST"
    assert "match.reason.partner_both" in top.reason_keys
    assert any("distribution" in r for r in top.reasons)


def test_not_interested_down_ranks(matcher: Matcher, directory: dict[str, int]) -> None:
    before = matcher.match(directory["JP-AUTO"], k=20)
    after = matcher.match(directory["JP-AUTO"], k=20, not_interested={directory["TH-SEAL"]})
    assert refs(before)[0] == "TH-SEAL"
    assert refs(after)[0] != "TH-SEAL"
    assert refs(after).index("TH-SEAL") > 2
    old = next(m.score for m in before if m.ref == "TH-SEAL")
    new = next(m.score for m in after if m.ref == "TH-SEAL")
    assert new == pytest.approx(old * matcher.weights.not_interested_factor, rel=1e-4)


def test_diversity_keeps_near_copies_out_of_the_top(
    matcher: Matcher, directory: dict[str, int]
) -> None:
    # TH-SEAL, TH-SEAL2 and TH-SEAL3 describe the same offer word for word.
    copies = {"TH-SEAL", "TH-SEAL2", "TH-SEAL3"}
    query = matcher.query_for(directory["JP-AUTO"])
    plain = refs(matcher.search(query, k=3, diversify=False))
    diverse = refs(matcher.search(query, k=3))
    assert set(plain) == copies
    assert diverse[0] == "TH-SEAL"
    assert len(copies & set(diverse)) < 3


def test_cross_lingual_japanese_need_meets_thai_offer(
    matcher: Matcher, directory: dict[str, int]
) -> None:
    # JP-MOULD writes in Japanese ("金型"), TH-MOULD in Thai ("แม่พิมพ์").
    assert matcher.match(directory["JP-MOULD"], k=1)[0].ref == "TH-MOULD"
    # An English need meets a Thai offer.
    assert matcher.match(directory["JP-FOOD"], k=1)[0].ref == "TH-SHRIMP"


def test_free_text_description(matcher: Matcher, directory: dict[str, int]) -> None:
    matches = matcher.match_text(
        "タイで金型を作れる会社を探しています", country="JP", k=3, lang="ja"
    )
    assert matches[0].ref == "TH-MOULD"
    assert "match.reason.fits_description" in matches[0].reason_keys


def test_refresh_sees_new_companies(matcher: Matcher, session, directory: dict[str, int]) -> None:
    from matching.models import Company

    session.add(
        Company(
            ref="TH-NEW",
            country="TH",
            name="New Mould Maker (Demo)",
            sector="25",
            offers="แม่พิมพ์ฉีดพลาสติกความแม่นยำสูง",
            seeks="หาลูกค้าญี่ปุ่นที่ต้องการแม่พิมพ์",
            partnership=["buyer"],
        )
    )
    session.commit()
    found = matcher.match(directory["JP-MOULD"], k=5, session=session)
    assert "TH-NEW" in refs(found)


def test_sector_table_and_certificate_names() -> None:
    assert sector_fit("22", "29") == 1.0  # rubber and plastics supply motor vehicles
    assert sector_fit("29", "22") == 1.0  # either direction
    assert sector_fit("10", "29") == 0.0
    assert sector_fit(None, "29") is None
    assert normalise_cert("iso 9001:2015") == normalise_cert("ISO-9001") == "ISO9001"


def test_framing_is_stripped_but_substance_kept() -> None:
    assert strip_framing("タイで金型を作れる会社を探しています") == "金型"
    assert strip_framing("Looking for a Thai supplier of rubber hoses.") == "rubber hoses"
    assert strip_framing("หาผู้นำเข้าอาหารทะเลในญี่ปุ่น") == "อาหารทะเล"
    assert strip_framing("Looking for") == "Looking for"  # nothing left: keep the text


def test_what_a_profile_says_about_itself_is_not_the_product() -> None:
    # Experience, quality, the plant and where it is, order sizes, OEM, customers.
    for text, product in (
        ("Gaskets, certified factory in Chon Buri, over 20 years of experience", "Gaskets"),
        ("Contract manufacturing of wire harnesses, small orders welcome", "wire harnesses"),
        ("Our factory supplies frozen shrimp; plant located in Samut Sakhon", "frozen shrimp"),
        ("รับผลิตแม่พิมพ์ (OEM) คุณภาพสูง ตามแบบของลูกค้า", "แม่พิมพ์"),
        ("ผลิตและจำหน่ายข้าวหอมมะลิ มีประสบการณ์กว่า 15 ปี ลูกค้าหลักเป็นบริษัทญี่ปุ่น", "ข้าวหอมมะลิ"),
        ("現地調達のため、ワイヤーハーネスに対応できるタイ企業を求めています", "ワイヤーハーネス"),
        ("金型の調達先（タイ）を募集しています。", "金型"),
    ):
        assert strip_framing(text) == product, text
    # ... while words of products stay.
    assert strip_framing("We make tuna in oil") == "tuna in oil"
    assert strip_framing("power plant equipment") == "power plant equipment"
    assert strip_framing("コーヒーメーカーの部品") == "コーヒーメーカーの部品"


def test_reasons_quote_only_what_the_texts_say(embedder) -> None:
    from matching.snapshot import Profile

    # The Japanese firm makes food machines and needs wire harnesses; the Thai firm makes
    # harnesses and wants Japanese buyers of them. The score counts "a buyer of what I make"
    # as meeting the Thai firm's need, but no reason may claim that the Thai firm is looking
    # for food machines.
    profiles = [
        Profile(
            id=1,
            ref="J",
            name="J",
            country="JP",
            sector="28",
            offers="食品加工機械を製造しています。",
            seeks="タイで自動車用ワイヤーハーネスを供給できる会社を探しています。",
            partnership=("supplier",),
        ),
        Profile(
            id=2,
            ref="T",
            name="T",
            country="TH",
            sector="27",
            offers="ผลิตชุดสายไฟรถยนต์",
            seeks="หาลูกค้าญี่ปุ่นที่ต้องการซื้อชุดสายไฟรถยนต์",
            partnership=("buyer",),
        ),
    ]
    m = Matcher(embedder)
    m.load_profiles(profiles)
    (match,) = m.match(1, k=1)
    assert "match.reason.seeks_you" not in match.reason_keys
    assert "match.reason.concept_they_seek" not in match.reason_keys
    # What they offer is named as the glossary's concept (wire harnesses) on both sides.
    keys = {"match.reason.concept_they_offer", "match.reason.partner_they_supply"}
    assert keys <= set(match.reason_keys)
    assert any("wire harness" in r.lower() for r in match.reasons)


def test_description_asking_for_buyers_meets_the_others_needs(
    matcher: Matcher, directory: dict[str, int]
) -> None:
    # A Thai firm without a profile: "Japanese companies that want to order moulds".
    matches = matcher.match_text("หาลูกค้าญี่ปุ่นที่ต้องการสั่งทำแม่พิมพ์ฉีดพลาสติก", country="TH", k=3, lang="th")
    assert matches[0].ref == "JP-MOULD"
    assert "match.reason.needs_described" in matches[0].reason_keys
    # A need for a product is still compared with what the others offer.
    assert matcher.match_text("Looking for frozen shrimp", country="JP", k=1)[0].ref == "TH-SHRIMP"


def _japanese_buyer(sector: str, offers: str, seeks: str, **more):
    """A Japanese firm (id 1) that wants a supplier."""
    from matching.snapshot import Profile

    return Profile(
        id=1,
        ref="J",
        name="J",
        country="JP",
        sector=sector,
        offers=offers,
        seeks=seeks,
        partnership=("supplier",),
        **more,
    )


def _towel_buyer():
    """A Japanese apparel firm with a base in Chonburi that seeks towels."""
    return _japanese_buyer(
        "14",
        "アパレル製品の企画・販売をしています。",
        "タイ国内のタオルサプライヤーを探しています",
        employees=300,
        thai_base="Chonburi",
    )


def _thai_seller(id_: int, ref: str, sector: str, offers: str, **more):
    """A Thai company in Chonburi that wants buyers."""
    from matching.snapshot import Profile

    return Profile(
        id=id_,
        ref=ref,
        name=ref,
        country="TH",
        sector=sector,
        offers=offers,
        partnership=("buyer",),
        location="Chonburi",
        **more,
    )


def test_the_product_outranks_a_fitting_sector_that_offers_nothing_asked(embedder) -> None:
    from dataclasses import replace

    from matching.scoring import DEFAULT_WEIGHTS

    # The Japanese firm seeks towels. One Thai SME makes hotel towels (a paper-and-linen
    # division, a little smaller, with a need of its own that is not the Japanese firm's
    # offer); the other makes network equipment, but in the textile division next to
    # apparel, in Chonburi, of the same size. The towels come first.
    jp = _towel_buyer()
    towels = _thai_seller(
        2, "TOWEL", "17", "ผลิตผ้าเช็ดตัวโรงแรม", employees=20, seeks="หาลูกค้าญี่ปุ่นที่ต้องการซื้อผ้าห่ม"
    )
    network = _thai_seller(3, "NET", "13", "เราเป็นผู้ผลิตอุปกรณ์เครือข่าย", employees=300)

    def scores(weights) -> dict[str, float]:
        m = Matcher(embedder, weights=weights)
        m.load_profiles([jp, towels, network])
        return {x.ref: x.score for x in m.match(1, k=2)}

    with_rule = scores(DEFAULT_WEIGHTS)
    assert list(with_rule) == ["TOWEL", "NET"]
    # The relevance rule cuts the company whose text answers nothing asked, and only it.
    without = scores(replace(DEFAULT_WEIGHTS, relevance_floor=1.0))
    assert with_rule["NET"] < without["NET"] - 0.05
    assert with_rule["TOWEL"] == pytest.approx(without["TOWEL"])


def test_a_seller_is_not_ranked_below_itself_for_writing_a_need(embedder) -> None:
    # Two Thai makers of the same towels; one left "what you look for" empty, one wrote a
    # sentence that names no product. An empty field is not better than a sentence.
    def thai(id_: int, ref: str, seeks: str = ""):
        return _thai_seller(id_, ref, "13", "ผลิตผ้าเช็ดตัวโรงแรม", seeks=seeks)

    jp = _towel_buyer()
    blank, wrote = thai(2, "BLANK"), thai(3, "WROTE", "หาพันธมิตรญี่ปุ่นเพื่อขยายตลาด")
    m = Matcher(embedder)
    m.load_profiles([jp, blank, wrote])
    got = {x.ref: x.score for x in m.match(1, k=2)}
    assert got["WROTE"] == pytest.approx(got["BLANK"], abs=1e-4)
    # ... and one asking for Japanese buyers of the very product counts it in its favour.
    m.load_profiles([jp, blank, thai(4, "ASKS", "หาลูกค้าญี่ปุ่นที่ต้องการซื้อผ้าขนหนู")])
    got = {x.ref: x.score for x in m.match(1, k=2)}
    assert got["ASKS"] > got["BLANK"] + 0.01


def test_a_seller_asking_for_buyers_of_the_product_says_so_beside_the_product(embedder) -> None:
    jp = _japanese_buyer("10", "水産加工品の卸売をしています。", "タイで冷凍エビを探しています")
    shrimp = _thai_seller(2, "SHRIMP", "10", "ผลิตกุ้งแช่แข็งส่งออก", seeks="หาลูกค้าญี่ปุ่นที่ต้องการซื้อกุ้งแช่แข็ง")
    m = Matcher(embedder)
    m.load_profiles([jp, shrimp])
    top = m.match(1, k=1, lang="en")[0]
    # The product named on both sides, and the seller's own words asking for buyers of it.
    assert "match.reason.concept_they_offer" in top.reason_keys
    assert "match.reason.sells_what_you_seek" in top.reason_keys
    assert any(r.startswith("They are looking for buyers of what you need") for r in top.reasons)
