from __future__ import annotations

import pytest

from language import taxonomy
from registration.forms.sme import osmep_size, programme_candidates


def test_every_isic_division_has_three_labels() -> None:
    divisions = taxonomy.divisions()
    assert len(divisions) == 88
    for div in divisions.values():
        assert div.th and div.ja and div.en
    assert taxonomy.division_label("22", "th") == "22 การผลิตผลิตภัณฑ์ยางและพลาสติก"


def test_every_jsic_middle_maps_to_a_real_division() -> None:
    middles = taxonomy.jsic_middles()
    assert len(middles) == 99
    for middle in middles.values():
        assert taxonomy.is_division(middle.isic), middle


def test_sector_groups() -> None:
    assert taxonomy.sector_group("22") == "manufacturing"
    assert taxonomy.sector_group("46") == "trade"
    assert taxonomy.sector_group("62") == "service"
    assert taxonomy.sector_group(None) == "service"


@pytest.mark.parametrize(
    ("employees", "revenue", "group", "size"),
    [
        (5, 1_800_000, "manufacturing", "micro"),
        (5, 1_800_001, "manufacturing", "small"),  # revenue pushes it up
        # When the two measures disagree, revenue decides (ministerial regulation of 2019):
        (6, 1_000_000, "service", "micro"),  # 6 employees, but micro by revenue
        (50, 100_000_000, "manufacturing", "small"),
        (31, 10_000_000, "trade", "small"),  # 31 employees would be medium in trade
        (31, 10_000_000, "manufacturing", "small"),
        (120, 80_000_000, "manufacturing", "small"),  # medium by headcount, small by revenue
        (10, 600_000_000, "manufacturing", "large"),  # revenue above every bound
        (201, 10_000_000, "manufacturing", "small"),  # not "large": revenue decides
        (100, 300_000_000, "service", "medium"),
        (101, 300_000_000, "service", "medium"),
        (120, None, "manufacturing", "medium"),  # revenue unknown: the headcount decides
        (201, None, "manufacturing", "large"),
    ],
)
def test_osmep_size(employees: int, revenue: int | None, group: str, size: str) -> None:
    assert osmep_size(employees=employees, revenue_thb=revenue, sector_group=group) == size


def test_programme_candidates_follow_the_rules() -> None:
    codes = [
        c.code
        for c in programme_candidates(
            size="medium", sector_group="manufacturing", employees=120, lang="en"
        )
    ]
    assert codes == ["dip_sme_fund", "thai_sme_fund_2024", "boi_sme", "sme_rescue_center"]
    # trade firms above 50 employees are outside the DIP fund's 2017 ceiling
    trade = [
        c.code
        for c in programme_candidates(size="medium", sector_group="trade", employees=60, lang="th")
    ]
    assert "dip_sme_fund" not in trade and "boi_sme" in trade
    assert (
        programme_candidates(size="large", sector_group="service", employees=500, lang="ja") == []
    )


def test_programme_texts_exist_in_three_languages_and_say_what_is_unchecked() -> None:
    for lang in ("th", "ja", "en"):
        for c in programme_candidates(
            size="small", sector_group="manufacturing", employees=10, lang=lang
        ):
            assert c.name and c.reason and c.source and c.as_of
