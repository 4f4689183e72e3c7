"""The cards of the introductions workflow: a company's profile without its contact
details, and the Accept/Decline buttons the introduced company answers with.

Everything with a code (country, sector, province or prefecture, certifications,
partnership types) is written from reference data in the reader's language first; the
company's own free text follows, labelled with its language (or translated, when a
translator is configured).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.i18n import t
from core.types import Button, Card, Lang
from language.format import company_name, join_list, number_text
from language.reference import certs_text, place_label
from language.translate import TextTranslator, labelled
from matching import scoring
from matching.models import Company


def profile_card(
    company: Company,
    lang: Lang,
    *,
    buttons: Sequence[Button] = (),
    translator: TextTranslator | None = None,
) -> Card:
    """A company's profile without contact details: the structured summary, then its own
    words."""
    lines = []
    if company.certifications:
        lines.append(t("match.card.certs", lang, text=certs_text(company.certifications, lang)))
    if company.employees:
        lines.append(t("match.card.employees", lang, n=number_text(company.employees)))
    kinds = [k for k in company.partnership or [] if k in scoring.PARTNERSHIP_BIT]
    if kinds:
        text = join_list((t(f"match.ptype.{k}", lang) for k in kinds), lang)
        lines.append(t("match.card.partnership", lang, text=text))
    if company.offers:
        text = labelled(scoring.snippet(company.offers, 160), lang, translator=translator)
        lines.append(t("match.card.offers", lang, text=text))
    if company.seeks:
        text = labelled(scoring.snippet(company.seeks, 160), lang, translator=translator)
        lines.append(t("match.card.seeks", lang, text=text))
    return Card(
        title=company_name(company.name, company.name_en, lang),
        subtitle=card_subtitle(company, lang),
        body="\n".join(lines),
        buttons=tuple(buttons),
    )


def subtitle_parts(country: str, sector: str | None, place: str | None, lang: Lang) -> str:
    """タイ・機械製造業・チョンブリー / ไทย · ... : country, sector and place in the reader's
    language, joined the reader's way."""
    parts = [t(f"match.country.{country}", lang)] if country in ("TH", "JP") else []
    if sector:
        parts.append(scoring.sector_label(sector, lang))
    if place:
        parts.append(place_label(place, lang))
    return ("・" if lang == "ja" else " · ").join(p for p in parts if p)


def card_subtitle(company: Company, lang: Lang) -> str:
    return subtitle_parts(company.country, company.sector, company.location, lang)


def decision_buttons(intro_id: int, lang: Lang) -> tuple[Button, ...]:
    return (
        Button(t("match.button.accept", lang), f"match:yes:{intro_id}"),
        Button(t("match.button.decline", lang), f"match:no:{intro_id}"),
    )
