"""Field types of a form. A field turns typed text (or a button) into a stored value.

Values are JSON-serialisable (str, int, list[str], bool) because the form's state lives
in the conversation data. `parse` raises `Invalid` with a catalogue key explaining the
problem, or returns `Candidates` when the user should pick among close matches.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.i18n import t
from core.types import Lang
from language import parse as validators
from language import reference, taxonomy
from language.format import join_list, money_text
from language.normalize import fold, normalize_text
from language.parse import Invalid
from language.reference import Choice

Answers = Mapping[str, Any]
Condition = Callable[[Answers], bool]


@dataclass(frozen=True)
class Candidates:
    """Close matches the user should choose from (codes, best first)."""

    codes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Field(ABC):
    name: str
    prompt: str  # catalogue key of the question
    label: str  # catalogue key of the short name shown in summaries ("Phone")
    required: bool = True
    when: Condition | None = None  # asked only when this returns True for the answers so far
    aliases: tuple[str, ...] = ()  # extra words for "edit <field>" (any language)
    multi = False

    def active(self, answers: Answers) -> bool:
        return self.when is None or bool(self.when(answers))

    @abstractmethod
    def parse(self, text: str, lang: Lang) -> Any:
        """The value for typed `text`, or `Candidates`; raises `Invalid`."""

    def choices(self) -> tuple[Choice, ...]:
        """Fixed choices shown as buttons; empty for free-text fields."""
        return ()

    def option_label(self, code: str, lang: Lang) -> str:
        """Label of one candidate code offered by `parse` (pickers)."""
        return code

    def display(self, value: Any, lang: Lang) -> str:
        if value is None or value == [] or value == "":
            return t("form.value.none", lang)
        return str(value)

    def is_valid_value(self, value: Any) -> bool:
        """Whether a stored value has this field's type (for state checks)."""
        return value is None or isinstance(value, str)


@dataclass(frozen=True, kw_only=True)
class TextField(Field):
    max_len: int = 300
    min_len: int = 1

    def parse(self, text: str, lang: Lang) -> str:
        return validators.parse_text(text, min_len=self.min_len, max_len=self.max_len)


@dataclass(frozen=True, kw_only=True)
class NumberField(Field):
    minimum: int = 0
    maximum: int = 10**15
    unit: str | None = None  # catalogue key of the unit shown after the number

    def parse(self, text: str, lang: Lang) -> int:
        value = validators.parse_number(text)
        if value < self.minimum:
            raise Invalid("form.error.number_min", min=f"{self.minimum:,}")
        if value > self.maximum:
            raise Invalid("form.error.number_max", max=f"{self.maximum:,}")
        return value

    def display(self, value: Any, lang: Lang) -> str:
        if value is None:
            return t("form.value.none", lang)
        if self.unit == "reg.unit.baht":
            return money_text(value, lang)  # 5,000万バーツ, 50 ล้านบาท
        text = f"{value:,}"
        space = "" if lang == "ja" else " "  # 1,200名
        return f"{text}{space}{t(self.unit, lang)}" if self.unit else text

    def is_valid_value(self, value: Any) -> bool:
        return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _split_items(text: str) -> list[str]:
    parts = re.split(r"[,、，;/／・\n]|\s*(?:\s+and\s+|และ|กับ)\s*", text)
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True, kw_only=True)
class ChoiceField(Field):
    options: Callable[[], tuple[Choice, ...]]
    invalid_key: str = "form.error.choice"

    def choices(self) -> tuple[Choice, ...]:
        return self.options()

    def by_code(self, code: str) -> Choice | None:
        return next((c for c in self.choices() if c.code == code), None)

    def parse(self, text: str, lang: Lang) -> str:
        choices = self.choices()
        number = normalize_text(text)
        if number.isdigit() and 1 <= int(number) <= len(choices):
            return choices[int(number) - 1].code
        choice = reference.best_choice(text, choices)
        if choice is None:
            raise Invalid(self.invalid_key)
        return choice.code

    def display(self, value: Any, lang: Lang) -> str:
        choice = self.by_code(value) if isinstance(value, str) else None
        return choice.label(lang) if choice else super().display(value, lang)

    def is_valid_value(self, value: Any) -> bool:
        return value is None or self.by_code(value) is not None


@dataclass(frozen=True, kw_only=True)
class ConsentField(ChoiceField):
    """Agree / do not agree; only agreeing answers the question."""

    def parse(self, text: str, lang: Lang) -> str:
        code = super().parse(text, lang)
        if code != "agree":
            raise Invalid("form.error.consent_required")
        return code

    def is_valid_value(self, value: Any) -> bool:
        return value is None or value == "agree"


@dataclass(frozen=True, kw_only=True)
class MultiChoiceField(ChoiceField):
    """Several choices: buttons toggle, typed items add, "done" finishes."""

    multi = True

    def parse_items(self, text: str) -> tuple[list[str], list[str]]:
        """(codes understood, items not understood) of a typed list: every item is kept or
        named back, none dropped. Items are split on the separators people use; an item
        that matches nothing as a whole is tried word by word ("ฮาลาล อย.")."""
        codes: list[str] = []
        unknown: list[str] = []
        for item in _split_items(text):
            words = item.split()
            found = [self._item_code(word) for word in words] if len(words) > 1 else []
            code = self._item_code(item)
            if code is not None and len({c for c in found if c}) < 2:
                codes.append(code)  # one choice, perhaps of several words ("ISO 9001")
                continue
            if any(found):
                codes += [c for c in found if c is not None]
                unknown += [w for w, c in zip(words, found, strict=True) if c is None]
            else:
                unknown.append(item)
        return list(dict.fromkeys(codes)), unknown

    def _item_code(self, item: str) -> str | None:
        choices = self.choices()
        norm = normalize_text(item)
        if norm.isdigit() and 1 <= int(norm) <= len(choices):
            return choices[int(norm) - 1].code
        choice = reference.best_choice(item, choices)
        return choice.code if choice is not None else None

    def parse_many(self, text: str) -> list[str]:
        codes, unknown = self.parse_items(text)
        if unknown:
            if codes or len(unknown) > 1:
                raise Invalid("form.error.choice_item", item=", ".join(unknown)[:60])
            raise Invalid(self.invalid_key)
        if not codes:
            raise Invalid(self.invalid_key)
        return codes

    def parse(self, text: str, lang: Lang) -> list[str]:  # type: ignore[override]
        return self.parse_many(text)

    def display(self, value: Any, lang: Lang) -> str:
        if not value:
            return t("form.value.none", lang)
        labels = [c.label(lang) for code in value if (c := self.by_code(code)) is not None]
        return join_list(labels, lang)  # 仕入先・サプライヤー、合弁事業

    def is_valid_value(self, value: Any) -> bool:
        return value is None or (
            isinstance(value, list) and all(isinstance(v, str) and self.by_code(v) for v in value)
        )


# "จังหวัดชลบุรี", "จ.ชลบุรี", "Chonburi province", "Rayong, Thailand"
_PLACE_WORDS = re.compile(
    r"^(?:จังหวัด|จ\.)\s*|\s*(?:province|prefecture|, ?thailand|, ?japan|ประเทศไทย)$", re.IGNORECASE
)


@dataclass(frozen=True, kw_only=True)
class PlaceField(ChoiceField):
    """A Thai province or Japanese prefecture: typed, fuzzy, no buttons (too many)."""

    invalid_key: str = "form.error.place"

    def choices(self) -> tuple[Choice, ...]:
        return ()  # no buttons; `parse` searches the full list

    def by_code(self, code: str) -> Choice | None:
        return next((c for c in self.options() if c.code == code), None)

    def parse(self, text: str, lang: Lang) -> str | Candidates:  # type: ignore[override]
        text = _PLACE_WORDS.sub(" ", normalize_text(text)).strip() or text
        scored = reference.match_choices(text, self.options(), min_score=78.0)
        if not scored:
            # An address ("Bang Lamung, Chon Buri 20150", "愛知県名古屋市..."): a place
            # name inside it.
            inside = self._named_in(text)
            if len(inside) == 1:
                return inside[0]
            if inside:
                return Candidates(tuple(inside[:5]))
            raise Invalid(self.invalid_key)
        top = scored[0][1]
        close = [c for c, s in scored if s >= top - 8][:5]
        if top >= 100 or len(close) == 1:
            return scored[0][0].code
        return Candidates(tuple(c.code for c in close))

    def option_label(self, code: str, lang: Lang) -> str:
        return self.display(code, lang)

    def _named_in(self, text: str) -> list[str]:
        folded = fold(text)
        found: list[str] = []
        for choice in self.options():
            for term in (choice.th, choice.ja, choice.en, *choice.aliases):
                name = fold(term)
                thai = any("\u0e00" <= ch <= "\u0e7f" for ch in name)
                # short Thai names are also everyday words ("เลย"); kanji names are short
                shortest = 5 if name.isascii() else 4 if thai else 2
                if len(name) >= shortest and name in folded:
                    found.append(choice.code)
                    break
        return found


@dataclass(frozen=True, kw_only=True)
class DivisionField(Field):
    """An ISIC Rev.4 division, found from a typed word; JSIC codes accepted when allowed."""

    accept_jsic: bool = False

    def parse(self, text: str, lang: Lang) -> str | Candidates:
        norm = normalize_text(text)
        if self.accept_jsic:
            jsic = taxonomy.parse_jsic(norm)
            if jsic is not None:
                return jsic.isic
        if re.fullmatch(r"\d{1,2}", norm):
            code = norm.zfill(2)
            codes = [code] if taxonomy.is_division(code) else []
            if self.accept_jsic:
                mapped = taxonomy.jsic_to_isic(code)
                if mapped and mapped not in codes:
                    codes.append(mapped)
            if len(codes) == 1:
                return codes[0]
            if codes:
                return Candidates(tuple(codes))
            raise Invalid("form.error.division_code")
        found = taxonomy.search_divisions(norm)
        if not found:
            raise Invalid("form.error.division")
        if found[0][1] >= 100 and (len(found) == 1 or found[1][1] < 90):
            return found[0][0]
        return Candidates(tuple(code for code, _ in found))

    def option_label(self, code: str, lang: Lang) -> str:
        return taxonomy.division_label(code, lang)

    def display(self, value: Any, lang: Lang) -> str:
        return taxonomy.division_label(value, lang) if value else super().display(value, lang)

    def is_valid_value(self, value: Any) -> bool:
        return value is None or (isinstance(value, str) and taxonomy.is_division(value))


@dataclass(frozen=True, kw_only=True)
class FuncField(Field):
    """A field whose parser is a plain function of the text (phone, email, ids)."""

    parser: Callable[[str], str] = field(default=validators.parse_text)

    def parse(self, text: str, lang: Lang) -> str:
        return self.parser(text)
