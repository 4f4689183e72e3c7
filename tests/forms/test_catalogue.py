"""Every user-facing string the forms and the skill use exists in th, ja and en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.i18n import catalogue, t
from core.types import LANGS
from language.detect import detect
from registration.forms.definitions import FORMS
from registration.forms.fields import NumberField

ROOT = Path(__file__).resolve().parents[2]


def _form_keys() -> set[str]:
    keys: set[str] = set()
    for form in FORMS.values():
        keys.add(form.title)
        for field in form.fields:
            keys.update({field.prompt, field.label})
            if isinstance(field, NumberField) and field.unit:
                keys.add(field.unit)
    return keys


def _source_keys() -> set[str]:
    """Catalogue keys written as string literals in the registration sources."""
    sources = [
        *sorted((ROOT / "registration").glob("*.py")),
        *sorted((ROOT / "registration" / "forms").glob("*.py")),
    ]
    keys: set[str] = set()
    for path in sources:
        for key in re.findall(
            r"\"((?:reg|form|menu|language|fallback)\.[a-z_.]+)\"", path.read_text()
        ):
            if not key.endswith("."):
                keys.add(key)
    # keys built with f-strings
    keys.update(f"reg.size.{s}" for s in ("micro", "small", "medium", "large"))
    keys.update(f"reg.sector_group.{g}" for g in ("manufacturing", "trade", "service"))
    return keys


def test_every_form_key_in_three_languages() -> None:
    cat = catalogue()
    keys = _form_keys() | _source_keys()
    assert len(keys) > 80
    missing = {k for k in keys if k not in cat}
    assert not missing
    for key in keys:
        assert set(cat[key]) == set(LANGS), key
        assert all(cat[key][lang].strip() for lang in LANGS), key


@pytest.mark.parametrize("key", sorted(k for k in catalogue() if k.startswith(("reg.", "form."))))
def test_registration_strings_are_written_in_their_language(key: str) -> None:
    entry = catalogue()[key]
    for lang in LANGS:
        # placeholders and the Japanese term 法人番号 quoted in other languages do not count
        text = re.sub(r"{\w+}", "", entry[lang])
        detected = detect(text)
        # Strings that are only codes or punctuation ("(1/16)", "ISO 9001") have no script.
        if lang == "en" or detected is None:
            assert detected in (None, "en"), (key, lang)
        elif not re.fullmatch(r"[\s\-{}()/0-9a-z_（）]+", entry[lang]):
            assert detected == lang, (key, lang, entry[lang])


def test_thai_voice_is_polite() -> None:
    for key, entry in catalogue().items():
        sentence = not entry["th"].rstrip().endswith(":")
        if (
            key.startswith(("reg.q.", "reg.delete.", "reg.profile."))
            and len(entry["th"]) > 25
            and sentence
        ):
            assert re.search(r"ครับ", entry["th"]), key


def test_placeholders_are_the_same_in_each_language() -> None:
    for key, entry in catalogue().items():
        if not key.startswith(("reg.", "form.")):
            continue
        names = [set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGS]
        assert names[0] == names[1] == names[2], key
        t(key, "th", **dict.fromkeys(names[0], "x"))
