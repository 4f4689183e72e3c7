"""Section-aware chunks, units and answer extraction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.settings import Settings
from knowledge.choose import pick, render_units
from knowledge.extract import (
    Features,
    ScoredUnit,
    UnitCandidate,
    load_cues,
    split_units,
    year_of,
)
from knowledge.loaders import Chunker
from knowledge.service import KnowledgeService
from knowledge.skill import dated, render_answer
from tests.knowledge.conftest import doc

TABLE_DOC = doc(
    "sizes",
    "Sizes",
    "# Sizes\n\nIntro line.\n\n## Definition\n\n### Table\n\n"
    "| size | employees |\n|---|---|\n| micro | up to 5 |\n| small | up to 50 |\n\n"
    "- A bullet that is long enough to have two sentences. It must stay one unit.\n",
)


def test_chunks_keep_their_heading_path_and_tables_become_rows_with_their_header() -> None:
    chunks = Chunker().split(TABLE_DOC)
    table = next(c for c in chunks if "micro" in c.text)
    assert table.section == "Definition › Table"
    lines = table.text.splitlines()
    assert "size: micro · employees: up to 5" in lines
    assert "size: small · employees: up to 50" in lines
    assert not any(line.startswith("|") for line in lines)


def test_units_are_sentences_bullets_and_rows() -> None:
    text = (
        "First sentence here. Second one follows.\n"
        "- A bullet. With two sentences.\n"
        "size: micro · employees: up to 5\n"
        "最初の文です。次の文です。"
    )
    assert split_units(text) == [
        "First sentence here.",
        "Second one follows.",
        "- A bullet. With two sentences.",
        "size: micro · employees: up to 5",
        "最初の文です。",
        "次の文です。",
    ]


def test_long_thai_lines_are_cut_at_spaces_short_ones_kept() -> None:
    short = "ไม่ต้องใช้หลักประกัน ดอกเบี้ยต่ำ"
    assert split_units(short) == [short]
    long = " ".join(["กองทุนพัฒนาเอสเอ็มอีตามแนวประชารัฐ"] * 12)
    pieces = split_units(long)
    assert len(pieces) > 1 and " ".join(pieces) == long


def test_years_read_in_both_calendars() -> None:
    assert year_of("เงื่อนไขเงินกู้ (ปี 2560)") == 2017
    assert year_of("Loan terms (2017)", "2019 round") == 2019
    assert year_of("no year") == 0


def test_every_question_kind_has_cues_in_three_languages() -> None:
    kinds, concepts = load_cues()
    names = {k.name for k in kinds}
    assert {"amount", "interest", "collateral", "repayment", "eligibility"} <= names
    assert {"apply", "deadline", "definition", "operator"} <= names
    for kind in kinds:
        assert set(kind.cues) == {"th", "ja", "en"} and kind.evidence
    assert "ดอกเบี้ย" in concepts["interest"] and "金利" in concepts["interest"]


@pytest.mark.parametrize(
    ("question", "lang", "fact", "not_shown"),
    [
        (
            "กองทุนพัฒนาเอสเอ็มอีตามแนวประชารัฐ คิดดอกเบี้ยกี่เปอร์เซ็นต์ครับ",
            "th",
            "ร้อยละ 1 ต่อปี",
            "ร้อยละ 5–7",
        ),
        ("ต้องมีหลักทรัพย์ค้ำประกันไหม", "th", "ไม่ต้องใช้หลักประกัน", None),
        ("ジェグテックって何？", "ja", "ビジネスマッチング", None),
        (
            "How much can a company borrow under the 2024 Thai SME Fund loans?",
            "en",
            "At most 5 million baht per company",
            "Businesses registered in Thailand",
        ),
        ("プラチャラット基金の金利は？", "ja", "年1％", "5〜7％"),
    ],
)
def test_the_answer_shows_the_asked_fact_under_its_heading(
    starter_service: KnowledgeService, question: str, lang: str, fact: str, not_shown: str | None
) -> None:
    answer = starter_service.answer(question)
    assert answer.confident
    reply = render_answer(answer, lang)  # type: ignore[arg-type]
    assert fact in reply
    assert "【" in reply  # the section heading
    if not_shown:
        assert not_shown not in reply
    assert len([line for line in answer.text.splitlines() if line.startswith("• ")]) <= 3


def test_out_of_scope_is_declined_on_the_units_evidence(
    starter_service: KnowledgeService,
) -> None:
    for question in ("What's the weather in Bangkok tomorrow?", "おすすめのラーメン屋は？"):
        assert not starter_service.answer(question).confident


def test_a_question_about_an_english_only_document_in_thai_is_declined_when_unrelated(
    make_small_service,
) -> None:
    service = make_small_service()
    answer = service.answer("ร้านก๋วยเตี๋ยวเรือแถวอนุสาวรีย์ชัยอร่อยไหม")
    assert not answer.confident


def test_extraction_off_quotes_whole_sections_as_before(
    starter_service: KnowledgeService,
) -> None:
    baseline = starter_service.variant(Settings(kb_extract=False))
    answer = baseline.answer("Do I need collateral for a Pracharat fund loan?")
    assert answer.confident
    assert "Interest: 1% a year" in answer.text and "Collateral: none required" in answer.text
    assert "【" not in answer.text


def test_units_are_embedded_at_ingest_not_per_question(
    starter_service: KnowledgeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    embedder = starter_service.index.embedder
    original = embedder.embed

    def counting(texts: list[str]) -> Any:
        calls.append(len(texts))
        return original(texts)

    monkeypatch.setattr(embedder, "embed", counting)
    starter_service.answer("What interest does the Pracharat fund charge?")
    assert calls == [1]  # the question only


def _unit(
    text: str, section: str, score: float, *, n: int, topic: str = "t", kind: float = 0.0
) -> ScoredUnit:
    candidate = UnitCandidate(
        chunk_id=f"1-1-{n}",
        topic=topic,
        document_id=1 if topic == "t" else 2,
        title="Fund",
        position=n,
        n=0,
        text=text,
        section=section,
        as_of="2024",
        vector=np.zeros(1, dtype=np.float32),
        chunk_similarity=0.0,
        topic_rank=0,
    )
    return ScoredUnit(candidate, score, Features(score, 0.0, 0.0, kind, 0.0, 0.0))


def test_a_unit_carrying_the_asked_kind_is_shown_beside_a_best_unit_that_does_not() -> None:
    opening = _unit(
        "The fund of 20,000 million baht was approved in 2017.", "Background", 0.70, n=0
    )
    rounds = _unit("- 2019 round: 3,000 million baht.", "Later rounds", 0.60, n=4, kind=0.33)
    per_borrower = _unit(
        "- At most 10 million baht per borrower.", "Loan terms", 0.45, n=2, kind=1.0
    )
    far = _unit("- At most 5 million baht per borrower.", "Terms", 0.39, n=5, kind=1.0)
    other_document = _unit(
        "- Up to 5 million baht per firm.", "Terms", 0.69, n=1, topic="u", kind=1.0
    )
    # 0.25 behind, outside the margin: shown all the same, as the one carrying most of
    # what was asked in the best unit's document; the other document's stays out
    chosen = pick([opening, other_document, rounds, per_borrower, far], margin=0.2)
    assert chosen == [opening, per_borrower, rounds]
    assert far not in pick([opening, rounds, far], margin=0.2)  # 0.31 behind: too far
    # a best unit that carries the kind itself needs nothing beside it
    priced = _unit("The fund lends 20,000 million baht.", "Background", 0.70, n=0, kind=0.33)
    assert pick([priced, per_borrower], margin=0.2) == [priced]


def test_pick_keeps_close_sections_of_one_document_in_document_order() -> None:
    old = _unit("- Interest: 1% a year.", "Loan terms (2017)", 1.0, n=0)
    new = _unit("- 2019 round: 3,000 million baht at 1%.", "Later rounds", 0.97, n=3)
    other = _unit("- Unrelated sentence.", "Background", 0.5, n=1)
    chosen = pick([old, new, other], margin=0.1)
    assert [u.candidate.text for u in chosen] == [old.candidate.text, new.candidate.text]
    # A later document wins only when the two are all but tied.
    elsewhere = _unit("- 5-7% a year.", "Terms (2024)", 0.9, n=0, topic="u")
    assert pick([old, elsewhere], margin=0.1)[0] is old
    assert render_units([old]) == "【Loan terms (2017)】\n• Interest: 1% a year."


def test_of_two_dated_documents_that_disagree_the_later_one_answers_and_says_its_year(
    make_small_service,
) -> None:
    older = doc(
        "fair-2023",
        "Trade fair subsidy",
        "# Trade fair subsidy\n\n## Terms (2023)\n\n"
        "- The subsidy covers 50% of the booth cost, up to 100,000 baht per company.\n",
        as_of="2023",
        source="Ministry notice 2023",
    )
    newer = doc(
        "fair-2025",
        "Trade fair subsidy",
        "# Trade fair subsidy\n\n## Terms (2025)\n\n"
        "- The subsidy covers 70% of the booth cost, up to 150,000 baht per company.\n",
        as_of="2025",
        source="Ministry notice 2025",
    )
    service: KnowledgeService = make_small_service([older, newer])
    answer = service.answer("How much does the trade fair subsidy pay per company?", lang="en")
    reply = render_answer(answer, "en")
    assert answer.confident
    assert "150,000 baht" in reply and "100,000 baht" not in reply
    assert "2025" in reply  # the heading and the as-of date say which year it is from


def test_a_source_that_names_its_date_is_not_dated_twice(
    starter_service: KnowledgeService,
) -> None:
    assert dated("เดอะเนชั่น (2567)", "พ.ศ. 2567")
    assert dated("Bangkok Post（2025年5月20日）", "2025年5月20日")
    assert not dated("Bangkok Post (2024)", "20 May 2025")  # another year: said
    assert not dated("JETRO Bangkok", "2024")
    answer = starter_service.answer("BOIの恩典は？", lang="ja")
    reply = render_answer(answer, "ja")
    source_line = reply.splitlines()[-1]
    assert source_line.startswith("出典：") and "2025年5月20日" in source_line
    assert source_line.count("2025年5月20日") == 1 and "時点" not in source_line
