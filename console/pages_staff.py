"""Admins only: staff accounts (create, role, deactivate, new sign-in link) and the
audit log of every staff change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from console.auth import AdminDep
from console.errors import ConsoleRoute, found
from console.render import render
from core.db import write_lock
from core.deps import EngineDep, RowId, SessionDep, SettingsDep
from core.i18n import t
from core.staff import (
    ROLES,
    StaffAccount,
    StaffError,
    audit,
    close_sessions_of,
    create_staff,
    issue_sign_in_link,
    list_audit,
    list_staff,
)
from language.parse import Invalid, parse_email

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)


def sign_in_url(settings: SettingsDep, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/admin/welcome/{token}"


def _page(request: Request, staff: AdminDep, session: SessionDep, **ctx: Any) -> Response:
    return render(request, "staff.html", staff, accounts=list_staff(session), roles=ROLES, **ctx)


@router.get("/staff")
def staff_page(request: Request, staff: AdminDep, session: SessionDep) -> Response:
    return _page(request, staff, session)


@router.post("/staff")
def create(
    request: Request,
    staff: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    engine: EngineDep,
    email: Annotated[str, Form(max_length=254)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    try:
        address = parse_email(email)
        with write_lock(engine):
            account = create_staff(session, email=address, role=role)
            token = issue_sign_in_link(session, email=account.email)
            audit(session, staff.account, "staff_create", account.email, role=role)
            session.commit()
    except (Invalid, StaffError) as exc:
        session.rollback()
        message = t("console.staff.invalid", staff.lang, detail=str(exc) or email)
        return _page(request, staff, session, error=message)
    return _page(
        request,
        staff,
        session,
        link=sign_in_url(settings, token),
        link_for=account.email,
        notice=t("console.staff.created", staff.lang, email=account.email),
    )


@router.post("/staff/{account_id}")
def change(
    account_id: RowId,
    request: Request,
    staff: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    engine: EngineDep,
    action: Annotated[str, Form(max_length=16)],
    role: Annotated[str | None, Form(max_length=16)] = None,
) -> Response:
    account = found(session.get(StaffAccount, account_id))
    link = None
    with write_lock(engine):
        if action == "role" and role in ROLES and account.id != staff.id:
            audit(session, staff.account, "staff_role", account.email, old=account.role, new=role)
            account.role = role
        elif action == "deactivate" and account.id != staff.id:
            account.active = False
            close_sessions_of(session, account_id)
            audit(session, staff.account, "staff_deactivate", account.email)
        elif action == "activate":
            account.active = True
            audit(session, staff.account, "staff_activate", account.email)
        elif action == "link":
            link = sign_in_url(settings, issue_sign_in_link(session, email=account.email))
            audit(session, staff.account, "staff_sign_in_link", account.email)
        else:
            raise HTTPException(400, detail="Unknown change, or a change to your own account.")
        session.add(account)
        session.commit()
    return _page(
        request,
        staff,
        session,
        link=link,
        link_for=account.email,
        notice=t("console.saved", staff.lang),
    )


@router.get("/audit")
def audit_log(request: Request, staff: AdminDep, session: SessionDep, page: int = 0) -> Response:
    page = max(page, 0)
    entries = list_audit(session, limit=100, offset=page * 100)
    return render(request, "audit.html", staff, entries=entries, page=page)
