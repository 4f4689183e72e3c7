"""A clearly fictional demo directory at J-GoodTech's scale (about 1,000 Thai SMEs and
4,000 Japanese firms), with descriptions in Thai, Japanese and English.

Deterministic for a seed. Every name ends in "(Demo)", every email is at example.com or
example.jp (reserved for documentation, RFC 2606), and every phone number has a 0 right
after the area code (+66 2 0..., +81 3 0...). In Japan a subscriber number never starts
with 0 (it is the trunk prefix); for Bangkok we believe 02-0... is unassigned but could
not confirm it offline, so the names and emails are what mark the data as fictional.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core.time import utcnow
from matching.demo_data import (
    CUSTOMERS,
    JP_NAME_A,
    JP_NAME_A_EN,
    JP_NAME_B,
    JP_OFFER,
    JP_PREFECTURES,
    JP_SECTORS,
    JP_SEEK,
    PRODUCTS,
    SUPPLIED_BY,
    SUPPLIES,
    TH_NAME_A,
    TH_NAME_B,
    TH_OFFER,
    TH_PROVINCES,
    TH_SECTORS,
    TH_SEEK,
    THAI_BASES,
    Phrase,
)
from matching.models import Company

logger = logging.getLogger(__name__)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phrase(phrase: Phrase, lang: str) -> str:
    return {"en": phrase[0], "th": phrase[1], "ja": phrase[2]}[lang]


def _employees(rng: random.Random, low: int, high: int) -> int:
    return max(low, min(high, round(rng.lognormvariate(3.8, 1.0))))


def _certs_for(rng: random.Random, sector: str, buyer: str | None) -> list[str]:
    certs = []
    if sector in ("10",):
        certs += [
            c
            for c, p in (("GMP", 0.6), ("HACCP", 0.5), ("Halal", 0.35), ("Thai FDA", 0.5))
            if rng.random() < p
        ]
    else:
        if rng.random() < 0.65:
            certs.append("ISO 9001")
        if rng.random() < 0.2:
            certs.append("ISO 14001")
        if buyer == "29" and rng.random() < 0.45:
            certs.append("IATF 16949")
    return certs


def generate_thai(rng: random.Random, i: int) -> dict[str, Any]:
    sector = _pick(rng, TH_SECTORS)
    product = rng.choice(PRODUCTS[sector])
    buyer = rng.choice(SUPPLIES[sector])
    customer = CUSTOMERS.get(buyer, CUSTOMERS["46"])
    lang = "th" if rng.random() < 0.7 else "en"
    kinds = ["buyer"] + [
        k
        for k, p in (
            ("oem", 0.3),
            ("technology", 0.15),
            ("joint_venture", 0.1),
            ("distribution", 0.1),
            ("investment", 0.08),
        )
        if rng.random() < p
    ]
    if sector in ("52", "62", "46"):
        kinds = ["buyer"]
    main = kinds[0] if rng.random() < 0.85 else kinds[-1]
    offers = rng.choice(TH_OFFER[lang]).format(
        p=_phrase(product, lang), c=_phrase(customer, lang), y=rng.randint(3, 40)
    )
    seeks = TH_SEEK[main][lang].format(p=_phrase(product, lang))
    name_a = rng.choice(TH_NAME_A)
    return {
        "ref": f"DEMO-TH-{i:04d}",
        "country": "TH",
        "name": f"{name_a} {TH_NAME_B[sector]} {i:04d} Co., Ltd. (Demo)",
        "name_en": f"{name_a} {TH_NAME_B[sector]} {i:04d} Co., Ltd. (Demo)",
        "sector": sector,
        "offers": offers,
        "seeks": seeks,
        "partnership": kinds,
        "certifications": _certs_for(rng, sector, buyer),
        "required_certifications": [],
        "employees": _employees(rng, 3, 400),
        "location": _pick(rng, TH_PROVINCES),
        "languages": ["th", "en"] if lang == "en" or rng.random() < 0.5 else ["th"],
        "email": f"contact.th{i:04d}@example.com",
        "phone": f"+6620{i:06d}",
        "contact_person": f"Khun Demo {i:04d}",
    }


def generate_japanese(rng: random.Random, i: int) -> dict[str, Any]:
    sector = _pick(rng, JP_SECTORS)
    own = rng.choice(PRODUCTS[sector])
    lang = "ja" if rng.random() < 0.75 else "en"
    main = rng.choices(
        ["supplier", "oem", "distribution", "technology", "joint_venture", "investment"],
        weights=[55, 15, 10, 8, 7, 5],
    )[0]
    if main in ("supplier", "oem") and SUPPLIED_BY.get(sector):
        wanted = rng.choice(PRODUCTS[rng.choice(SUPPLIED_BY[sector])])
    else:
        wanted = own
    kinds = [main] + [
        k for k in ("oem", "technology", "joint_venture") if k != main and rng.random() < 0.12
    ]
    customer = CUSTOMERS.get(rng.choice(SUPPLIES.get(sector, ["46"])), CUSTOMERS["46"])
    offers = rng.choice(JP_OFFER[lang]).format(
        p=_phrase(own, lang), c=_phrase(customer, lang), y=rng.randint(10, 90)
    )
    seeks = JP_SEEK[main][lang].format(p=_phrase(wanted, lang))
    required = []
    if main in ("supplier", "oem"):
        if sector == "29" and rng.random() < 0.5:
            required.append("IATF 16949")
        if sector == "10" and rng.random() < 0.5:
            required.append(rng.choice(["HACCP", "GMP", "Halal"]))
        if rng.random() < 0.4:
            required.append("ISO 9001")
    k = rng.randrange(len(JP_NAME_A))
    name_b, name_b_en = JP_NAME_B[sector]
    suffix = rng.choice([("株式会社", "Co., Ltd."), ("工業株式会社", "Industries Co., Ltd.")])
    return {
        "ref": f"DEMO-JP-{i:04d}",
        "country": "JP",
        "name": f"{JP_NAME_A[k]}{name_b}{suffix[0]} {i:04d} (Demo)",
        "name_en": f"{JP_NAME_A_EN[k]} {name_b_en} {suffix[1]} {i:04d} (Demo)",
        "sector": sector,
        "offers": offers,
        "seeks": seeks,
        "partnership": kinds,
        "certifications": ["ISO 9001"] if rng.random() < 0.7 else [],
        "required_certifications": required,
        "employees": _employees(rng, 10, 5000) * rng.choice([1, 1, 2, 5]),
        "location": _pick(rng, JP_PREFECTURES),
        "thai_base": rng.choice(THAI_BASES) if rng.random() < 0.45 else None,
        "languages": ["ja", "en"] if lang == "en" or rng.random() < 0.4 else ["ja"],
        "email": f"info.jp{i:04d}@example.jp",
        "phone": f"+8130{i:07d}",
        "contact_person": f"デモ担当 {i:04d}",
    }


def generate(*, thai: int = 1000, japanese: int = 4000, seed: int = 2017) -> list[dict[str, Any]]:
    """Company records (dicts of Company fields), the same for the same arguments."""
    rng = random.Random(seed)
    records = [generate_thai(rng, i) for i in range(1, thai + 1)]
    records += [generate_japanese(rng, i) for i in range(1, japanese + 1)]
    return records


def company_count(session: Session) -> int:
    return int(session.exec(select(func.count(Company.id))).one())  # type: ignore[arg-type]


def load(session: Session, records: Sequence[dict[str, Any]]) -> int:
    """Insert records not yet present (by ref); the caller commits. Returns how many were added."""
    existing = set(session.exec(select(Company.ref)).all())
    now = utcnow()
    added = 0
    for record in records:
        if record["ref"] in existing:
            continue
        session.add(Company(**record, source="demo", created_at=now, updated_at=now))
        added += 1
    return added


def load_if_empty(
    session: Session, *, thai: int = 1000, japanese: int = 4000, seed: int = 2017
) -> int:
    if company_count(session) > 0:
        return 0
    started = time.perf_counter()
    added = load(session, generate(thai=thai, japanese=japanese, seed=seed))
    logger.info("demo directory: %s companies in %.1f s", added, time.perf_counter() - started)
    return added
