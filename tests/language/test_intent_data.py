"""The intent data and the benchmark's labelled sentences stay apart and well formed.

The classifier is fitted on the examples (`language/data/intents.toml`) and the
development sentences (`language/data/intents_dev.tsv`). The examples must not contain a
development sentence (dev is reported by cross-validation: a copy among the examples would
make that measure memory) nor a test sentence, and the two splits share none. Compared
after `fold` (case, width, spaces).
"""

from __future__ import annotations

from collections import Counter

from benchmarks.intents import load_split
from language.intents import FORM_INTENTS, NONE, IntentData, load_intents
from language.normalize import fold


def _examples() -> set[str]:
    data = load_intents(labelled=None)
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


def test_the_model_is_fitted_on_the_examples_and_every_dev_sentence() -> None:
    def count(data: IntentData) -> Counter[str]:
        found = Counter({name: len(rows) for name, rows in data.examples.items()})
        found[NONE] = len(data.none)
        return found

    dev = Counter(row.intent for row in load_split("dev"))
    assert count(load_intents()) == count(load_intents(labelled=None)) + dev
    fitted = {fold(text) for rows in load_intents().examples.values() for _, text in rows}
    fitted |= {fold(text) for _, text in load_intents().none}
    assert {fold(row.text) for row in load_split("dev")} <= fitted


def test_thanks_is_told_from_a_plain_ok() -> None:
    data = load_intents()
    said = [
        "ขอบคุณมากค่ะ",
        "แต้งกิ้วค่ะ",
        "ありがとうございました",
        "助かりました",
        "Thank you!",
        "ty",
        "🙏",
    ]
    only_ok = [
        "โอเคค่า",
        "รับทราบครับ",
        "了解です",
        "承知しました",
        "ok",
        "noted",
        "👍",
        "party",
        "quality",
    ]
    assert [t for t in said if not data.thanks_in(t)] == []
    assert [t for t in only_ok if data.thanks_in(t)] == []
