"""What a typed message asks for: intents in th/ja/en, with a confidence and a "none".

The intents are data (`language/data/intents.toml`): example sentences per intent and
language, keyword cues and emoji, and examples of what is *not* an intent (questions for
the knowledge base, answers to a form). A ridge classifier over the offline multilingual
sentence embedding and hashed character n-grams (which carry the keywords and typos) is
fitted on them at start-up (in its dual form: one solve of the examples' Gram matrix),
together with the labelled development sentences (`language/data/intents_dev.tsv`, written
apart from the examples, the way owners and managers type); only the intents allowed
where the user is (at the main menu, or answering a form question) compete. Emoji-only
messages, a named language ("English", "日本語で") and a message equal to an example are
read by rule first. A message that is no intent with enough confidence is `None`: it
goes on to the knowledge base, or is the answer to the pending question.

Thresholds are set by cross-validation on the development sentences
(`python -m benchmarks.intents --tune`); the test split (`benchmarks/data/`) is only
reported.
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal, cast

import numpy as np

from core.types import LANGS, Lang
from language.embeddings import Embedder
from language.normalize import fold

DATA = Path(__file__).parent / "data" / "intents.toml"
# Labelled sentences (text, lang, intent, context) the model is fitted on beside the examples.
DEV = Path(__file__).parent / "data" / "intents_dev.tsv"
Context = Literal["idle", "form"]

# What a message can mean while a form question is pending: a command, or the answer.
FORM_INTENTS = frozenset(
    {"cancel", "back", "skip", "yes", "no", "switch_language", "menu", "talk_to_staff"}
)
# At the main menu, "back" and "skip" have nothing to act on.
IDLE_EXCLUDED = frozenset({"back", "skip"})
GREET = "greet"
NONE = "none"
# Words that speak of a language, not a country ("ไทย" alone is Thailand as often).
LANGUAGE_CUES = (
    "ภาษา", "語", "language", "lang", "english", "eng", "japanese", "thai", "อังกฤษ", "speak",
    "พูด", "話", "talk",
)  # fmt: skip


@dataclass(frozen=True)
class IntentMatch:
    name: str
    confidence: float
    target_lang: Lang | None = None  # switch_language: which language, when it is named
    thanked: bool = False  # thanks: says thank you, not only "ok"


@dataclass(frozen=True)
class Thresholds:
    """Set on the development split only (`python -m benchmarks.intents --tune`)."""

    min_score: float = 0.4  # below this score the message is no intent
    ridge: float = 0.1  # regularisation of the classifier
    ngram_weight: float = 1.0  # character n-grams beside the sentence embedding


@dataclass
class IntentData:
    examples: dict[str, list[tuple[Lang, str]]]
    keywords: dict[str, tuple[str, ...]]
    emoji: dict[str, tuple[str, ...]]
    language_names: dict[Lang, tuple[str, ...]]
    none: list[tuple[Lang, str]] = field(default_factory=list)
    gratitude: tuple[str, ...] = ()

    def thanks_in(self, text: str) -> bool:
        """Whether `text` says thank you ("ขอบคุณค่ะ", "ty!"), not only "ok" or "👍"."""
        folded, lowered = fold(text), text.lower()
        return any(
            re.search(rf"(?<![a-z]){cue}" + ("(?![a-z])" if len(cue) <= 3 else ""), lowered)
            if cue.isascii()
            else cue in folded or cue in text
            for cue in self.gratitude
        )


@dataclass(frozen=True)
class Labelled:
    text: str
    lang: Lang
    intent: str
    context: Context


def read_labelled(path: Path) -> list[Labelled]:
    """A tab-separated file of labelled sentences (text, lang, intent, context)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Labelled(r["text"], cast(Lang, r["lang"]), r["intent"], cast(Context, r["context"]))
            for r in rows
        ]


def with_labelled(data: IntentData, rows: Iterable[Labelled]) -> IntentData:
    """`data` with `rows` added: each sentence an example of its intent, or of none."""
    examples = {name: list(texts) for name, texts in data.examples.items()}
    none = list(data.none)
    for row in rows:
        (none if row.intent == NONE else examples[row.intent]).append((row.lang, row.text))
    return replace(data, examples=examples, none=none)


@cache
def load_intents(path: Path = DATA, labelled: Path | None = DEV) -> IntentData:
    """The intents of `path`, fitted also on the `labelled` sentences when given."""
    data = _load_toml(path)
    return with_labelled(data, read_labelled(labelled)) if labelled is not None else data


def _load_toml(path: Path) -> IntentData:
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    examples: dict[str, list[tuple[Lang, str]]] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    emoji: dict[str, tuple[str, ...]] = {}
    for name, table in raw["intents"].items():
        examples[name] = [(lang, text) for lang in LANGS for text in table.get(lang, [])]
        keywords[name] = tuple(fold(k) for k in table.get("keywords", []) if fold(k))
        emoji[name] = tuple(table.get("emoji", []))
    targets = raw["intents"]["switch_language"].get("targets", {})
    names: dict[Lang, tuple[str, ...]] = {
        lang: tuple(fold(w) for w in targets.get(lang, [])) for lang in LANGS
    }
    none = [(lang, text) for lang in LANGS for text in raw.get("none", {}).get(lang, [])]
    gratitude = tuple(fold(w) or w for w in raw["intents"]["thanks"].get("gratitude", []))
    return IntentData(examples, keywords, emoji, names, none, gratitude)


def _is_symbolic(text: str) -> bool:
    """Only emoji, symbols and punctuation: nothing to read but the pictures."""
    return all(
        unicodedata.category(ch)[0] in {"S", "P", "Z", "M", "C"} or ch in "\u200d\ufe0f"
        for ch in text
    )


_POLITE_TAIL = re.compile(
    r"(ครับผม|ครับ|คับ|ค่ะ|คะ|ค่า|นะคะ|นะครับ|จ้า|นะ|please|pls|plz|でお願いします|でお願い|"
    r"でおねがいします|にして(?:ください)?|で|please\.?|ได้(?:ไหม|มั้ย|ป่าว|หรือเปล่า)|หน่อย|"
    r"に(?:して|変えて|切り替えて)(?:もらえますか|いただけますか)|[?？])$"
)
_POLITE_HEAD = re.compile(
    r"^(ขอเป็น|ขอ|เปลี่ยนเป็น|เปลี่ยน|ใช้|เป็น|please|pls|switchto|changeto|replyin|speak|in)"
)


NGRAM_DIM = 1 << 13
_LATIN_WORD = re.compile(r"[a-z]+")


def ngram_vector(text: str) -> np.ndarray:
    """Hashed character 1-3-grams of the folded text, and Latin words; unit length."""
    folded = fold(text)
    grams = [folded[i : i + n] for n in (1, 2, 3) for i in range(len(folded) - n + 1)]
    grams += _LATIN_WORD.findall(text.lower())
    vector = np.zeros(NGRAM_DIM, dtype=np.float32)
    for gram in grams:
        vector[zlib.crc32(gram.encode()) % NGRAM_DIM] += 1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


class IntentModel:
    """Built once per process: the examples are embedded and the classifier trained."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        data: IntentData | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.data = data or load_intents()
        self.thresholds = thresholds or Thresholds()
        self._embedder = embedder
        labels: list[str] = []
        texts: list[str] = []
        for name, rows in self.data.examples.items():
            labels += [name] * len(rows)
            texts += [text for _, text in rows]
        labels += [NONE] * len(self.data.none)
        texts += [text for _, text in self.data.none]
        self.classes = tuple(sorted(set(labels)))
        self._exact = {fold(text): label for label, text in zip(labels, texts, strict=True)}
        features = self._features(texts)
        index = {name: i for i, name in enumerate(self.classes)}
        targets = np.eye(len(self.classes))[[index[label] for label in labels]]
        self._weights = _fit_ridge(features, targets, self.thresholds.ridge)
        self._last: tuple[str, np.ndarray] | None = None

    def classify(self, text: str, *, context: Context = "idle") -> IntentMatch | None:
        """The intent of `text` where the user is, or None when it is not an intent."""
        text = text.strip()
        if not text:
            return None
        allowed = self.allowed(context)
        if _is_symbolic(text):
            return self._by_emoji(text, allowed)
        target = self.language_named(text)
        if target is not None and "switch_language" in allowed:
            return IntentMatch("switch_language", 1.0, target_lang=target)
        exact = self._exact.get(fold(text))
        if exact is not None and exact in allowed:
            return self._match(exact, 1.0, text)
        if exact == NONE:
            return None
        scores = self.scores(text, context=context)
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        name, best = ranked[0]
        if name == GREET and len(ranked) > 1 and ranked[1][0] != NONE:
            runner, second = ranked[1]
            if second >= max(self.thresholds.min_score, 0.8 * best):
                # "hello, could you register my firm?": a request almost as likely as the
                # greeting around it is what to do ("ดีจ้าแอดมิน" stays a greeting).
                name, best = runner, second
        if name == NONE or best < self.thresholds.min_score:
            return None
        if name == "switch_language" and not self._asks_for_language(text):
            return None  # "โรงงานกลึงในไทย" names a country, not a language to speak
        if name in {"yes", "no"}:
            name = _polarity(text) or name  # "ええ、間違いないです": the first word decides
        return self._match(name, best, text)

    def _asks_for_language(self, text: str) -> bool:
        folded = fold(text)
        return any(cue in folded for cue in LANGUAGE_CUES)

    def scores(self, text: str, *, context: Context = "idle") -> dict[str, float]:
        """The classifier's score (about 0 to 1) of each allowed intent and of "none"."""
        allowed = self.allowed(context) | {NONE}
        row = self._row(text)
        return {
            name: float(score)
            for name, score in zip(self.classes, row, strict=True)
            if name in allowed
        }

    def form_command(self, text: str) -> str | None:
        """Back or skip when `text` ("スキップ", "go back") would be that command in a form:
        typed where no form is open, the user is told there is nothing to skip."""
        match = self.classify(text, context="form")
        if match is None or match.name not in IDLE_EXCLUDED:
            return None
        folded = fold(text)
        keywords = self.data.keywords.get(match.name, ())
        return match.name if any(word in folded for word in keywords) else None

    def language_named(self, text: str) -> Lang | None:
        """The language a short message names ("English", "ภาษาไทยค่ะ", "日本語で")."""
        core = fold(text)
        for _ in range(3):
            core = _POLITE_TAIL.sub("", _POLITE_HEAD.sub("", core))
        core = core.removeprefix("ภาษา")
        for lang, names in self.data.language_names.items():
            if core and core in names:
                return lang
        return None

    # -- internals ---------------------------------------------------------------------

    def _row(self, text: str) -> np.ndarray:
        """The classifier's raw scores; the last text's are kept, as a turn often asks
        about one message twice (where the user is, and whether it is more than hello)."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        row = self._features([text])[0] @ self._weights
        self._last = (text, row)
        return row

    def _features(self, texts: list[str]) -> np.ndarray:
        dense = self._embedder.embed(texts)
        grams = np.stack([ngram_vector(t) for t in texts]) * self.thresholds.ngram_weight
        return np.hstack([dense, grams]).astype(np.float32)

    def allowed(self, context: Context) -> frozenset[str]:
        """The intents that can be meant where the user is (the menu, or inside a form)."""
        names = frozenset(self.data.examples)
        return names & FORM_INTENTS if context == "form" else names - IDLE_EXCLUDED

    def _by_emoji(self, text: str, allowed: Iterable[str]) -> IntentMatch | None:
        for name in allowed:
            if any(e and e in text for e in self.data.emoji.get(name, ())):
                return self._match(name, 1.0, text)
        return None

    def _match(self, name: str, confidence: float, text: str) -> IntentMatch:
        target = self.language_named(text) if name == "switch_language" else None
        thanked = name == "thanks" and self.data.thanks_in(text)
        return IntentMatch(
            name, round(min(confidence, 1.0), 3), target_lang=target, thanked=thanked
        )


# The word a yes or a no begins with; the rest of the sentence may carry a "no" of its own
# ("間違いない" is "no mistake") or a "yes" ("そうでは").
_YES_HEAD = re.compile(r"^(はい|ええ|うん|ใช่|yes|yeah|yep|yup)(?![a-z])", re.IGNORECASE)
_NO_HEAD = re.compile(r"^(いいえ|いや|いえ|ไม่ใช่|no|nope|nah)(?![a-z])", re.IGNORECASE)


def _polarity(text: str) -> str | None:
    stripped = text.strip()
    if _NO_HEAD.match(stripped):
        return "no"
    if _YES_HEAD.match(stripped):
        return "yes"
    return None


def _fit_ridge(x: np.ndarray, targets: np.ndarray, ridge: float) -> np.ndarray:
    """Least squares on one-hot targets, solved in the dual (n examples << n features)."""
    x64 = x.astype(np.float64)
    gram = x64 @ x64.T + ridge * np.eye(len(x64))
    return (x64.T @ np.linalg.solve(gram, targets)).astype(np.float32)
