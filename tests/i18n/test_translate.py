"""The other company's free text: labelled with its language, or translated once by an
optional chat model (a fake one here) and cached."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from language.translate import ChatTranslator, foreign_text, labelled, quoted


@dataclass
class FakeModel:
    """Stands in for a LangChain chat model: records the prompts, answers a fixed text."""

    answer: str = "精密プレス部品"
    fail: bool = False
    prompts: list[list[Any]] = field(default_factory=list)

    def invoke(self, messages: list[Any]) -> Any:
        self.prompts.append(messages)
        if self.fail:
            raise TimeoutError("model down")

        @dataclass
        class Result:
            content: str

        return Result(self.answer)


THAI = "ชิ้นส่วนโลหะปั๊มขึ้นรูปความแม่นยำสูง"


def test_without_a_translator_the_original_is_labelled_with_its_language() -> None:
    assert foreign_text(THAI, "ja") == (THAI, "（タイ語の原文）")
    assert labelled(THAI, "ja") == f"{THAI}（タイ語の原文）"
    assert labelled("金型の設計", "th") == "金型の設計 (ข้อความเดิมภาษาญี่ปุ่น)"
    assert labelled("Press dies", "ja") == "Press dies（英語の原文）"
    assert quoted(THAI, "ja") == f"「{THAI}」（タイ語の原文）"
    assert quoted("Press dies", "en") == "“Press dies”"  # the reader's own language: no label
    assert labelled(THAI, "th") == THAI


def test_a_translator_translates_once_and_caches() -> None:
    model = FakeModel()
    tr = ChatTranslator(model)
    assert labelled(THAI, "ja", translator=tr) == "精密プレス部品（タイ語からの機械翻訳）"
    assert labelled(THAI, "ja", translator=tr) == "精密プレス部品（タイ語からの機械翻訳）"
    assert len(model.prompts) == 1 and tr.calls == 1
    system, human = model.prompts[0]
    assert "from Thai to Japanese" in system.content and human.content == THAI
    # the same text for another reader is another translation
    labelled(THAI, "en", translator=tr)
    assert tr.calls == 2


def test_a_failing_translator_shows_the_original_labelled() -> None:
    tr = ChatTranslator(FakeModel(fail=True))
    assert labelled(THAI, "ja", translator=tr) == f"{THAI}（タイ語の原文）"


def test_the_cache_is_bounded() -> None:
    model = FakeModel()
    tr = ChatTranslator(model, cache_size=2)
    for text in ("ก", "ข", "ค", "ก"):
        tr.translate(text, source="th", target="ja")
    assert tr.calls == 4  # "ก" was pushed out by "ค"
