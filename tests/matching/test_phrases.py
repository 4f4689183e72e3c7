"""Product phrases, certificates and markets taken out, names with a slip (issue 12)."""

from __future__ import annotations

from matching.concepts import Glossary, concept_tokens
from matching.engine import Matcher
from matching.linker import respellings
from matching.phrases import Boilerplate
from matching.scoring import product_text, without_certs

THAI_OFFERS = [
    f"เราเป็นผู้ผลิต{p} มีประสบการณ์มากกว่า {n} ปี"
    for n, p in enumerate(["แม่พิมพ์", "ชิ้นส่วนยานยนต์", "กุ้งแช่แข็ง", "ข้าวหอมมะลิ", "สายไฟ", "ยางรถยนต์"])
]


def test_words_most_texts_share_are_boilerplate() -> None:
    model = Boilerplate(THAI_OFFERS, concept_tokens, share=0.3, least=3)
    assert {"มีประสบการณ์", "มากกว่า", "ปี"} <= model.common["th"]
    phrase = model.phrase("เราเป็นผู้ผลิตถุงมือยาง มีประสบการณ์มากกว่า 9 ปี")
    assert phrase == "ถุงมือยาง"  # a bare number says nothing about the product
    # A text made only of common words keeps itself.
    assert model.phrase("มีประสบการณ์มากกว่า") == "มีประสบการณ์มากกว่า"


ENGLISH_OFFERS = [
    f"Our factory supplies {p} to customers"
    for p in ("gaskets", "moulds", "wire harnesses", "frozen shrimp", "rice", "tyres")
]


def test_words_of_longer_names_are_boilerplate_only_when_very_common() -> None:
    # "factory" is in 6 of 10 texts: part of a longer name (factory automation), it is
    # boilerplate above name_share; "gasket", a product's whole name, never is.
    texts = [*ENGLISH_OFFERS, "gasket", "gasket seal", "o-ring", "valve"]
    names = frozenset({"factory", "gasket"})
    model = Boilerplate(
        texts,
        concept_tokens,
        share=0.3,
        least=3,
        keep=frozenset({"gasket"}),
        names=names,
        name_share=0.5,
    )
    assert "factory" in model.common["en"]
    assert "gasket" not in model.common["en"]
    assert model.phrase("Our factory supplies gaskets to customers") == "gasket"
    lenient = Boilerplate(texts, concept_tokens, share=0.3, least=3, names=names, name_share=0.7)
    assert "factory" not in lenient.common["en"]
    assert "supply" in lenient.common["en"]


def test_latin_words_of_thai_texts_are_counted_as_english() -> None:
    texts = [f"รับผลิต {p} (OEM) สำหรับลูกค้าต่างประเทศ" for p in ("gaskets", "moulds", "hoses")]
    texts += ["OEM cosmetics", "OEM garments"]
    model = Boilerplate(texts, concept_tokens, share=0.3, least=3)
    assert "oem" in model.common["en"]
    assert "oem" not in model.common.get("th", frozenset())
    assert model.phrase("รับผลิต valves (OEM) สำหรับลูกค้าต่างประเทศ") == "valve"


def test_certificates_and_markets_are_not_the_product() -> None:
    assert without_certs("Seeking rubber seals; JIS required", ("JIS",)) == "Seeking rubber seals"
    assert "ISO" not in without_certs("金属部品の調達先。ISO 14001必須", ())
    assert without_certs("We make halal food", ("Halal",)) == "We make halal food"
    assert product_text("自動車向けの布地を扱うメーカー") == "布地を扱うメーカー"
    assert product_text("Supplier of fabric to the food industry") == "Supplier of fabric"
    assert product_text("ผลิตผ้าทอ สำหรับลูกค้าในอุตสาหกรรมยานยนต์") == "ผลิตผ้าทอ"


def test_a_name_with_one_slip_reaches_its_concept(embedder) -> None:
    g = Glossary.load()
    m = Matcher(embedder, glossary=g)
    for text, cid in (
        ("Looking for a Thai supplier of fiebrglass", "frp"),
        ("We manufacture wire harneses", "wire_harness"),
    ):
        assert g.named(text) == () or g.by_id[cid].index not in g.named(text)
        weights = m.linker.weights(text)
        assert max(weights, key=weights.__getitem__) == g.by_id[cid].index, text


def test_a_product_text_without_any_product_links_to_nothing(embedder) -> None:
    m = Matcher(embedder)
    assert m.linker.weights("มองหาลูกค้าญี่ปุ่น") == {}


def test_a_phrase_with_one_slip_takes_the_directorys_better_known_spelling() -> None:
    phrases = ["fabric", "farbic", "กระเป๋าหนัง", "กระเป๋หนัง", "プラスチック部品", "プラスチック製品"]
    phrases += ["sweet rice", "swete rice"]
    well = {"fabric": 0.9, "กระเป๋าหนัง": 0.8, "sweet rice": 0.55}

    def known(ps: list[str]) -> list[float]:
        return [well.get(p, 0.5) for p in ps]

    out = respellings(phrases, known)
    assert out["farbic"] == "fabric"  # two letters swapped
    assert out["กระเป๋หนัง"] == "กระเป๋าหนัง"  # a letter dropped
    assert "fabric" not in out
    # A letter replaced is another word (部品 / 製品), not a slip; a spelling hardly
    # better known is left as written.
    assert "プラスチック部品" not in out and "プラスチック製品" not in out
    assert "swete rice" not in out
