"""Every user-facing sentence exists in Thai, Japanese and English, and reads as such."""

from __future__ import annotations

import re
import string

import pytest

from core.i18n import CatalogueError, catalogue, load_catalogue, t
from language.detect import detect

ENTRIES = sorted(catalogue().items())


def _prose(text: str) -> str:
    """The text without its {placeholders}: what a reader actually reads."""
    return re.sub(r"\{[^}]*\}", "", text)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogue_is_not_empty_and_has_the_core_sentences() -> None:
    for key in (
        "greeting",
        "menu.title",
        "help",
        "language.choose",
        "coming_soon",
        "error.internal",
    ):
        assert key in catalogue()


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[k for k, _ in ENTRIES])
def test_every_key_has_three_languages_in_the_right_script(key: str, entry: dict[str, str]) -> None:
    assert set(entry) == {"th", "ja", "en"}, f"{key} lacks { ({'th', 'ja', 'en'} - set(entry)) }"
    for lang, text in entry.items():
        assert text.strip(), f"{key}.{lang} is empty"
    assert (
        re.search(r"[\u0e00-\u0e7f]", entry["th"])
        or not re.search(r"[A-Za-z]{4,}", entry["th"])
        or _is_proper_noun(entry["th"])
    ), key
    # Thai and Japanese sentences must be written in their script (names like "LINE" aside).
    th, ja = _prose(entry["th"]), _prose(entry["ja"])
    if len(re.findall(r"[^\W\d_]", th)) > 12:
        assert detect(th) == "th", f"{key}.th does not read as Thai"
    if len(re.findall(r"[^\W\d_]", ja)) > 6:
        assert detect(ja) == "ja", f"{key}.ja does not read as Japanese"
    assert not re.search(r"[\u0e00-\u0e7f\u3040-\u30ff]", entry["en"]), f"{key}.en has Thai or kana"


def _is_proper_noun(text: str) -> bool:
    return len(text.split()) <= 2


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[k for k, _ in ENTRIES])
def test_placeholders_match_across_languages(key: str, entry: dict[str, str]) -> None:
    names = {lang: _placeholders(text) for lang, text in entry.items()}
    assert names["th"] == names["ja"] == names["en"], f"{key}: {names}"


def test_polite_register() -> None:
    """Thai sentences end politely (ค่ะ/คะ); Japanese sentences use です/ます."""
    for key, entry in ENTRIES:
        th, ja = _prose(entry["th"]), _prose(entry["ja"])
        if len(re.findall(r"[\u0e00-\u0e7f]", th)) > 40 and not th.rstrip().endswith(
            ":"
        ):  # full sentences, not button labels
            assert "ค่ะ" in th or "คะ" in th or "ครับ" in th, (
                f"{key}.th is not in the polite register"
            )
        if len(ja) > 25 and "。" in ja:
            assert re.search(r"(です|ます|ません|ください|でした|ました)", ja), (
                f"{key}.ja is not です/ます"
            )


def test_duplicate_keys_across_files_are_refused(tmp_path) -> None:
    (tmp_path / "a.toml").write_text('[x]\nth = "ก"\nja = "あ"\nen = "a"\n')
    (tmp_path / "b.toml").write_text('[x]\nth = "ข"\nja = "い"\nen = "b"\n')
    with pytest.raises(CatalogueError, match="defined twice"):
        load_catalogue(tmp_path)


def test_t_fills_placeholders_and_refuses_unknown_keys() -> None:
    assert t("greeting", "ja").startswith("こんにちは")
    with pytest.raises(KeyError):
        t("no.such.key", "en")
