"""Message catalogue: every user-facing sentence, in th, ja and en.

Catalogue files are TOML under `core/messages/`, one per feature, each key a table with
one string per language:

    [menu.register]
    th = "ลงทะเบียนบริษัท"
    ja = "会社を登録"
    en = "Register my company"

Keys are dotted paths; a key defined in two files is an error.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from core.types import LANGS, Lang

MESSAGES_DIR = Path(__file__).parent / "messages"


class CatalogueError(ValueError):
    pass


def _flatten(
    prefix: str, table: dict[str, Any], out: dict[str, dict[str, str]], source: str
) -> None:
    if any(isinstance(table.get(lang), str) for lang in LANGS):
        if not all(isinstance(table.get(lang, ""), str) for lang in LANGS):
            raise CatalogueError(f"{source}: {prefix} mixes sentences and sub-keys")
        extra = set(table) - set(LANGS)
        if extra:
            raise CatalogueError(
                f"{source}: {prefix} mixes languages with sub-keys {sorted(extra)}"
            )
        if prefix in out:
            raise CatalogueError(f"{source}: {prefix} is defined twice")
        out[prefix] = {lang: table[lang] for lang in LANGS if lang in table}
        return
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            raise CatalogueError(f"{source}: {name} must be a table of th/ja/en strings")
        _flatten(name, value, out, source)


def load_catalogue(directory: Path = MESSAGES_DIR) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), out, path.name)
    return out


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return load_catalogue()


def t(key: str, lang: Lang, /, **params: object) -> str:
    """The sentence `key` in `lang`, with `{name}` placeholders filled from params."""
    try:
        entry = catalogue()[key]
    except KeyError:
        raise KeyError(f"message {key!r} is not in the catalogue") from None
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in catalogue()
