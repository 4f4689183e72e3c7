"""Why a candidate was proposed: the reasons shown with a match, in the reader's language.

Each reason carries a weight (roughly its share of the score); `scoring.pick_reasons`
keeps the strongest few.
"""

from __future__ import annotations

import math

import numpy as np

from language.reference import certs_text, place_label
from language.translate import quoted
from matching import scoring
from matching.concepts import LANGS
from matching.scoring import Reason, Weights
from matching.snapshot import Profile, Query, Snapshot


def reasons_for(
    snap: Snapshot, w: Weights, query: Query, row: int, parts: dict[str, float]
) -> list[Reason]:
    """The reasons to show for the candidate at `row`, from the signals behind its score."""
    b = snap.profile(row)
    a = query.profile
    reasons = _text_reasons(snap, w, query, row, parts)
    named = _concept_reasons(snap, w, query, row)
    if query.profile is not None and any(r.key == "match.reason.concept_they_offer" for r in named):
        # The product named on both sides says what the quoted offer would (a free-text
        # search keeps the quote: it has room, and the reader wrote the other half).
        keep = ("match.reason.seeks_you", "match.reason.sells_what_you_seek")
        reasons = [r for r in reasons if r.key in keep]
    reasons += named
    if a is None:
        if b.location:
            reasons.append(Reason("match.reason.located", 0.01, localized=_places(b.location)))
        return scoring.pick_reasons(reasons)
    reasons += _sector_reasons(w, a, b, parts)
    reasons += _cert_reasons(w, a, b)
    reasons += _partnership_reasons(w, a, b, parts)
    reasons += _place_reasons(w, a, b, parts)
    return scoring.pick_reasons(reasons)


def _text_reasons(
    snap: Snapshot, w: Weights, query: Query, row: int, parts: dict[str, float]
) -> list[Reason]:
    """What they offer (or need) fits what the viewer described; what they seek fits you."""
    b = snap.profile(row)
    reasons: list[Reason] = []
    text_ab = parts.get("text_ab", 0.0)
    described = query.profile is None or bool(query.seeks_text)
    if query.against == "seeks":
        # A description, or the viewer's own words asking for buyers, meets their need.
        if query.seeks_vec is not None and snap.has_seeks[row] and text_ab >= 0.15:
            key = "match.reason.needs_described" if described else "match.reason.seeks_you"
            reasons.append(Reason(key, w.text * text_ab, localized={"need": _quoted(b.seeks)}))
    elif query.seeks_vec is not None and snap.has_offers[row] and text_ab >= 0.15:
        key = "match.reason.fits_description" if query.seeks_text else "match.reason.offers_fit"
        reasons.append(Reason(key, w.text * text_ab, localized={"offer": _quoted(b.offers)}))
    text_ba = parts.get("text_ba", float("nan"))
    # A candidate asking for buyers was compared with what the viewer seeks.
    sells = w.buyers_by_needs and bool(snap.buyers[row]) and query.seeks_vec is not None
    compared = query.seeks_vec if sells else query.offers_vec
    if (
        not math.isnan(text_ba)
        and compared is not None
        and snap.has_seeks[row]
        and text_ba >= 0.15
        and not any(r.key == "match.reason.seeks_you" for r in reasons)
    ):
        key = "match.reason.sells_what_you_seek" if sells else "match.reason.seeks_you"
        reasons.append(Reason(key, w.text * text_ba, localized={"need": _quoted(b.seeks)}))
    return reasons


def _concept_reasons(snap: Snapshot, w: Weights, query: Query, row: int) -> list[Reason]:
    """A product, material, process or service of the glossary named on both sides, by its
    name in the reader's language ("両社とも「プリント基板実装」")."""
    reasons: list[Reason] = []
    by_needs = query.against == "seeks"
    ab = _best_shared(
        snap,
        query.seeks_concepts,
        snap.seek_ids[row] if by_needs else snap.offer_ids[row],
        snap.seek_w[row] if by_needs else snap.offer_w[row],
    )
    if ab is not None:
        key = "match.reason.concept_they_offer"
        if query.profile is None or query.seeks_text:
            key = "match.reason.concept_described"
        elif by_needs:  # the viewer's offer, in its words asking for buyers
            key = "match.reason.concept_they_seek"
        reasons.append(_concept_reason(snap, w, key, *ab))
    if query.profile is not None and not reasons:  # one concept reason is enough
        ba = _best_shared(snap, query.offers_concepts, snap.seek_ids[row], snap.seek_w[row])
        if ba is not None:
            reasons.append(_concept_reason(snap, w, "match.reason.concept_they_seek", *ba))
    return reasons


def _best_shared(
    snap: Snapshot, qvec: np.ndarray | None, ids: np.ndarray, ws: np.ndarray
) -> tuple[int, float] | None:
    """The concept shared most strongly (the same concept, or through a broader one at
    most one step up on one side), or None."""
    if qvec is None or snap.glossary is None:
        return None
    strength = qvec[ids] * ws
    best = int(np.argmax(strength))
    if ids[best] < 0 or strength[best] < 0.5:
        return None
    return int(ids[best]), float(strength[best])


def _concept_reason(snap: Snapshot, w: Weights, key: str, index: int, strength: float) -> Reason:
    assert snap.glossary is not None
    concept = snap.glossary.concepts[index]
    names: dict[str, str] = {lang: concept.label(lang) for lang in LANGS}
    # Named products are concrete: shown beside the quoted text and the certificates.
    return Reason(key, w.certifications + 0.09 * strength, localized={"concept": names})


def _sector_reasons(w: Weights, a: Profile, b: Profile, parts: dict[str, float]) -> list[Reason]:
    if not (a.sector and b.sector):
        return []
    if a.sector == b.sector:
        return [
            Reason(
                "match.reason.same_sector",
                w.sector * parts.get("sector", 0.0),
                sectors={"sector": a.sector},
            )
        ]
    table = scoring.sector_compat()
    they = table.get((b.sector, a.sector), 0.0)
    you = table.get((a.sector, b.sector), 0.0)
    key = "match.reason.they_supply" if they >= you else "match.reason.you_supply"
    if max(they, you) > 0:
        return [
            Reason(
                key,
                w.sector * parts.get("sector", 0.0),
                sectors={"theirs": b.sector, "yours": a.sector},
            )
        ]
    return []


def _cert_reasons(w: Weights, a: Profile, b: Profile) -> list[Reason]:
    """Certificates each side requires that the other holds (weighted above the rest:
    concrete and rare)."""
    reasons: list[Reason] = []
    theirs_req = {scoring.normalise_cert(c): c for c in b.required_certifications}
    mine = scoring.cert_keys(a.certifications)
    held = [name for key, name in theirs_req.items() if key in mine]
    if held:
        reasons.append(
            Reason("match.reason.cert_you_hold", w.certifications + 0.1, localized=_certs(held))
        )
    my_req = {scoring.normalise_cert(c): c for c in a.required_certifications}
    theirs = scoring.cert_keys(b.certifications)
    they_hold = [name for key, name in my_req.items() if key in theirs]
    if they_hold:
        reasons.append(
            Reason(
                "match.reason.cert_they_hold",
                w.certifications + 0.08,
                localized=_certs(they_hold),
            )
        )
    return reasons


def _partnership_reasons(
    w: Weights, a: Profile, b: Profile, parts: dict[str, float]
) -> list[Reason]:
    fits = [x for x in a.partnership if scoring.COMPLEMENT[x] in b.partnership]
    if not fits:
        return []
    kind = "supplier" if "supplier" in fits else ("buyer" if "buyer" in fits else fits[0])
    key = {
        "supplier": "match.reason.partner_they_supply",
        "buyer": "match.reason.partner_they_buy",
    }.get(kind, "match.reason.partner_both")
    return [Reason(key, w.partnership * parts.get("partnership", 1.0), ptypes={"kind": kind})]


def _place_reasons(w: Weights, a: Profile, b: Profile, parts: dict[str, float]) -> list[Reason]:
    reasons: list[Reason] = []
    loc = parts.get("location", 0.0)
    place_a = a.location if a.country == "TH" else a.thai_base
    if b.country == "TH" and b.location and place_a and loc >= 0.75:
        key = "match.reason.near_base" if loc < 1.0 else "match.reason.same_province"
        places = _places(b.location) | _places(place_a, name="base")
        reasons.append(Reason(key, w.location * loc, localized=places))
    elif a.country == "TH" and b.thai_base and loc >= 0.75:
        reasons.append(
            Reason(
                "match.reason.has_base_near",
                w.location * loc,
                localized=_places(b.thai_base, name="base"),
            )
        )
    if b.location:
        reasons.append(Reason("match.reason.located", 0.001, localized=_places(b.location)))
    return reasons


# -- parameters in each reader's language (issue 11) -------------------------------------


def _places(place: str | None, *, name: str = "place") -> dict[str, dict[str, str]]:
    """A province or prefecture by its name in each language (パトゥムターニー, ปทุมธานี)."""
    return {name: {lang: place_label(place, lang) for lang in LANGS}}


def _certs(names: list[str]) -> dict[str, dict[str, str]]:
    """Certificates in each language, joined the reader's way (ISO 9001、ハラール)."""
    return {"certs": {lang: certs_text(names, lang) for lang in LANGS}}


def _quoted(text: str) -> dict[str, str]:
    """The other company's own words, labelled with their language for a reader of
    another (「…」（タイ語の原文）)."""
    short = scoring.snippet(text)
    return {lang: quoted(short, lang) for lang in LANGS}
