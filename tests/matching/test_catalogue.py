from __future__ import annotations

import re
import string

from core.i18n import catalogue

LABELS = (
    "match.intro.incoming_note",
    "match.button.",
    "match.ptype.",
    "match.country.",
    "match.status.",
    "match.card.",
    "match.contact.",
    "match.strength.",
)


def matching_keys() -> list[str]:
    return sorted(k for k in catalogue() if k.startswith("match."))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_matching_sentence_in_three_languages_with_the_same_placeholders() -> None:
    keys = matching_keys()
    assert len(keys) > 60
    for key in keys:
        entry = catalogue()[key]
        assert set(entry) == {"th", "ja", "en"}, key
        assert fields(entry["th"]) == fields(entry["ja"]) == fields(entry["en"]), key


def test_thai_sentences_are_polite() -> None:
    for key in matching_keys():
        if key.startswith(LABELS):
            continue
        for line in catalogue()[key]["th"].split("\n"):
            if "{contact}" in line:
                continue
            assert re.search(r"(ครับ)(\s*“[^”]*”)?$", line.strip()), (key, line)


def test_japanese_sentences_are_desu_masu() -> None:
    for key in matching_keys():
        if key.startswith(LABELS):
            continue
        text = catalogue()[key]["ja"]
        assert re.search(r"(です|ます|ました|ください|ません)", text), (key, text)
        assert not re.search(r"(だ|である)。", text), (key, text)
