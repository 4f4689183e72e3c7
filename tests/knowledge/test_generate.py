from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from knowledge.generate import LLMWriter, make_chat_model
from knowledge.service import KnowledgeService
from knowledge.skill import render_answer


def _with_writer(service: KnowledgeService, writer: Any) -> KnowledgeService:
    return KnowledgeService(
        engine=service._engine, index=service.index, settings=service.settings, writer=writer
    )


class RecordingModel(FakeListChatModel):
    """A fake chat model that remembers the prompts it was given."""

    seen: list = []  # noqa: RUF012 (pydantic field)

    def invoke(self, input, config=None, **kwargs):
        self.seen.append(input)
        return super().invoke(input, config, **kwargs)


def test_generated_answer_uses_the_chat_model_and_cites_sources(
    starter_service: KnowledgeService,
) -> None:
    model = RecordingModel(responses=["最大1,000万バーツまで借りられます [1]。"], seen=[])
    service = _with_writer(starter_service, LLMWriter(model))
    answer = service.answer("プラチャラット基金でいくらまで借りられますか")
    assert answer.confident and answer.generated
    assert answer.text == "最大1,000万バーツまで借りられます [1]。"
    assert 1 <= len(answer.sources) <= 4
    system, human = model.seen[0]
    assert "Japanese" in system.content and "ONLY" in system.content
    assert (
        "[1]" in human.content and "プラチャラット基金でいくらまで借りられますか" in human.content
    )
    assert answer.passages[0].text in human.content  # the model sees the retrieved passages
    rendered = render_answer(answer, "ja")
    assert rendered.startswith("最大1,000万バーツ") and "出典：" in rendered and "[1] " in rendered


def test_the_model_is_given_the_extracted_sentences_first(
    starter_service: KnowledgeService,
) -> None:
    model = RecordingModel(responses=["Interest is 1% a year [1]."], seen=[])
    answer = _with_writer(starter_service, LLMWriter(model)).answer(
        "What interest does the Pracharat fund charge?"
    )
    assert answer.generated and answer.text == "Interest is 1% a year [1]."
    _, human = model.seen[0]
    first = human.content.split("[2]")[0]
    assert "[1]" in first and "• Interest: 1% a year" in first and "【Loan terms (2017)】" in first


def test_an_answer_citing_no_passage_falls_back_to_the_extracted_one(
    starter_service: KnowledgeService,
) -> None:
    model = FakeListChatModel(responses=["It is probably about 3% a year."])
    answer = _with_writer(starter_service, LLMWriter(model)).answer(
        "What interest does the Pracharat fund charge?"
    )
    assert answer.confident and not answer.generated
    assert "3%" not in answer.text and "Interest: 1% a year" in answer.text


def test_model_saying_no_answer_turns_into_a_decline(starter_service: KnowledgeService) -> None:
    service = _with_writer(starter_service, LLMWriter(FakeListChatModel(responses=["NO_ANSWER"])))
    answer = service.answer("What is J-GoodTech?")
    assert not answer.confident
    assert "don't know" in answer.text


def test_model_failure_falls_back_to_the_extractive_answer(
    starter_service: KnowledgeService,
) -> None:
    class Broken:
        def write(self, question, lang, passages):
            raise ConnectionError("model server down")

    answer = _with_writer(starter_service, Broken()).answer("What is J-GoodTech?")
    assert answer.confident and not answer.generated
    assert "online business-matching platform" in answer.text


def test_out_of_scope_question_never_reaches_the_model(starter_service: KnowledgeService) -> None:
    model = RecordingModel(responses=["should not be used"], seen=[])
    answer = _with_writer(starter_service, LLMWriter(model)).answer(
        "Who won the last football World Cup?"
    )
    assert not answer.confident
    assert model.seen == []


def test_llm_spec_must_name_openai_and_a_model() -> None:
    with pytest.raises(ValueError, match="openai:MODEL"):
        make_chat_model("anthropic:claude")
    with pytest.raises(ValueError):
        make_chat_model("openai:")


@pytest.mark.skipif(
    importlib.util.find_spec("langchain_openai") is not None, reason="langchain-openai installed"
)
def test_openai_without_the_package_says_what_to_install() -> None:
    with pytest.raises(RuntimeError, match="pip install langchain-openai"):
        make_chat_model("openai:gpt-4o-mini")
