from knowledge.extract import Extractor, Rarity, build_cues
from knowledge.numbers import number_terms
from language.tokenize import get_tokenizer


def test_one_amount_written_four_ways_is_one_term() -> None:
    terms = [
        number_terms(text)
        for text in ("20 billion baht", "20,000 ล้านบาท", "กองทุน 2 หมื่นล้าน", "200億バーツの基金")
    ]
    assert terms == [{"#n20000000000"}] * 4
    assert number_terms("44億2,300万バーツ") == number_terms("4,423 million baht")


def test_years_in_three_calendars_and_colloquial_thai() -> None:
    assert number_terms("ปี 67 กู้ได้เท่าไร") == {"#y2024"}
    assert number_terms("พ.ศ. 2567") == number_terms("2024年") == {"#y2024"}
    assert number_terms("ถึง ต.ค. 60") == {"#y2017"}


def _extractor() -> Extractor:
    tokenizer = get_tokenizer()
    return Extractor(tokenizer, build_cues(tokenizer))


def test_a_thai_name_the_tokeniser_cuts_still_finds_its_concept() -> None:
    extractor = _extractor()
    assert "@pracharat" in extractor.terms("กองทุนประชารัฐกู้ได้เท่าไหร่")
    assert "@pracharat" in extractor.terms("プラチャラット基金")
    assert "@pracharat" not in extractor.terms("รัฐบาลไทย")


def test_words_no_document_uses_make_a_question_novel() -> None:
    extractor = _extractor()
    frequency = {"chiang": 1, "mai": 1, "interest": 3, "fund": 3}
    rarity = Rarity(frequency, 10)
    weather = extractor.novelty("Will it rain in Chiang Mai this weekend?", rarity, frequency)
    interest = extractor.novelty("What interest does the fund charge?", rarity, frequency)
    assert weather > 0.4
    assert interest < weather


def test_a_number_the_question_already_names_is_not_the_asked_amount() -> None:
    extractor = _extractor()
    amount = next(k for k in extractor.cues.kinds if k.name == "amount")
    given = frozenset(number_terms("the 20 billion baht fund, how much per company?"))
    assert not amount.carried_by("The cabinet approved 20,000 million baht.", given=given)
    assert amount.carried_by("At most 10 million baht per borrower.", given=given)


def test_amounts_as_written_in_chat() -> None:
    assert number_terms("กู้ 5 ล.") == {"#n5000000"}
    assert number_terms("กู้ได้สิบล้านมั้ย") == number_terms("10 million") == {"#n10000000"}
    assert number_terms("ห้าแสน") == number_terms("500,000 baht")
    assert number_terms("สองหมื่นล้าน") == number_terms("20,000 ล้านบาท")
    assert number_terms("สิบห้าล้าน") == {"#n15000000"}
    assert number_terms("ห้าร้อยล้าน") == {"#n500000000"}
    assert number_terms("5m baht") == number_terms("5 mil") == {"#n5000000"}
    assert number_terms("20k") == {"#n20000"}
    assert number_terms("10 millions") == {"#n10000000"}
    # not a multiplier: a word that starts with one, a Thai word that starts with a digit
    assert number_terms("5 months") == {"#n5"}
    assert number_terms("สามารถกู้ได้") == set()
