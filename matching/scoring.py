"""What makes two companies a good match, as data and small pure functions.

The engine (`matching.engine`) applies these rules to whole arrays at once; this module
holds the vocabulary: partnership types that fit each other, the sector compatibility
table (`matching/data/sector_compat.csv`), certificate names, Thai industrial areas, the
weights, and the reasons shown to the reader in their own language.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from core.i18n import t
from core.types import Lang

DATA_DIR = Path(__file__).parent / "data"
SECTOR_COMPAT_CSV = DATA_DIR / "sector_compat.csv"

# Partnership types of the directory CSV. A company lists the kinds of partner it wants:
# "supplier" = it wants a supplier, "buyer" = it wants buyers (it supplies).
PARTNERSHIP_TYPES = (
    "supplier",
    "buyer",
    "oem",
    "joint_venture",
    "technology",
    "distribution",
    "investment",
)
COMPLEMENT = {
    "supplier": "buyer",
    "buyer": "supplier",
    "oem": "oem",
    "joint_venture": "joint_venture",
    "technology": "technology",
    "distribution": "distribution",
    "investment": "investment",
}
PARTNERSHIP_BIT = {name: 1 << i for i, name in enumerate(PARTNERSHIP_TYPES)}

# Same-division pairs not listed in the table still fit a little (tier-2 to tier-1).
SAME_SECTOR_DEFAULT = 0.6


@dataclass(frozen=True)
class Weights:
    """Weights of one direction's score ("how well B answers A's needs"); they sum to 1."""

    text: float = 0.45
    sector: float = 0.18
    partnership: float = 0.15
    certifications: float = 0.12
    size: float = 0.05
    location: float = 0.05
    # Cosine similarities of the sentence embeddings are mapped from [lo, hi] to [0, 1].
    text_lo: float = 0.10
    text_hi: float = 0.85
    # Hybrid text signal: this share of it is the keyword leg (concepts of the glossary
    # named on both sides, `matching.concepts`), the rest the embedding similarity. 0 is
    # the scorer before issue 12 (embeddings only).
    concept: float = 0.55
    # A text is linked to the concepts whose glossary forms its embedding is this close
    # to (cosine; 0: only concepts the glossary names in it), `linker.ConceptLinker`.
    link_threshold: float = 0.4
    link_margin: float = 0.1  # ... and within this of the nearest concept (at most two)
    # Links beside names that cover only part of a product phrase weigh this much.
    link_partial: float = 0.5
    # The concept share is multiplied by this where either side's concepts are only
    # linked, not named (`signals._sureness`), and by `link_miss` where such sides
    # share no concept (a link on a neighbouring concept is weak evidence against).
    link_trust: float = 0.7
    link_miss: float = 0.5
    # Cosine added, when linking a text by embedding, to the concepts of the company's
    # own division (offers) or of the divisions that supply it (seeks): `linked_divisions`.
    link_prefer: float = 0.1
    # A name covering only part of a product phrase gives way to the narrower concept the
    # phrase's embedding is nearest to (cosine >= narrower_least), at this weight (0: off).
    narrower: float = 0.8
    narrower_least: float = 0.4
    # A text asking for buyers is compared with what the others seek (`signals._buyers_need`).
    buyers_by_needs: bool = True
    # Embed the product phrase (boilerplate words of the directory removed) rather than
    # the whole text without framing.
    embed_phrase: bool = True
    center_languages: bool = True  # subtract each language's mean embedding (see engine)
    neutral: float = 0.4  # the value of a signal nobody filled in (no text, no sector ...)
    missing_cert_cut: float = 0.7  # a direction loses this share when no required cert is held
    # A company whose text answers nothing of the viewer's (text signal below
    # `relevance_full`) is not lifted by a fitting sector or partnership alone: its
    # direction is scaled down towards `relevance_floor` at no text evidence at all.
    relevance_floor: float = 0.7
    relevance_full: float = 0.2
    not_interested_factor: float = 0.3  # "not interested" multiplies the score by this
    # Diversity: "defer" keeps near-copies off the same page of `page_size` results (they
    # move to the next page); "mmr" is maximal marginal relevance; "none" is score order.
    diversity: str = "defer"
    page_size: int = 5
    near_copy: float = 0.95  # offers more similar than this (cosine) are near-copies
    mmr_lambda: float = 0.75
    diversity_pool: int = 60  # how many of the best candidates the diversity step sees


DEFAULT_WEIGHTS = Weights()


# -- sectors -------------------------------------------------------------------------


@cache
def sector_compat() -> dict[tuple[str, str], float]:
    """(supplier division, buyer division) -> strength in [0, 1], from the data file."""
    table: dict[tuple[str, str], float] = {}
    with SECTOR_COMPAT_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            table[(row["supplier"].zfill(2), row["buyer"].zfill(2))] = float(row["strength"])
    return table


def sector_fit(a: str | None, b: str | None) -> float | None:
    """How well two divisions fit, in either supply direction; None when one is unknown."""
    if not a or not b:
        return None
    table = sector_compat()
    best = max(table.get((a, b), 0.0), table.get((b, a), 0.0))
    if a == b:
        best = max(best, SAME_SECTOR_DEFAULT)
    return best


@lru_cache(maxsize=256)
def linked_divisions(sector: str | None, side: str) -> frozenset[str]:
    """The divisions a company's text most likely speaks of: its own for what it offers,
    its own and those that supply it (the sector table, strength >= 0.6) for what it
    seeks. Empty when the sector is unknown."""
    if not sector:
        return frozenset()
    if side == "offers":
        return frozenset({sector})
    table = sector_compat()
    return frozenset({sector, *(s for (s, b), v in table.items() if b == sector and v >= 0.6)})


def sector_label(code: str | None, lang: Lang) -> str:
    """A division's short name in the reader's language ("rubber and plastics products")."""
    if not code:
        return ""
    from language import taxonomy

    div = taxonomy.division(code)
    if div is None:
        return f"ISIC {code}"
    label = div.label(lang)
    return label.removeprefix("Manufacture of ") if lang == "en" else label


# -- certifications -----------------------------------------------------------------


@lru_cache(maxsize=4096)
def normalise_cert(name: str) -> str:
    """ "iso 9001", "ISO-9001:2015" and "ISO9001" are one certificate."""
    key = re.sub(r"[\s\-_.]+", "", name.upper())
    return re.sub(r":\d{4}$", "", key)


def cert_keys(names: Iterable[str]) -> set[str]:
    return {normalise_cert(n) for n in names if n and n.strip()}


# A standard with its number ("ISO 9001:2015", "IATF 16949") is always a certificate.
_STANDARD = re.compile(r"\b(ISO|IATF|JIS\s*[A-Z]|FSSC|TIS|AS)\s*[-\s]?\d{3,5}(:\d{4})?", re.I)
_CERT_TAIL = r"\s*(必須|が必要|の取得|取得|認証|required|certified|certification|mandatory|จำเป็น)"


@lru_cache(maxsize=1 << 16)
def without_certs(text: str, names: tuple[str, ...] = ()) -> str:
    """The text without the certificates it names: a standard with its number, or one
    of the profile's own certificate names followed by "required", "必須", "certified" ...
    Certificates are a signal of their own; as words they pull a text towards unrelated
    products ("JIS" towards jigs, "Halal required" towards halal food)."""
    out = re.sub(_STANDARD.pattern + f"({_CERT_TAIL})?", " ", text, flags=re.I)
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        out = re.sub(re.escape(name) + _CERT_TAIL, " ", out, flags=re.I)
    out = re.sub(r"\s*[;；]\s*(?=\s|$)", " ", out)
    return " ".join(out.split()) if out != text else text


# The market a product is for ("自動車向けの", "for the food industry",
# "สำหรับลูกค้าในอุตสาหกรรมยานยนต์") is not the product: as words it names another concept.
_APPLICATION = [
    re.compile(r"[\u30a0-\u30ff\u4e00-\u9fffー々A-Za-z0-9]{1,12}向け(の|に|で)?"),
    re.compile(
        r"\b(for|to|serving)( the| our| a)?( [a-z\-]+){1,2}? "
        r"(industry|industries|business(es)?|sector|market|customers|applications?)\b",
        re.IGNORECASE,
    ),
    re.compile(r"(สำหรับ|ให้กับ|ป้อน)(ลูกค้า)?(ใน)?(กลุ่ม)?(อุตสาหกรรม|ธุรกิจ)\S*"),
]


@lru_cache(maxsize=1 << 16)
def product_text(text: str, certs: tuple[str, ...] = ()) -> str:
    """What a text says about the product: without certificates (`without_certs`) and
    without the market it is for."""
    out = without_certs(text, certs)
    for pattern in _APPLICATION:
        out = pattern.sub(" ", out)
    out = " ".join(out.split())
    return out if len(out) >= 2 else text


# -- locations ----------------------------------------------------------------------

# Industrial areas of Thailand: a Japanese firm's base and a Thai SME in one area fit.
THAI_AREAS: dict[str, tuple[str, ...]] = {
    "bangkok": (
        "Bangkok",
        "Samut Prakan",
        "Nonthaburi",
        "Pathum Thani",
        "Samut Sakhon",
        "Nakhon Pathom",
    ),
    "eastern_seaboard": (
        "Chonburi",
        "Chon Buri",
        "Rayong",
        "Chachoengsao",
        "Prachinburi",
        "Prachin Buri",
    ),
    "central": (
        "Ayutthaya",
        "Phra Nakhon Si Ayutthaya",
        "Saraburi",
        "Lopburi",
        "Lop Buri",
        "Ang Thong",
        "Sing Buri",
        "Suphan Buri",
    ),
    "north": ("Chiang Mai", "Lamphun", "Lampang", "Chiang Rai", "Phitsanulok"),
    "northeast": ("Khon Kaen", "Nakhon Ratchasima", "Udon Thani", "Ubon Ratchathani"),
    "south": ("Songkhla", "Surat Thani", "Phuket", "Nakhon Si Thammarat"),
}
_PROVINCE_AREA = {p.lower().replace(" ", ""): area for area, ps in THAI_AREAS.items() for p in ps}


def thai_area(place: str | None) -> str | None:
    if not place:
        return None
    key = place.lower().replace(" ", "")
    if key in _PROVINCE_AREA:
        return _PROVINCE_AREA[key]
    for province, area in _PROVINCE_AREA.items():  # "Amata City, Chonburi"
        if province in key:
            return area
    return None


def thai_province_in(place: str | None) -> str | None:
    if not place:
        return None
    key = place.lower().replace(" ", "")
    for province in sorted(_PROVINCE_AREA, key=len, reverse=True):
        if province in key:
            return province
    return key or None


# -- reasons --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason why a match was proposed: a catalogue key, its parameters, its weight."""

    key: str
    weight: float
    params: dict[str, str] = field(default_factory=dict)
    # Parameters that are sector codes or partnership types, rendered in the reader's language.
    sectors: dict[str, str] = field(default_factory=dict)
    ptypes: dict[str, str] = field(default_factory=dict)
    # Parameters already written in each language (a concept's name): name -> lang -> text.
    localized: dict[str, dict[str, str]] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        params = dict(self.params)
        params.update({k: v.get(lang) or v.get("en", "") for k, v in self.localized.items()})
        params.update({k: sector_label(v, lang) for k, v in self.sectors.items()})
        params.update({k: t(f"match.ptype.{v}", lang) for k, v in self.ptypes.items()})
        return t(self.key, lang, **params)


def snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pick_reasons(candidates: list[Reason], *, most: int = 3, least: int = 2) -> list[Reason]:
    """The strongest reasons first; at least `least` when that many exist."""
    ranked = sorted(candidates, key=lambda r: r.weight, reverse=True)
    strong = [r for r in ranked if r.weight >= 0.05][:most]
    if len(strong) < least:
        strong = ranked[: max(least, len(strong))]
    return strong


# -- texts ----------------------------------------------------------------------------------

_PLACES = "|".join(sorted({p.replace(" ", r"\s?") for ps in THAI_AREAS.values() for p in ps}))

# Framing that every need or offer shares ("タイで…を探しています", "Looking for a Thai
# supplier of …", "หาลูกค้าญี่ปุ่นที่ต้องการ…") says nothing about the product, yet dominates a
# short sentence's embedding; it is removed before embedding.
_FRAMING = [
    # What a profile says about itself beside the product: experience, quality, its plant
    # and where it is, order sizes, OEM, its customers. Common in real descriptions
    # ("ISO-certified factory near Bangkok", "over 20 years of experience", "small lots
    # welcome", "คุณภาพสูง พร้อมส่งออก", "ตามแบบของลูกค้า", "現地調達のため", "に対応できる"),
    # and no product's name. (Before the shorter patterns below, which would cut them.)
    r"\b(specialists? |experts? )?(with )?(over |more than )?\d+\+? years?( of experience)?\b",
    r"\b(certified|approved|accredited|modern|our|the) (plant|factory|facility|workshop)s?\b",
    r"\b(plant|factory|facility|workshop|located|based|situated)( located| based| situated)?"
    r" (in|near|at) (" + _PLACES + r"|[a-z]+)\b",
    r"\b(near|in|from|to) (thailand|japan|tokyo|osaka|nagoya|" + _PLACES + r")\b",
    r"\b(contract manufactur(er|ing)|specialist|expert)s?( in| of)?\b",
    r"\b(small|large|any) (lots?|orders?|quantit(y|ies))( are| is)?( welcome)?\b",
    r"\b(we )?need\b|\b(sourced|made|produced) locally\b",
    r"\b(sourcing|seeking)( an?)?( partners?| suppliers?)?( in)?( for| of)?\b",
    r"\(?\boem\b\)?|\bodm\b",
    r"(มี)?ประสบการณ์\s*(มากกว่า|กว่า|เกิน)?\s*\d+\s*ปี",
    r"คุณภาพ(สูง|ดี)|(ได้)?มาตรฐาน(การ)?ส่งออก|พร้อม(ส่งออก|ส่ง)",
    r"(สำหรับ|ให้)ลูกค้า(ต่างประเทศ|ญี่ปุ่น|ทั่วโลก)?|ลูกค้าหลัก(เป็น|คือ)?(บริษัท)?",
    r"ตามแบบ(ของ)?(ลูกค้า)?|(ทั้ง)?(งาน)?จำนวน(น้อย|มาก)(และ(งาน)?จำนวน(น้อย|มาก))?",
    r"(มี)?ความเชี่ยวชาญ(ด้าน|ใน)?|ให้บริการ|(ผลิต)?และจำหน่าย",
    r"現地調達のため[、,]?|(に|へ)?対応(でき|可能)な?る?|を?扱う",
    r"を?委託(でき|可能)な?る?(会社|企業|パートナー|先)?",
    r"ต้องการ(ผู้ซื้อ|ลูกค้า|คู่ค้า|พันธมิตร)(จาก)?|(เพื่อ)?ขยายตลาด",
    r"の?調達先(（[^）]*）)?|を?募集(して(い|おり)?ます)?|(タイ|日本)?国内の|サプライヤー",
    r"(タイ|日本)(の)?(企業|会社|メーカー)",
    # Looking for a partner, making or selling
    r"\b(our )?(plant|factory|company) produces\b",
    r"\bused in\b",
    r"(โรงงาน|บริษัท)(ของ)?เรา",
    r"ต้องการขยายตลาด",
    r"ไปยังบริษัท(ญี่ปุ่น|ไทย)?",
    # Japanese
    r"(を|が)?(探して|求めて)(い|おり|お)?(ます|る)。?",
    r"(を|が)?(供給|製造|生産|受託生産|受託|販売|加工|輸入)?(でき|可能|作れ)な?る?(会社|企業|パートナー|提携先|代理店|取引先|メーカー)",
    r"(タイ|日本)(国内)?(で|の|に|から)",
    r"当社の",
    r"を?(製造|生産|製造・販売|販売|輸入・販売)(して)?(い|おり)?ます",
    r"の製造を行い",
    r"に納入しています",
    r"しています",
    # English
    r"\b(we are |we're )?(looking|searching) for\b",
    r"\b(we )?(make|manufacture|produce|supply|develop|import|export|machine)s?\b",
    r"\b(we )?suppl(ies|ying|ied)\b",
    r"\b(an?|the|our|who|which|that|can|to|for)\b",
    r"\b(thai|japanese|japan|thailand)\b",
    r"\b(suppliers?|partners?|compan(y|ies)|firms?|manufacturers?|makers?|processors?|resellers?)( of)?\b",
    # Thai
    r"^\s*(เรา)?(เป็น)?(ผู้)?(รับ)?(ผลิต|จำหน่าย|นำเข้า|ส่งออก)(และ(ส่งออก|จำหน่าย))?",
    r"(^|\s)(เรา)?(กำลัง)?(มองหา|ต้องการหา|หา)(ลูกค้า|บริษัท|ผู้นำเข้า|ผู้ผลิต|พันธมิตร|ผู้)?(ญี่ปุ่น|ไทย)?(ที่ต้องการ(ซื้อ|สั่งทำ|จ้าง)?)?(ใน(ญี่ปุ่น|ประเทศไทย))?",
    r"(ใน)?(ประเทศ)?(ญี่ปุ่น|ไทย)",
]
_FRAMING_RE = [re.compile(p, re.IGNORECASE) for p in _FRAMING]


@lru_cache(maxsize=1 << 16)
def strip_framing(text: str) -> str:
    """The product or service a sentence is about; the text itself when nothing is left."""
    core = text
    for pattern in _FRAMING_RE:
        core = pattern.sub(" ", core)
    core = re.sub(r"[\s。、,.;；]+", " ", core).strip()
    return core if len(core) >= 2 else text.strip()


_BUYER_WORDS = re.compile(
    r"(ลูกค้า|ผู้ซื้อ|ผู้นำเข้า|ตัวแทนจำหน่าย|販売先|顧客|買い手|輸入業者|輸入商社|代理店|"
    r"\b(buyers?|customers?|importers?|distributors?|resellers?)\b)",
    re.IGNORECASE,
)


def asks_for_buyers(text: str) -> bool:
    """A description asking for buyers ("หาผู้นำเข้าในญี่ปุ่น", "Japanese customers for our
    seals") is compared with what the others look for, not with what they offer."""
    return bool(_BUYER_WORDS.search(text))
