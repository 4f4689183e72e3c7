"""A completed form as directory columns, and a stored company back as form answers."""

from __future__ import annotations

import re
from typing import Any

from core.ports import CompanyProfile
from language import taxonomy
from registration.forms import definitions
from registration.forms.definitions import FORMS, JP_FIRM, TH_SME
from registration.forms.engine import Form
from registration.forms.sme import osmep_size


def _split_other(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[,;、，]", text or "") if p.strip()]


def answers_to_company(form: Form, answers: dict[str, Any], *, lang: str) -> dict[str, Any]:
    """Company columns for a completed form (only the fields that apply)."""
    a = form.clean_answers(answers)
    cert_key = "certifications" if form.name == TH_SME else "required_certifications"
    certs = [c for c in (a.get(cert_key) or []) if c != "other"]
    other = a.get("certifications_other")
    if "other" in (a.get(cert_key) or []):
        certs += _split_other(other) or ["other"]
    values: dict[str, Any] = {
        "name": a["name"],
        "name_en": a.get("name_en"),  # both forms ask for it (issue 11)
        "sector": a.get("sector"),
        "offers": a.get("offers") or "",
        "seeks": a.get("seeks") or "",
        "partnership": list(a.get("partnership") or []),
        "employees": a.get("employees"),
        "contact_person": a.get("contact_person"),
        "email": a.get("email"),
        "phone": a.get("phone"),
        # the language used to register, and the company's own language
        "languages": list(dict.fromkeys([lang, "th" if form.name == TH_SME else "ja"])),
        "extra": {"form": form.name, "certifications_other": other, "registered_lang": lang},
    }
    if form.name == TH_SME:
        group = taxonomy.sector_group(a.get("sector"))
        values.update(
            country="TH",
            registration_number=a.get("registration_number"),
            certifications=certs,
            annual_revenue_thb=a.get("revenue"),
            size_class=osmep_size(
                employees=a.get("employees"), revenue_thb=a.get("revenue"), sector_group=group
            ),
            location=a.get("province"),
            export_markets=a.get("export_markets"),
        )
    else:
        values.update(
            country="JP",
            registration_number=a.get("corporate_number"),
            required_certifications=certs,
            location=a.get("prefecture"),
            thai_base=a.get("thai_base_location") if a.get("thai_base") == "yes" else None,
        )
        values["extra"]["thai_base"] = a.get("thai_base")
    return values


def company_to_answers(company: CompanyProfile) -> tuple[Form, dict[str, Any]]:
    """The form and its answers for a stored company (to show and edit a profile)."""
    form = FORMS[TH_SME if company.country == "TH" else JP_FIRM]
    extra = company.extra or {}
    fields = {f.name for f in form.fields}
    cert_list = company.certifications if form.name == TH_SME else company.required_certifications
    known = {c.code for c in definitions.reference.choice_list("certifications")}
    certs = [c for c in cert_list if c in known and c != "other"]
    if any(c not in known or c == "other" for c in cert_list):
        certs.append("other")
    answers: dict[str, Any] = {
        "name": company.name,
        "name_en": company.name_en,
        "sector": company.sector,
        "offers": company.offers or None,
        "partnership": list(company.partnership),
        "seeks": company.seeks or None,
        "employees": company.employees,
        "contact_person": company.contact_person,
        "email": company.email,
        "phone": company.phone,
        "consent": "agree" if company.consent_at else None,
        "certifications_other": extra.get("certifications_other"),
    }
    if form.name == TH_SME:
        answers.update(
            registration_number=company.registration_number,
            certifications=certs,
            revenue=company.annual_revenue_thb,
            province=company.location,
            export_markets=company.export_markets,
        )
    else:
        answers.update(
            corporate_number=company.registration_number,
            required_certifications=certs,
            prefecture=company.location,
            thai_base=extra.get("thai_base") or ("yes" if company.thai_base else "no"),
            thai_base_location=company.thai_base,
        )
    # A conditional question never answered stays unanswered, so switching its condition
    # on later (ticking "other") asks it.
    conditional = {f.name for f in form.fields if f.when is not None}
    return form, {
        k: v for k, v in answers.items() if k in fields and not (v is None and k in conditional)
    }
