"""The intent data and the benchmark's labelled sentences stay apart and well formed.

The examples the classifier is fitted on (`language/data/intents.toml`) must not contain
a development or test sentence, or the benchmark would measure memory; the two splits
must not share a sentence either. Compared after `fold` (case, width, spaces).
"""

from __future__ import annotations

from benchmarks.intents import load_split
from language.intents import FORM_INTENTS, NONE, load_intents
from language.normalize import fold


def _examples() -> set[str]:
    data = load_intents()
    texts = [text for rows in data.examples.values() for _, text in rows]
    texts += [text for _, text in data.none]
    return {fold(t) for t in texts}


def test_no_labelled_sentence_is_an_example() -> None:
    examples = _examples()
    for split in ("dev", "test"):
        leaked = [r.text for r in load_split(split) if fold(r.text) in examples]
        assert leaked == [], (split, leaked)


def test_dev_and_test_share_no_sentence() -> None:
    dev = {fold(r.text) for r in load_split("dev")}
    shared = [r.text for r in load_split("test") if fold(r.text) in dev]
    assert shared == []


def test_rows_are_well_formed() -> None:
    names = set(load_intents().examples) | {NONE}
    dev, test = load_split("dev"), load_split("test")
    assert len(dev) + len(test) >= 400
    for row in dev + test:
        assert row.lang in {"th", "ja", "en"} and row.context in {"idle", "form"}, row
        assert row.intent in names, row
        if row.context == "form":
            assert row.intent in FORM_INTENTS | {NONE}, row
