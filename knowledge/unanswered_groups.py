"""Unanswered questions as staff want them: noise left out, the same question asked in
different words or languages grouped together (by the shared multilingual embedder),
with counts, example wordings and who asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from knowledge.models import UnansweredQuestion
from language.embeddings import Embedder
from language.normalize import fold

# A question joins a group when its embedding is at least this similar (cosine, USE v3)
# to the group's centroid. On 13 sample questions (collateral, deadline, loan ceiling and
# programme length in th/ja/en, and an off-topic one in two languages) 0.55 grouped the
# translations of three of the questions and kept the rest apart, except one Thai pair
# about one fund (collateral / loan ceiling, 0.66); 0.45 merged different questions.
SAME_QUESTION = 0.55
_KEYBOARD_RUNS = ("qwert", "asdf", "sdfg", "dfgh", "fghj", "ghjk", "hjkl", "zxcv", "xcvb", "jkl;")
_VOWELS = set("aeiouy")

# A message the intent layer reads as a command or small talk ("menu", "thanks",
# "register") was no question for the documents; a question or a described partner
# search still is worth a look.
Classify = Callable[[str], str | None]
CONTENT_INTENTS = frozenset({"ask_question", "partner_search", "edit_field"})


def _letters(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch).startswith("L"))


def is_noise(text: str, classify: Classify | None = None) -> bool:
    """Emoji, punctuation, numbers ("5555"), keyboard mashing, a lone word, or a request."""
    letters = _letters(text)
    if len(letters) < 2:
        return True
    folded = fold(text)
    if re.search(r"(.)\1{3,}", folded):
        return True
    latin = re.sub(r"[^a-z]", "", folded)
    if latin and len(latin) == len(letters):  # only Latin letters
        if any(run in latin for run in _KEYBOARD_RUNS):
            return True
        words = re.findall(r"[a-z]+", text.lower())
        if any(len(w) >= 6 and sum(ch in _VOWELS for ch in w) / len(w) < 0.2 for w in words):
            return True
    intent = classify(text) if classify is not None else None
    return intent is not None and intent not in CONTENT_INTENTS


@dataclass
class QuestionGroup:
    questions: list[UnansweredQuestion] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions if q.id is not None]

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def langs(self) -> list[str]:
        return sorted({q.lang for q in self.questions if q.lang})

    @property
    def askers(self) -> list[str]:
        seen: dict[str, None] = {}
        for q in self.questions:
            if q.user_id:
                seen.setdefault(f"{q.channel}:{q.user_id}", None)
        return list(seen)

    @property
    def wants_staff(self) -> int:
        return sum(1 for q in self.questions if q.wants_staff)

    @property
    def latest(self) -> datetime:
        return max(q.created_at for q in self.questions)

    def examples(self, limit: int = 4) -> list[UnansweredQuestion]:
        """Distinct wordings, one language after another."""
        out: list[UnansweredQuestion] = []
        seen: set[str] = set()
        by_lang = sorted(self.questions, key=lambda q: (q.lang, q.created_at))
        for q in by_lang:
            key = fold(q.question)
            if key not in seen:
                seen.add(key)
                out.append(q)
        return out[:limit]

    def centroid(self) -> np.ndarray:
        mean = np.mean(np.vstack(self.vectors), axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)


def group_questions(
    rows: Sequence[UnansweredQuestion],
    embedder: Embedder,
    *,
    threshold: float = SAME_QUESTION,
) -> list[QuestionGroup]:
    """Groups, the most asked first; each question joins the most similar group."""
    rows = [r for r in rows if r.question.strip()]
    if not rows:
        return []
    vectors = embedder.embed([r.question for r in rows])
    groups: list[QuestionGroup] = []
    centroids: list[np.ndarray] = []
    for row, vector in zip(rows, vectors, strict=True):
        best, best_score = -1, threshold
        for i, centroid in enumerate(centroids):
            score = float(centroid @ vector)
            if score >= best_score:
                best, best_score = i, score
        if best < 0:
            groups.append(QuestionGroup([row], [vector]))
            centroids.append(vector)
        else:
            groups[best].questions.append(row)
            groups[best].vectors.append(vector)
            centroids[best] = groups[best].centroid()
    groups.sort(key=lambda g: (-g.count, -g.latest.timestamp()))
    return groups
