"""The reciprocal score of a block of candidates for one viewer, in a few vector operations.

Each signal (text, sector, partnership, certificates, size, location) is a value in [0, 1]
per candidate, `Weights.neutral` where nobody filled it in. They are weighted into two
directions, "how well B answers A's needs" and the reverse, and the two are combined with
the harmonic mean, so a match has to work both ways.
"""

from __future__ import annotations

import numpy as np

from matching import scoring
from matching.scoring import Weights
from matching.snapshot import Query, Snapshot


def score_rows(
    snap: Snapshot, w: Weights, query: Query, cand: slice
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Scores of the rows `cand` for the viewer, and the signals behind them."""
    has_offers, has_seeks = snap.has_offers[cand], snap.has_seeks[cand]
    n = len(has_offers)
    neutral = np.float32(w.neutral)

    # a = viewer, b = candidates. "ab": how well b answers a's needs; "ba": the reverse.
    by_needs = query.against == "seeks"
    target, present = (snap.seeks, has_seeks) if by_needs else (snap.offers, has_offers)
    sims_ab = target[cand] @ query.seeks_vec if query.seeks_vec is not None else None
    sims_ba = snap.seeks[cand] @ query.offers_vec if query.offers_vec is not None else None
    text_ab = _text_signal(w, sims_ab, present, n)
    text_ba = _text_signal(w, sims_ba, has_seeks, n)
    side = "seeks" if by_needs else "offers"
    concept_ab = _concept_signal(snap, query.seeks_concepts, side, cand)
    concept_ba = _concept_signal(snap, query.offers_concepts, "seeks", cand)
    sure_ab = _sureness(w, snap, query.seeks_concepts, side, cand)
    sure_ba = _sureness(w, snap, query.offers_concepts, "seeks", cand)
    text_ab = _fuse(w, text_ab, concept_ab, present, sure_ab)
    text_ba = _fuse(w, text_ba, concept_ba, has_seeks, sure_ba)
    if w.buyers_by_needs:
        text_ba = _buyers_need(snap, w, query, cand, text_ba)

    p = query.profile
    row = snap.row_of.get(p.id) if p is not None else None
    if p is None or row is None:
        # A free-text query: only what the text says, no profile to reciprocate.
        parts = {"text_ab": text_ab, "text_ba": np.full(n, np.nan, np.float32)}
        if concept_ab is not None:
            parts["concept_ab"] = concept_ab
        return text_ab.copy(), parts

    a_pmask = int(snap.pmask[row])
    b_pmask = snap.pmask[cand]
    cert_ab, cert_ba, need = _cert_signals(snap, row, cand, n, neutral)
    signals = {
        "sector": _sector_signal(snap, row, cand, n, neutral),
        "partnership": _partnership_signal(a_pmask, b_pmask, n, neutral),
        "cert_ab": cert_ab,
        "cert_ba": cert_ba,
        "location": _location_signal(snap, row, cand, n, neutral),
        "size": _size_signal(snap, row, cand, n, neutral),
    }
    # What the texts themselves say, for the reasons (the rule below is for scoring).
    parts = {"text_ab": text_ab, "text_ba": text_ba, **signals}
    for name, concept in (("concept_ab", concept_ab), ("concept_ba", concept_ba)):
        if concept is not None:
            parts[name] = concept
    text_ab, text_ba = _buyer_meets_seller(
        a_pmask, b_pmask, text_ab, text_ba, bool(snap.buyers[row]), snap.buyers[cand]
    )
    scores = _reciprocal(w, text_ab, text_ba, signals, bool(snap.required[row]), need)
    return scores, parts


def _buyers_need(
    snap: Snapshot, w: Weights, query: Query, cand: slice, text_ba: np.ndarray
) -> np.ndarray:
    """A candidate asking for buyers ("หาลูกค้าญี่ปุ่นที่ต้องการซื้อกุ้งแช่แข็ง") is answered by
    a viewer that seeks what it sells: its need is compared with the viewer's need, not
    with what the viewer makes."""
    buyers = snap.buyers[cand]
    if query.seeks_vec is None or not buyers.any():
        return text_ba
    sims = snap.seeks[cand] @ query.seeks_vec
    present = snap.has_seeks[cand]
    text = _text_signal(w, sims, present, len(buyers))
    concept = _concept_signal(snap, query.seeks_concepts, "seeks", cand)
    sure = _sureness(w, snap, query.seeks_concepts, "seeks", cand)
    return np.where(buyers, _fuse(w, text, concept, present, sure), text_ba).astype(np.float32)


def _text_signal(w: Weights, sims: np.ndarray | None, present: np.ndarray, n: int) -> np.ndarray:
    """Cosine similarities mapped from [text_lo, text_hi] to [0, 1]; neutral without text."""
    neutral = np.float32(w.neutral)
    if sims is None:
        return np.full(n, neutral, dtype=np.float32)
    norm = np.clip((sims - w.text_lo) / (w.text_hi - w.text_lo), 0.0, 1.0)
    return np.where(present, norm, neutral).astype(np.float32)


def _concept_signal(
    snap: Snapshot, qvec: np.ndarray | None, side: str, cand: slice
) -> np.ndarray | None:
    """The keyword leg: the strongest concept named on both sides (1 for the same
    concept, less through a broader one or a link); None when the viewer's text names
    no concept."""
    if qvec is None:
        return None
    return snap.concept_overlap(qvec, side, cand)


def _sureness(
    w: Weights, snap: Snapshot, qvec: np.ndarray | None, side: str, cand: slice
) -> np.ndarray | float:
    """How far the concept leg is trusted for each candidate: fully when both texts name
    their concepts, `Weights.link_trust` when either side's concepts are only linked by
    embedding (a link can land on a neighbouring concept; then the phrase embedding
    decides more)."""
    if qvec is None or w.link_trust >= 1.0:
        return 1.0
    strongest = (snap.offer_w if side == "offers" else snap.seek_w)[cand, 0]
    if float(qvec.max()) < 1.0:
        return w.link_trust
    return np.where(strongest >= 1.0, np.float32(1.0), np.float32(w.link_trust))


def _fuse(
    w: Weights,
    text: np.ndarray,
    concept: np.ndarray | None,
    present: np.ndarray,
    sure: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Embedding similarity and concept overlap in one text signal (neutral without text)."""
    if concept is None or w.concept <= 0:
        return text
    share = w.concept * sure
    if w.link_miss < 1.0:
        # No shared concept where a side's concepts are only links: hardly evidence.
        unsure = np.asarray(sure) < 1.0
        share = np.where(unsure & (concept <= 0), w.concept * w.link_miss, share)
    fused = (1.0 - share) * text + share * concept
    return np.where(present, fused, text).astype(np.float32)


def _sector_signal(
    snap: Snapshot, row: int, cand: slice, n: int, neutral: np.float32
) -> np.ndarray:
    s_idx = snap.sector[cand]
    a_sector = snap.sector[row]
    if a_sector < 0:
        return np.full(n, neutral, dtype=np.float32)
    sector = snap.compat[a_sector, np.where(s_idx < 0, snap.compat.shape[0] - 1, s_idx)]
    return np.where(np.isnan(sector), neutral, sector).astype(np.float32)


def _partnership_signal(
    a_pmask: int, b_pmask: np.ndarray, n: int, neutral: np.float32
) -> np.ndarray:
    """1 where the candidate wants a kind of partner that complements what the viewer wants."""
    complement = 0
    for name, bit in scoring.PARTNERSHIP_BIT.items():
        if a_pmask & bit:
            complement |= scoring.PARTNERSHIP_BIT[scoring.COMPLEMENT[name]]
    partnership = np.where((b_pmask & np.uint8(complement)) != 0, np.float32(1.0), np.float32(0.0))
    if a_pmask == 0:
        return np.full(n, neutral, dtype=np.float32)
    return np.where(b_pmask == 0, neutral, partnership).astype(np.float32)


def _buyer_meets_seller(
    a_pmask: int,
    b_pmask: np.ndarray,
    text_ab: np.ndarray,
    text_ba: np.ndarray,
    a_buyers: bool,
    b_buyers: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """A firm that wants buyers wants buyers *of what it offers*: for a pair where one side
    wants a supplier and the other wants buyers, the buyer's need meeting the seller's
    offer is the evidence in both directions, or the seller's own words asking for buyers
    of a product (`_buyers_need`) where they say more. A seller that wrote nothing about
    buyers, or something that names no product ("หาพันธมิตรญี่ปุ่นเพื่อขยายตลาด"), is
    judged on its offer alone: neither rewarded with the neutral value of an empty field
    nor punished for the sentence."""
    buyer = scoring.PARTNERSHIP_BIT["buyer"]
    supplier = scoring.PARTNERSHIP_BIT["supplier"]
    zero = np.float32(0.0)
    if a_pmask & supplier:  # a buys; b sells and wants buyers
        b_sells = (b_pmask & np.uint8(buyer)) != 0
        said = np.where(b_buyers, text_ba, zero)
        text_ba = np.where(b_sells, np.maximum(said, text_ab), text_ba)
    if a_pmask & buyer:  # a sells and wants buyers; b wants a supplier
        b_buys = (b_pmask & np.uint8(supplier)) != 0
        said = text_ab if a_buyers else np.zeros_like(text_ab)
        text_ab = np.where(b_buys, np.maximum(said, text_ba), text_ab)
    return text_ab.astype(np.float32), text_ba.astype(np.float32)


def _cert_signals(
    snap: Snapshot, row: int, cand: slice, n: int, neutral: np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The share of the viewer's required certificates each candidate holds, the share of
    each candidate's the viewer holds, and how many each candidate requires."""
    certs_b = snap.certs[cand]
    req_b = snap.required[cand]
    req_a = snap.required[row]
    certs_a = snap.certs[row]
    if req_a:
        cert_ab = np.bitwise_count(certs_b & req_a).astype(np.float32) / float(
            np.bitwise_count(req_a)
        )
    else:
        cert_ab = np.full(n, neutral, dtype=np.float32)
    need = np.bitwise_count(req_b).astype(np.float32)
    have = np.bitwise_count(req_b & certs_a).astype(np.float32)
    cert_ba = np.where(need > 0, have / np.maximum(need, 1), neutral).astype(np.float32)
    return cert_ab, cert_ba, need


def _size_signal(snap: Snapshot, row: int, cand: slice, n: int, neutral: np.float32) -> np.ndarray:
    a_emp = snap.log_emp[row]
    b_emp = snap.log_emp[cand]
    if np.isnan(a_emp):
        return np.full(n, neutral, dtype=np.float32)
    gap = np.abs(b_emp - a_emp)
    size = np.clip(1.0 - (gap - 1.3) / 2.0, 0.3, 1.0)
    return np.where(np.isnan(b_emp), neutral, size).astype(np.float32)


def _location_signal(
    snap: Snapshot, row: int, cand: slice, n: int, neutral: np.float32
) -> np.ndarray:
    """1 in the viewer's province, 0.75 in its area, 0.2 elsewhere in Thailand."""
    a_area, a_prov = snap.area[row], snap.province[row]
    b_area, b_prov = snap.area[cand], snap.province[cand]
    location = np.full(n, neutral, dtype=np.float32)
    if a_prov >= 0:
        known = b_prov >= 0
        location = np.where(known, np.float32(0.2), location)
        if a_area >= 0:
            location = np.where(known & (b_area == a_area), np.float32(0.75), location)
        location = np.where(b_prov == a_prov, np.float32(1.0), location).astype(np.float32)
    return location


def _reciprocal(
    w: Weights,
    text_ab: np.ndarray,
    text_ba: np.ndarray,
    signals: dict[str, np.ndarray],
    viewer_requires: bool,
    need: np.ndarray,
) -> np.ndarray:
    """Both directions' weighted sums, combined by their harmonic mean."""
    sector, partnership = signals["sector"], signals["partnership"]
    cert_ab, cert_ba = signals["cert_ab"], signals["cert_ba"]
    shared = (
        w.sector * sector
        + w.partnership * partnership
        + w.size * signals["size"]
        + w.location * signals["location"]
    )
    dir_ab = w.text * text_ab + w.certifications * cert_ab + shared
    # A required certificate is close to a hard condition: missing ones cut the direction.
    if viewer_requires:
        dir_ab = dir_ab * (1.0 - w.missing_cert_cut * (1.0 - cert_ab))
    dir_ba = w.text * text_ba + w.certifications * cert_ba + shared
    if w.relevance_floor < 1.0:  # a fitting sector alone does not make a partner
        evidence = np.clip(text_ab / max(w.relevance_full, 1e-6), 0.0, 1.0)
        dir_ab = dir_ab * (w.relevance_floor + (1.0 - w.relevance_floor) * evidence)
    dir_ba = np.where(need > 0, dir_ba * (1.0 - w.missing_cert_cut * (1.0 - cert_ba)), dir_ba)
    return (2.0 * dir_ab * dir_ba / np.maximum(dir_ab + dir_ba, 1e-9)).astype(np.float32)
