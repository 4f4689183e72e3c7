"""Protocols through which one feature reaches another; the composition root fills them.

Registration writes company profiles into the directory that matching owns, and erasing
a person reaches every store. Neither feature imports the other: each is handed an
object satisfying one of these protocols at start-up (`assembly/features.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol


class CompanyProfile(Protocol):
    """What registration reads of a directory company."""

    @property
    def id(self) -> int | None: ...
    @property
    def ref(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str | None: ...
    @property
    def sector(self) -> str | None: ...
    @property
    def offers(self) -> str: ...
    @property
    def seeks(self) -> str: ...
    @property
    def partnership(self) -> list[str]: ...
    @property
    def certifications(self) -> list[str]: ...
    @property
    def required_certifications(self) -> list[str]: ...
    @property
    def employees(self) -> int | None: ...
    @property
    def annual_revenue_thb(self) -> int | None: ...
    @property
    def size_class(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def contact_person(self) -> str | None: ...
    @property
    def registration_number(self) -> str | None: ...
    @property
    def export_markets(self) -> str | None: ...
    @property
    def thai_base(self) -> str | None: ...
    @property
    def extra(self) -> dict[str, Any]: ...
    @property
    def consent_at(self) -> datetime | None: ...


class CompanyContact(Protocol):
    """A chat account that speaks for a company."""

    @property
    def channel(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def lang(self) -> str | None: ...


class CompanyDirectory(Protocol):
    """The company directory as registration uses it; every call inside the caller's
    transaction (`session` is a sqlmodel Session)."""

    def get_company_for_member(
        self, session: Any, *, channel: str, user_id: str
    ) -> CompanyProfile | None: ...

    def find_by_registration_number(
        self, session: Any, *, country: str, number: str
    ) -> CompanyProfile | None: ...

    def create_chat_company(
        self,
        session: Any,
        *,
        values: Mapping[str, Any],
        channel: str,
        user_id: str,
        lang: str | None,
        consent_at: datetime,
    ) -> CompanyProfile: ...

    def update_company(
        self, session: Any, *, company_id: int, values: Mapping[str, Any]
    ) -> CompanyProfile: ...

    def get_company(self, session: Any, *, company_id: int) -> CompanyProfile | None: ...

    def list_members(self, session: Any, *, company_id: int) -> Sequence[CompanyContact]: ...

    def set_invite(
        self, session: Any, *, company_id: int, code_sha256: str, expires_at: datetime
    ) -> None: ...

    def find_company_by_invite(
        self, session: Any, *, code_sha256: str, now: datetime
    ) -> CompanyProfile | None: ...

    def add_member(
        self,
        session: Any,
        *,
        company_id: int,
        channel: str,
        user_id: str,
        lang: str | None,
        code_sha256: str,
        now: datetime,
    ) -> bool: ...


class EraseUser(Protocol):
    """Erase everything kept about one chat user, inside the caller's transaction."""

    def __call__(self, session: Any, *, channel: str, user_id: str) -> None: ...
