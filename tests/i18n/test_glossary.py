"""One glossary (language/data/glossary.toml): no listed wrong variant appears anywhere a
user reads, and every term is written in th, ja and en."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.i18n import catalogue
from language.reference import glossary, term

ROOT = Path(__file__).resolve().parents[2]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def user_facing_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every text a user may read."""
    for key, entry in catalogue().items():
        for lang, text in entry.items():
            yield f"catalogue {key}.{lang}", text
    for path in (ROOT / "language/data/choices.toml", ROOT / "registration/data/programmes.toml"):
        with path.open("rb") as fh:
            for i, text in enumerate(_strings(tomllib.load(fh))):
                yield f"{path.relative_to(ROOT)} #{i}", text
    for path in sorted((ROOT / "knowledge/starter").glob("*.md")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_every_term_has_three_languages_and_no_right_form_contains_a_wrong_one() -> None:
    terms = glossary()
    assert len(terms) >= 10
    for code, entry in terms.items():
        for lang in ("th", "ja", "en"):
            assert entry.label(lang).strip(), (code, lang)
            assert entry.label(lang, abbreviated=True).strip(), (code, lang)
        rights = [entry.th, entry.ja, entry.en, *entry.short.values()]
        for wrong in entry.wrong:
            assert not any(wrong in right for right in rights), (code, wrong)


def offences(code: str, texts: Iterator[tuple[str, str]]) -> list[tuple[str, str]]:
    """(where, wrong variant) for each listed wrong variant of `code` found in `texts`."""
    wrongs = glossary()[code].wrong
    return [(where, wrong) for where, text in texts for wrong in wrongs if wrong in text]


@pytest.mark.parametrize("code", sorted(glossary()))
def test_no_wrong_variant_is_user_facing(code: str) -> None:
    found = offences(code, user_facing_texts())
    assert not found, f"{code}: write {term(code, 'ja')!r} / {term(code, 'th')!r}: {found}"


def test_the_check_finds_a_wrong_variant_in_a_starter_document(tmp_path: Path) -> None:
    page = "# OSMEP\n" + (ROOT / "knowledge/starter/osmep-sme-definition.ja.md").read_text()
    page = page.replace("タイ中小企業振興事務局", "タイ中小企業振興局", 1)
    assert offences("osmep", iter([("planted", page)])) == [
        ("planted", "タイ中小企業振興局"),
        ("planted", "中小企業振興局"),
    ]
    assert offences("size_rule", iter([("old", "大きい方の規模が適用されます")]))


def test_the_bot_speaks_thai_with_one_voice() -> None:
    """ครับ throughout: no ค่ะ/คะ in what the bot writes (the catalogue and the programme
    rules; what users may type, the choices' aliases, may have either)."""
    import re

    with (ROOT / "registration/data/programmes.toml").open("rb") as fh:
        rules = list(_strings(tomllib.load(fh)))
    texts = [entry["th"] for entry in catalogue().values()] + rules
    female = [text for text in texts if re.search(r"ค่ะ|คะ(?![\u0e01-\u0e4e])", text)]
    assert not female, female[:5]
