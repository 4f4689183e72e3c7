"""How a text the glossary does not name is linked to concepts (issue 12): the company's
own division, a narrower concept of a partial name, a misspelt name inside a phrase."""

from __future__ import annotations

from dataclasses import replace

from matching.concepts import Glossary
from matching.engine import Matcher
from matching.linker import _slip_inside
from matching.scoring import DEFAULT_WEIGHTS, linked_divisions

DROPPED = {
    ("fasteners", "ja", "リベット"),
    ("refractories", "en", "firebricks"),
    ("packaging_printing", "en", "flexographic printing"),
}


def _linked(m: Matcher, text: str, divisions: frozenset[str] = frozenset()) -> set[str]:
    """The concepts a text is linked to at full link weight (not through a broader one)."""
    weights = m.linker.weights(text, divisions)
    return {m.glossary.concepts[i].id for i, w in weights.items() if w >= 0.8}


def test_the_companys_own_division_decides_between_near_concepts(embedder) -> None:
    m = Matcher(embedder, glossary=Glossary.load(drop=DROPPED))
    # Alone, "リベット" (rivets) lands on unrelated concepts and "firebricks" on fire
    # protection; a fabricated-metal maker (25) means fasteners, a maker of
    # non-metallic mineral products (23) means refractories.
    assert "fasteners" not in _linked(m, "リベットを製造しています")
    assert "fasteners" in _linked(m, "リベットを製造しています", linked_divisions("25", "offers"))
    assert "refractories" not in _linked(m, "We manufacture firebricks")
    assert "refractories" in _linked(
        m, "We manufacture firebricks", linked_divisions("23", "offers")
    )
    # What a company seeks may come from the divisions that supply it.
    assert {"22", "29"} <= linked_divisions("29", "seeks")
    assert linked_divisions(None, "offers") == frozenset()


def test_the_division_is_used_for_the_directorys_rows(embedder) -> None:
    from matching.snapshot import Profile

    def thai(id_: int, sector: str | None) -> Profile:
        return Profile(
            id=id_,
            ref=f"T{id_}",
            name="T",
            country="TH",
            sector=sector,
            offers="リベットを製造しています",
        )

    m = Matcher(embedder, glossary=Glossary.load(drop=DROPPED))
    m.load_profiles([thai(1, "25"), thai(2, None)])
    fasteners = m.glossary.by_id["fasteners"].index
    vec_25 = m.snapshot.concept_vector(m.snapshot.row_of[1], "offers")
    vec_none = m.snapshot.concept_vector(m.snapshot.row_of[2], "offers")
    assert vec_25 is not None and vec_25[fasteners] >= 0.8
    assert vec_none is None or vec_none[fasteners] == 0


def test_a_partial_name_gives_way_to_its_narrower_concept(embedder) -> None:
    g = Glossary.load(drop=DROPPED)
    text = "We need flexographic printing sourced locally in Thailand"
    assert g.by_id["printing"].index in g.named(text)  # "printing" alone is named
    m = Matcher(embedder, glossary=g)
    weights = m.linker.weights(text)
    packaging, printing = g.by_id["packaging_printing"].index, g.by_id["printing"].index
    assert weights[packaging] > weights[printing]
    off = Matcher(embedder, glossary=g, weights=replace(DEFAULT_WEIGHTS, narrower=0.0))
    assert max(off.linker.weights(text).items(), key=lambda kv: kv[1])[0] == printing


def test_a_misspelt_name_must_keep_its_first_and_last_letters() -> None:
    assert _slip_inside("fiberglass", "fiebrglasssheets")  # two letters swapped
    assert _slip_inside("harness", "wireharnes")  # a letter dropped
    assert not _slip_inside("motors", "motorcyleparts")  # "motor" is not "motors"
    assert not _slip_inside("3dprinting", "padprinting")
    assert not _slip_inside("rivets", "drivetrainpart")


def test_a_misspelt_longer_word_is_not_a_shorter_name(embedder) -> None:
    m = Matcher(embedder)
    weights = m.linker.weights("We manufacture motorcyle parts")
    assert m.glossary.by_id["electric_motors"].index not in weights
