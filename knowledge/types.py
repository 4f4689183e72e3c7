"""What the knowledge base hands out: our own types, never LangChain documents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    text: str
    score: float
    document_id: int
    chunk_id: str
    title: str
    lang: str
    topic: str
    source: str = ""
    url: str = ""
    as_of: str = ""
    position: int = 0
    similarity: float | None = None  # cosine similarity to the question, when known


@dataclass(frozen=True)
class Source:
    document_id: int
    title: str
    source: str
    url: str
    as_of: str


@dataclass(frozen=True)
class Answer:
    question: str
    lang: str
    text: str  # the answer in the user's language, or the "I don't know" sentence
    confident: bool
    passages: tuple[Passage, ...] = ()  # best first
    sources: tuple[Source, ...] = ()
    ref: str = ""  # short id for feedback buttons and logs
    generated: bool = False  # written by a chat model rather than quoted
    best_similarity: float = 0.0

    @property
    def best(self) -> Passage | None:
        return self.passages[0] if self.passages else None
