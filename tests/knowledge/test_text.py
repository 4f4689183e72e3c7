from __future__ import annotations

import pytest

from language.tokenize import get_tokenizer


@pytest.fixture(scope="module")
def tokenize():
    return get_tokenizer().tokenize


def test_thai_is_segmented_into_words_without_particles(tokenize) -> None:
    tokens = tokenize("กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่คะ")
    assert tokens == ["กองทุน", "ประชา", "รัฐ", "กู้", "สูงสุด"]


def test_japanese_keeps_content_words_and_drops_particles(tokenize) -> None:
    assert tokenize("担保は必要ですか？") == ["担保", "必要"]


def test_japanese_uses_normalised_forms(tokenize) -> None:
    # Sudachi normalises spelling variants, so either spelling matches the other.
    assert tokenize("いくら") == tokenize("幾ら")


def test_english_words_are_lowercased_stemmed_and_stopwords_dropped(tokenize) -> None:
    assert tokenize("What are the Loans of the Fund?") == ["loan", "fund"]


def test_numbers_keep_thousands_together(tokenize) -> None:
    assert "10000000" in tokenize("at most 10,000,000 baht")


def test_mixed_script_text_uses_each_tokenizer(tokenize) -> None:
    tokens = tokenize("สินเชื่อ SME D Bank ปี 2567 と中小機構")
    assert tokens[:3] == ["สินเชื่อ", "sme", "d"]
    assert "bank" in tokens and "2567" in tokens
    assert "中小" in tokens or "中小機構" in tokens


def test_punctuation_only_gives_no_tokens(tokenize) -> None:
    assert tokenize("?!。、…") == []
