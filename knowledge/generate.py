"""Optional answer writing by a chat model (LangChain), from the retrieved passages only.

Off by default: `KAKEHASHI_LLM=openai:MODEL` switches it on (any OpenAI-compatible server
via `OPENAI_BASE_URL`). Tests pass a LangChain fake chat model to `LLMWriter`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Protocol

from knowledge.types import Passage

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"th": "Thai", "ja": "Japanese", "en": "English"}

SYSTEM_PROMPT = (
    "You answer questions from Thai and Japanese small businesses about SME support "
    "programmes. Use ONLY the numbered passages below; they may be in another language. "
    "Passage [1] holds the sentences picked as the answer, under their section heading; "
    "the others give context. Write the answer in {language}, in two to four short "
    "sentences, keep the numbers, dates and names exactly as written, and cite every "
    "passage you used as [1], [2]. If the passages do not answer the question, reply "
    "exactly NO_ANSWER."
)
_CITATION = re.compile(r"\[(\d+)\]")


class UncitedAnswer(ValueError):
    """The model's answer cites none of the passages it was given."""


class AnswerWriter(Protocol):
    def write(self, question: str, lang: str, passages: Sequence[Passage]) -> str | None:
        """The answer text, or None when the passages do not answer the question."""
        ...


class LLMWriter:
    def __init__(self, model: Any) -> None:  # a langchain_core BaseChatModel
        self._model = model

    def messages(self, question: str, lang: str, passages: Sequence[Passage]) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        context = "\n\n".join(
            f"[{n}] {p.title} ({p.source}; as of {p.as_of or 'unknown'})\n{p.text}"
            for n, p in enumerate(passages, start=1)
        )
        return [
            SystemMessage(SYSTEM_PROMPT.format(language=LANGUAGE_NAMES.get(lang, "English"))),
            HumanMessage(f"Passages:\n{context}\n\nQuestion: {question}"),
        ]

    def write(self, question: str, lang: str, passages: Sequence[Passage]) -> str | None:
        result = self._model.invoke(self.messages(question, lang, passages))
        content = result.content if isinstance(result.content, str) else str(result.content)
        text = content.strip()
        if not text or "NO_ANSWER" in text:
            return None
        cited = {int(n) for n in _CITATION.findall(text)}
        if not cited & set(range(1, len(passages) + 1)):
            raise UncitedAnswer(text[:200])
        return text


def make_chat_model(spec: str) -> Any:
    """`openai:MODEL` -> a LangChain ChatOpenAI (needs the `langchain-openai` package)."""
    provider, _, model = spec.partition(":")
    if provider != "openai" or not model:
        raise ValueError(f"KAKEHASHI_LLM must look like 'openai:MODEL', got {spec!r}")
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise RuntimeError(
            "KAKEHASHI_LLM=openai:... needs the langchain-openai package: pip install langchain-openai"
        ) from exc
    return ChatOpenAI(model=model, temperature=0)
