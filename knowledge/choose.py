"""Which extracted units are shown: the best one and its document's close runners-up,
the later of two dated ones, the unit carrying the asked kind of fact when the best does
not; and how they are laid out under their section headings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from knowledge.extract import ScoredUnit, display_unit, year_of

SAME_FACT = 0.8  # cosine similarity of two units of different documents stating one fact

# How far behind the best unit a unit of its document carrying the asked kind may be
# and still be shown (times the margin).
KIND_MARGIN = 1.5
# ... and the sentence right after it, which goes on about the same thing ("2019: the
# Matching Square was added." "Companies can post needs there ..."), when further behind.
NEXT_MARGIN = 3.0


def pick(scored: Sequence[ScoredUnit], *, margin: float, limit: int = 3) -> list[ScoredUnit]:
    """The best unit and up to `limit - 1` more from the same document scoring within
    `margin` of it, in document order. Between documents scoring almost alike, the one
    with the later year (section heading or as-of date) is preferred."""
    if not scored:
        return []
    best = scored[0]
    # Dated sections of one document (2017 terms, 2019 round) or two dated documents on one
    # thing (two editions, a later notice): the later one, when it scores almost as well;
    # across unrelated documents only when they are all but tied.
    close = [s for s in scored if s.score >= best.score - (margin / 2 if _same(s, best) else 0.02)]
    latest = max(close, key=lambda s: (_year(s), s.score))
    if _year(latest) > _year(best):
        best = latest
    same_document = [
        s
        for s in scored
        if s is not best
        and s.candidate.document_id == best.candidate.document_id
        and s.score >= best.score - margin
    ]
    chosen = [best, *same_document[: limit - 1]]
    if best.features.kind == 0:
        # The best unit names the thing asked about but not the asked kind of fact ("the
        # 20,000 million fund ... how much per borrower?" is closest to the fund's opening
        # line): the document's best unit carrying it is shown too, when not far behind.
        carrying = [
            s
            for s in scored
            if s.candidate.document_id == best.candidate.document_id
            and s.features.kind > 0
            and s.score >= best.score - (NEXT_MARGIN if _next(best, s) else KIND_MARGIN) * margin
        ]
        # the unit carrying most of what was asked ("per borrower" over any amount)
        lead = max(carrying, key=lambda s: (s.features.kind, s.score), default=None)
        if lead is not None and lead not in chosen:
            chosen = [*chosen[: limit - 1], lead]
    return sorted(chosen, key=lambda s: (s.candidate.position, s.candidate.n))


def _next(a: ScoredUnit, b: ScoredUnit) -> bool:
    """`b` is the unit right after `a` in the same chunk."""
    return b.candidate.chunk_id == a.candidate.chunk_id and b.candidate.n == a.candidate.n + 1


def _same(a: ScoredUnit, b: ScoredUnit) -> bool:
    """Two units about the same thing: one topic, one title (two editions of a document),
    or saying nearly the same (a later notice restating an earlier one's terms)."""
    x, y = a.candidate, b.candidate
    if x.topic == y.topic or x.title == y.title:
        return True
    return x.vector.shape == y.vector.shape and float(x.vector @ y.vector) >= SAME_FACT


def _year(unit: ScoredUnit) -> int:
    c = unit.candidate
    return year_of(c.section) or year_of(c.as_of)


def render_units(units: Iterable[ScoredUnit]) -> str:
    """The chosen units under their section heading (the title is shown with the source)."""
    lines: list[str] = []
    current: str | None = None
    for unit in units:
        section = unit.candidate.section
        if section != current:
            if lines:
                lines.append("")
            if section:
                lines.append(f"【{section}】")
            current = section
        lines.append(display_unit(unit.candidate.text))
    return "\n".join(lines)
