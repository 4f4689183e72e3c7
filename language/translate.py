"""Free text another company wrote, shown to a reader of another language.

Structured fields (sector, place, certificates, size) are rendered from reference data in
the reader's language; what is left is free text ("what we make", "what we look for", a
note with an introduction request). It is shown after the structured summary, labelled
with the language it is written in ("（タイ語の原文）"), or, when a translator is
configured, translated into the reader's language and labelled as a machine translation.

The translator wraps any LangChain chat model (configured like the answer writer:
`KAKEHASHI_TRANSLATOR=openai:MODEL`); each (text, target language) is translated once per
process and kept in a bounded cache. A failing model never hides the text: the original
is shown with its label.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

from core.i18n import t
from core.types import Lang
from language.detect import detect

logger = logging.getLogger(__name__)

LANG_NAMES = {"th": "Thai", "ja": "Japanese", "en": "English"}


class TextTranslator(Protocol):
    def translate(self, text: str, *, source: Lang, target: Lang) -> str | None: ...


class ChatTranslator:
    """Translation by a LangChain chat model, once per (text, target), cached in memory."""

    def __init__(self, model: Any, *, cache_size: int = 4096) -> None:
        self.model = model  # a langchain_core BaseChatModel (or anything with .invoke)
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()
        self.calls = 0  # model calls made, for tests and metrics

    def messages(self, text: str, *, source: Lang, target: Lang) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [
            SystemMessage(
                content=(
                    f"Translate the user's text from {LANG_NAMES[source]} to "
                    f"{LANG_NAMES[target]} for a business reader. Keep company names, "
                    "product codes and certification names (ISO 9001, IATF 16949) as they "
                    "are. Answer with the translation only."
                )
            ),
            HumanMessage(content=text),
        ]

    def translate(self, text: str, *, source: Lang, target: Lang) -> str | None:
        key = (hashlib.sha256(text.encode("utf-8")).hexdigest(), target)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            self.calls += 1
            result = self.model.invoke(self.messages(text, source=source, target=target))
        except Exception:  # a translator is optional: the original is shown instead
            logger.warning("translation %s->%s failed", source, target, exc_info=True)
            return None
        content = result.content if isinstance(result.content, str) else str(result.content)
        out = content.strip()
        if not out:
            return None
        with self._lock:
            self._cache[key] = out
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out


def text_lang(text: str) -> Lang | None:
    return detect(text)


def foreign_text(
    text: str, reader: Lang, *, translator: TextTranslator | None = None
) -> tuple[str, str]:
    """(the text to show, its label) for free text another company wrote: the text as it is
    with no label when the reader reads its language; else a translation labelled as one
    when a translator is configured and answers; else the original labelled with its
    language."""
    source = text_lang(text)
    if source is None or source == reader:
        return text, ""
    if translator is not None:
        translated = translator.translate(text, source=source, target=reader)
        if translated:
            return translated, t(f"text.translated.{source}", reader)
    return text, t(f"text.original.{source}", reader)


def labelled(text: str, reader: Lang, *, translator: TextTranslator | None = None) -> str:
    """The text with its label after it: "精密プレス部品（タイ語の原文）" style, the label
    following the reader's punctuation (full-width brackets in Japanese, a space before
    the brackets in Thai and English)."""
    shown, label = foreign_text(text, reader, translator=translator)
    if not label:
        return shown
    return f"{shown}{label}" if reader == "ja" else f"{shown} {label}"


def quoted(text: str, reader: Lang, *, translator: TextTranslator | None = None) -> str:
    """The other company's words in the reader's quotation marks, labelled after the
    closing mark when they are in another language: 「…」（タイ語の原文）, “…” (original
    in Japanese)."""
    shown, label = foreign_text(text, reader, translator=translator)
    if reader == "ja":
        return f"「{shown}」{label}"
    return f"“{shown}” {label}".rstrip()
