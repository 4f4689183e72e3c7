"""The cards of the introductions workflow: a company's profile without its contact
details, and the Accept/Decline buttons the introduced company answers with."""

from __future__ import annotations

from collections.abc import Sequence

from core.i18n import t
from core.types import Button, Card, Lang
from matching import scoring
from matching.models import Company


def profile_card(company: Company, lang: Lang, *, buttons: Sequence[Button] = ()) -> Card:
    """A company's profile without contact details."""
    lines = []
    if company.offers:
        lines.append(t("match.card.offers", lang, text=scoring.snippet(company.offers, 160)))
    if company.seeks:
        lines.append(t("match.card.seeks", lang, text=scoring.snippet(company.seeks, 160)))
    if company.certifications:
        lines.append(t("match.card.certs", lang, text=", ".join(company.certifications)))
    if company.employees:
        lines.append(t("match.card.employees", lang, n=f"{company.employees:,}"))
    return Card(
        title=company.name,
        subtitle=card_subtitle(company, lang),
        body="\n".join(lines),
        buttons=tuple(buttons),
    )


def card_subtitle(company: Company, lang: Lang) -> str:
    parts = [t(f"match.country.{company.country}", lang)] if company.country in ("TH", "JP") else []
    if company.sector:
        parts.append(scoring.sector_label(company.sector, lang))
    if company.location:
        parts.append(company.location)
    return " · ".join(parts)


def decision_buttons(intro_id: int, lang: Lang) -> tuple[Button, ...]:
    return (
        Button(t("match.button.accept", lang), f"match:yes:{intro_id}"),
        Button(t("match.button.decline", lang), f"match:no:{intro_id}"),
    )
