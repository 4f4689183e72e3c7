"""The company directory: companies from chat registration and from CSV imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.time import utcnow


class CompanyBase(SQLModel):
    # The importer's own key, or ours (TH-CHAT-000001) for chat sign-ups.
    ref: str = Field(index=True, unique=True, max_length=64)
    country: str = Field(max_length=2, index=True)  # "TH" or "JP"
    name: str = Field(max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    sector: str | None = Field(default=None, max_length=2, index=True)  # ISIC Rev.4 division
    offers: str = ""
    seeks: str = ""
    partnership: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    certifications: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    required_certifications: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    employees: int | None = None
    annual_revenue_thb: int | None = None
    size_class: str | None = Field(default=None, max_length=16)  # OSMEP: micro/small/medium/large
    location: str | None = Field(
        default=None, max_length=100
    )  # Thai province / JP prefecture, English
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)  # E.164
    contact_person: str | None = Field(default=None, max_length=200)
    registration_number: str | None = Field(
        default=None, max_length=13
    )  # TH juristic id / JP 法人番号
    export_markets: str | None = None
    thai_base: str | None = None  # JP firms: existing base in Thailand, if any
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="import", max_length=16)  # "import" | "chat" | "demo"
    consent_at: datetime | None = None


class Company(CompanyBase, table=True):
    __tablename__ = "company"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CompanyMember(SQLModel, table=True):
    """A chat account (channel + user id) that speaks for a company."""

    __tablename__ = "company_member"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    lang: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(default_factory=utcnow)
