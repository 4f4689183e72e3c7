"""Language-aware keyword tokens for BM25: Thai words (newmm), Japanese morphemes
(Sudachi), English words. Text is cut into runs of one script first, so a Thai sentence
with "SME D Bank" in it or a Japanese one with "2017年" is tokenized by the right tool.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import cache

from language.normalize import normalize_text

_THAI = re.compile(r"[\u0e00-\u0e7f]+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f\u3005\u30fc]+")
_WORD = re.compile(r"[a-z0-9]+(?:[.][0-9]+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_RUNS = re.compile(
    r"(?P<th>[\u0e00-\u0e7f]+)|(?P<ja>[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f\u3005]+)|(?P<lat>[a-z0-9][a-z0-9.\-]*)"
)

_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "by",
        "with",
        "at",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "when",
        "where",
        "why",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "my",
        "our",
        "your",
        "their",
        "there",
        "here",
        "as",
        "if",
        "so",
        "not",
        "no",
        "yes",
        "any",
        "some",
        "about",
        "into",
        "than",
        "then",
        "please",
        "tell",
        "much",
        "many",
        "get",
        "got",
        "have",
        "has",
        "had",
        "am",
    ]
)
# Thai particles and question words that carry no topic (pythainlp's list is too broad:
# it contains words such as "กู้" that matter here).
_TH_STOP = frozenset(
    [
        "ค่ะ",
        "คะ",
        "ครับ",
        "นะ",
        "จ้ะ",
        "จ้า",
        "ไหม",
        "มั้ย",
        "หรือ",
        "หรือไม่",
        "อะไร",
        "ยังไง",
        "อย่างไร",
        "เท่าไหร่",
        "เท่าไร",
        "กี่",
        "ได้ไหม",
        "ที่",
        "ของ",
        "และ",
        "ใน",
        "ได้",
        "ให้",
        "มี",
        "เป็น",
        "คือ",
        "จะ",
        "ว่า",
        "กับ",
        "แล้ว",
        "ก็",
        "ซึ่ง",
        "การ",
        "ความ",
        "บ้าง",
        "หน่อย",
        "ต้อง",
        "ไป",
        "มา",
        "อยาก",
        "ขอ",
        "ถาม",
        "ทราบ",
        "รู้",
        "ช่วย",
        "ด้วย",
        "นี้",
        "นั้น",
        "ไหน",
        "ใคร",
        "เมื่อไร",
        "เมื่อไหร่",
        "ตอนนี้",
        "เรา",
        "ผม",
        "ฉัน",
        "ดิฉัน",
    ]
)
_JA_DROP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})


class Tokenizer:
    """Thread-safe; loads the Thai dictionary and Sudachi once."""

    def __init__(self) -> None:
        from pythainlp.tokenize import word_tokenize
        from sudachipy import Dictionary, SplitMode

        self._thai = word_tokenize
        self._sudachi = Dictionary(dict="core").tokenizer(mode=SplitMode.A)
        self._lock = threading.Lock()  # a Sudachi tokenizer object is not thread-safe

    def tokenize(self, text: str) -> list[str]:
        return list(self._tokens(text))

    def _tokens(self, text: str) -> Iterator[str]:
        text = normalize_text(text).lower()
        text = _THOUSANDS.sub("", text)
        for match in _RUNS.finditer(text):
            run = match.group(0)
            if match.lastgroup == "th":
                for word in self._thai(run, engine="newmm", keep_whitespace=False):
                    word = word.strip()
                    if word and word not in _TH_STOP:
                        yield word
            elif match.lastgroup == "ja":
                with self._lock:
                    morphemes = [
                        (m.normalized_form(), m.part_of_speech()[0])
                        for m in self._sudachi.tokenize(run)
                    ]
                for form, pos in morphemes:
                    if pos not in _JA_DROP_POS and form.strip():
                        yield form
            else:
                for word in _WORD.findall(run):
                    if word in _EN_STOP:
                        continue
                    yield _stem(word)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def thai_function_words() -> frozenset[str]:
    """PyThaiNLP's broad Thai stop-word list ("ยัง", "อยู่", "ถ้า"): too broad to drop
    from searches (it holds "กู้"), right for asking whether a word is a topic at all."""
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())


@cache
def get_tokenizer() -> Tokenizer:
    """One tokenizer per process (loading the dictionaries takes about half a second)."""
    return Tokenizer()
