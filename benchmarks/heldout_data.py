"""The directory generator of the held-out matching benchmark (`matching_heldout.py`).

Each seed is a directory of planted pairs among same-sector companies: a Thai SME that
makes a product and holds a certificate, and a Japanese firm seeking that product in
Thailand and requiring that certificate. Around each pair: Thai companies of the same
sector making other things (or the same thing without the certificate, or a sibling
product), a Thai company of a merely compatible sector, and Japanese firms of the same
sector seeking other things (or the same thing with a certificate the Thai SME lacks).

Phrasing varies: several templates per language (some naming an application, such as
"for the automotive industry", that is not the product), product names drawn from the
glossary's synonyms, mixed-language profiles, typos and missing fields. The glossary's
surface forms are split per concept and language (`held_out`): a third (at least one,
never the preferred form) is held out of the matcher's glossary. The concepts themselves
are split in two by a hash: development seeds plant pairs on development concepts, test
seeds on test concepts, and each names its own concepts with their held-out forms
wherever a language has one (every other product with forms the matcher knows). So both
splits are equally hard, and tuning on the development seeds never sees a test word.

Every company equally good for a query (same product, certificates satisfied, wanting the
complementary kind of partner) is marked, not only the planted one.
"""

from __future__ import annotations

import hashlib
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "matching" / "data" / "concepts.toml"
COMPAT = ROOT / "matching" / "data" / "sector_compat.csv"

CERTS = {
    "food": ("HACCP", "GMP", "Halal", "ISO 22000"),
    "auto": ("IATF 16949", "ISO 9001", "ISO 14001"),
    "medical": ("ISO 13485", "ISO 9001"),
    "other": ("ISO 9001", "ISO 14001", "JIS"),
}
PROVINCES = ("Chonburi", "Rayong", "Ayutthaya", "Bangkok", "Samut Prakan", "Pathum Thani")
PREFECTURES = ("Tokyo", "Aichi", "Osaka", "Kanagawa", "Saitama", "Hyogo")

TH_OFFER = (
    "เราเป็นผู้ผลิต{p} มีประสบการณ์มากกว่า {n} ปี",
    "รับผลิต{p} ตามแบบของลูกค้า ทั้งงานจำนวนน้อยและจำนวนมาก",
    "บริษัทของเราให้บริการ{p}คุณภาพสูง พร้อมส่งออก",
    "โรงงานของเรามีความเชี่ยวชาญด้าน{p} ลูกค้าหลักเป็นบริษัทญี่ปุ่น",
    "ผลิตและจำหน่าย{p} สำหรับลูกค้าในอุตสาหกรรม{a}",
)
EN_OFFER = (
    "We manufacture {p} for export customers.",
    "Contract manufacturer of {p}; small lots welcome.",
    "{p} specialist with {n} years of experience.",
    "Our factory in Thailand supplies {p} to Japanese customers.",
    "Supplier of {p} to the {a} industry; certified plant near Bangkok.",
)
MIXED_OFFER = (  # Thai sentence, English product name
    "รับผลิต {p} (OEM) สำหรับลูกค้าต่างประเทศ",
    "ผู้ผลิต {p} ได้มาตรฐานส่งออก",
)
TH_SEEK = (
    "มองหาลูกค้าญี่ปุ่นที่ต้องการซื้อ{p}",
    "ต้องการผู้ซื้อจากญี่ปุ่น",
    "หาพันธมิตรญี่ปุ่นเพื่อขยายตลาด",
)
JA_SEEK = (
    "タイで{p}を委託できる会社を探しています",
    "{p}の調達先（タイ）を募集しています。{c}必須",
    "タイ国内の{p}サプライヤーを探しています",
    "現地調達のため、{p}に対応できるタイ企業を求めています",
    "{a}向けの{p}を扱うタイのメーカーを探しています",
)
EN_SEEK = (
    "Looking for a Thai supplier of {p}",
    "Seeking a partner in Thailand for {p}; {c} required",
    "We need {p} sourced locally in Thailand.",
    "Sourcing {p} from Thailand for our {a} business",
)
MIXED_SEEK = ("タイで {p} のサプライヤーを探しています",)  # Japanese sentence, English name
APPLICATIONS = {  # an application named beside the product (not the product)
    "th": ("ยานยนต์", "อาหาร", "อิเล็กทรอนิกส์", "ก่อสร้าง", "การแพทย์"),
    "ja": ("自動車", "食品", "電子機器", "建設", "医療"),
    "en": ("automotive", "food", "electronics", "construction", "medical"),
}
JA_OFFER = ("{p}を製造しています", "日本の{p}メーカーです", "{p}の製造・販売")
EN_OFFER_JP = ("We make {p} in Japan.", "Japanese maker of {p}")


@dataclass
class Company:
    ref: str
    country: str
    name: str
    sector: str
    offers: str
    seeks: str
    partnership: list[str]
    certifications: list[str]
    required: list[str]
    employees: int | None
    location: str
    thai_base: str = ""
    # What the benchmark knows about it: the concepts it offers and seeks.
    offer_ids: set[str] = field(default_factory=set)
    seek_ids: set[str] = field(default_factory=set)


def glossary() -> dict[str, dict]:  # type: ignore[type-arg]
    with GLOSSARY.open("rb") as fh:
        return tomllib.load(fh)["concept"]


def split_of(cid: str) -> str:
    """The split whose seeds plant pairs on this concept (fixed by a hash)."""
    return "dev" if hashlib.sha1(f"split/{cid}".encode()).digest()[0] % 2 == 0 else "test"


def held_out(split: str | None = None) -> set[tuple[str, str, str]]:
    """(concept, lang, form) held out of the matcher's glossary, the same for every seed.

    Per concept and language, the forms other than the first (preferred) one are put in
    an order fixed by a hash; a third of all the forms (at least one) is held out.
    `split`: only the concepts of that split (its seeds' phrasing); None: every held-out
    form (what the matcher is denied).
    """
    out = set()
    for cid, entry in glossary().items():
        if split is not None and split_of(cid) != split:
            continue
        for lang in ("th", "ja", "en"):
            forms = entry.get(lang, [])
            if len(forms) < 2:
                continue
            count = max(1, round(len(forms) / 3))
            rest = sorted(forms[1:], key=lambda f: hashlib.sha1(f"{cid}/{f}".encode()).digest())
            out |= {(cid, lang, f) for f in rest[:count]}
    return out


def buyer_sectors() -> dict[str, list[str]]:
    """supplier division -> divisions that buy from it (the sector table)."""
    table: dict[str, list[str]] = {}
    for line in COMPAT.read_text(encoding="utf-8").splitlines()[1:]:
        sup, buy, strength, *_ = line.split(",")
        if float(strength) >= 0.6:
            table.setdefault(sup.zfill(2), []).append(buy.zfill(2))
    return table


def cert_family(isic: str) -> str:
    if isic in {"01", "03", "10", "11"}:
        return "food"
    if isic in {"22", "24", "25", "27", "29", "30"}:
        return "auto"
    return "medical" if isic == "32" else "other"


class Builder:
    def __init__(self, seed: int, split: str) -> None:
        self.rng = random.Random(seed)
        self.split = split
        self.concepts = glossary()
        self.held = held_out(split)
        self.denied = held_out()  # every held-out form: the matcher's glossary lacks them
        self.buyers = buyer_sectors()
        self.companies: list[Company] = []
        self.planted: list[tuple[str, str]] = []  # (Thai ref, Japanese ref)
        by_isic: dict[str, list[str]] = {}
        for cid, e in self.concepts.items():
            if (
                e["kind"] != "service"
                and int(e["isic"]) <= 33
                and all(e.get(x) for x in ["th", "ja", "en"])
            ):
                by_isic.setdefault(e["isic"], []).append(cid)
        self.by_isic = {k: v for k, v in by_isic.items() if len(v) >= 4}

    # -- phrasing ---------------------------------------------------------------------

    def name_of(self, cid: str, lang: str) -> str:
        """A surface form: one held out for this split where the language has one."""
        forms = self.concepts[cid][lang]
        held = [f for f in forms if (cid, lang, f) in self.held]
        kept = [f for f in forms if (cid, lang, f) not in self.denied]
        pool = held or kept
        form = self.rng.choice(pool)
        return self.typo(form) if self.rng.random() < 0.12 else form

    def typo(self, word: str) -> str:
        """One slip of the keyboard: a character dropped or two swapped."""
        if len(word) < 4:
            return word
        i = self.rng.randrange(1, len(word) - 1)
        if self.rng.random() < 0.5:
            return word[:i] + word[i + 1 :]
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    def offer_text(self, cid: str) -> str:
        r = self.rng.random()
        if r < 0.55:
            template, lang = self.rng.choice(TH_OFFER), "th"
        elif r < 0.85:
            template, lang = self.rng.choice(EN_OFFER), "en"
        else:
            template, lang = self.rng.choice(MIXED_OFFER), "en"
        app = self.rng.choice(APPLICATIONS[lang])
        return template.format(p=self.name_of(cid, lang), n=self.rng.randint(5, 30), a=app)

    def seek_text(self, cid: str, cert: str) -> str:
        r = self.rng.random()
        if r < 0.6:
            template, lang = self.rng.choice(JA_SEEK), "ja"
        elif r < 0.9:
            template, lang = self.rng.choice(EN_SEEK), "en"
        else:
            template, lang = self.rng.choice(MIXED_SEEK), "en"
        app = self.rng.choice(APPLICATIONS["ja" if lang == "ja" else "en"])
        return template.format(p=self.name_of(cid, lang), c=cert, a=app)

    # -- companies --------------------------------------------------------------------

    def thai(self, cid: str, certs: list[str], *, sector: str | None = None) -> Company:
        sector = sector or self.concepts[cid]["isic"]
        seek = self.rng.choice(TH_SEEK).format(p=self.name_of(cid, "th"))
        c = Company(
            ref=f"TH{len(self.companies):05d}",
            country="TH",
            name=f"Thai Co {len(self.companies)}",
            sector=sector if self.rng.random() > 0.15 else "",
            offers=self.offer_text(cid),
            seeks=seek if self.rng.random() > 0.15 else "",
            partnership=["buyer"] + (["oem"] if self.rng.random() < 0.3 else []),
            certifications=certs,
            required=[],
            employees=self.rng.choice([30, 80, 150, 400]) if self.rng.random() > 0.1 else None,
            location=self.rng.choice(PROVINCES),
            offer_ids={cid},
        )
        self.companies.append(c)
        return c

    def japanese(self, cid: str, required: list[str], sector: str) -> Company:
        own = self.rng.choice(self.by_isic.get(sector) or self.by_isic["28"])
        lang = "ja" if self.rng.random() < 0.7 else "en"
        offer = self.rng.choice(JA_OFFER if lang == "ja" else EN_OFFER_JP)
        c = Company(
            ref=f"JP{len(self.companies):05d}",
            country="JP",
            name=f"Japan KK {len(self.companies)}",
            sector=sector if self.rng.random() > 0.15 else "",
            offers=offer.format(p=self.concepts[own][lang][0]),
            seeks=self.seek_text(cid, required[0] if required else ""),
            partnership=["supplier"],
            certifications=["ISO 9001"],
            required=required,
            employees=self.rng.choice([200, 800, 3000]) if self.rng.random() > 0.1 else None,
            location=self.rng.choice(PREFECTURES),
            thai_base=self.rng.choice(PROVINCES) if self.rng.random() > 0.3 else "",
            seek_ids={cid},
        )
        self.companies.append(c)
        return c

    def pair(self, isic: str) -> None:
        """A planted pair of one sector and its distractors."""
        rng = self.rng
        own = [c for c in self.by_isic[isic] if split_of(c) == self.split]
        cid = rng.choice(own or self.by_isic[isic])
        others = rng.sample([c for c in self.by_isic[isic] if c != cid], 3)
        family = CERTS[cert_family(isic)]
        cert, other_cert = rng.sample(family, 2)
        buyer = rng.choice(self.buyers.get(isic, [isic]))
        t = self.thai(cid, [cert] + ([other_cert] if rng.random() < 0.3 else []))
        j = self.japanese(cid, [cert], buyer)
        self.planted.append((t.ref, j.ref))
        for other in others:  # same sector, another product, certified
            self.thai(other, [cert])
            self.japanese(other, [cert], buyer)
        self.thai(cid, [c for c in family if c != cert][:1])  # same product, no certificate
        lacking = [c for c in family if c not in t.certifications]
        self.japanese(cid, [lacking[0]] if lacking else [cert, "ISO 13485"], buyer)
        broader = self.concepts[cid].get("broader")
        siblings = [
            c for c in self.by_isic[isic] if c != cid and self.concepts[c].get("broader") == broader
        ]
        if broader and siblings:
            self.thai(rng.choice(siblings), [cert])  # a sibling product, certified
        neighbours = [
            s
            for s, buys in self.buyers.items()
            if buyer in buys and s != isic and s in self.by_isic
        ]
        if neighbours:  # a merely compatible sector, certified, wanting buyers
            s = rng.choice(neighbours)
            self.thai(rng.choice(self.by_isic[s]), [cert], sector=s)


def build(seed: int, split: str, pairs: int) -> Builder:
    builder = Builder(seed, split)
    sectors = sorted(builder.by_isic)
    for i in range(pairs):
        builder.pair(
            sectors[builder.rng.randrange(len(sectors))] if i >= len(sectors) else sectors[i]
        )
    return builder


def equally_good(b: Builder) -> dict[str, set[str]]:
    """For each planted company's ref: the refs of every company that fits it as well."""
    by_ref = {c.ref: c for c in b.companies}
    out: dict[str, set[str]] = {}
    for t_ref, j_ref in b.planted:
        t, j = by_ref[t_ref], by_ref[j_ref]
        out[j_ref] = {
            c.ref
            for c in b.companies
            if c.country == "TH"
            and j.seek_ids & c.offer_ids
            and set(j.required) <= set(c.certifications)
            and "buyer" in c.partnership
        }
        out[t_ref] = {
            c.ref
            for c in b.companies
            if c.country == "JP"
            and t.offer_ids & c.seek_ids
            and set(c.required) <= set(t.certifications)
            and "supplier" in c.partnership
        }
    return out
