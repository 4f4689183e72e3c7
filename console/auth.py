"""Staff sign-in for the console: session cookies, CSRF tokens, roles, rate limits.

The session cookie holds a random token (only its hash is stored), `HttpOnly`,
`SameSite=Lax`, and `Secure` whenever the request came over HTTPS (directly or through a
proxy that says so). Every form carries the session's CSRF token (htmx sends it as the
`X-CSRF-Token` header); the sign-in form, before any session, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response, status

from core.deps import SessionDep
from core.staff import StaffAccount, StaffSession, session_account
from core.types import LANGS, Lang, from_hint

SESSION_COOKIE = "kkh_session"
PRE_SESSION_COOKIE = "kkh_presession"  # CSRF for the sign-in form, before any session
LANG_COOKIE = "kkh_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SIGN_IN = "/admin/sign-in"
MAX_FAILURES = 5  # failed sign-ins per address or client ...
FAILURE_WINDOW_MIN = 15.0  # ... within this many minutes, then refused until they age


@dataclass
class Staff:
    account: StaffAccount
    session: StaffSession

    @property
    def id(self) -> int:
        assert self.account.id is not None
        return self.account.id

    @property
    def lang(self) -> Lang:
        return self.account.lang if self.account.lang in LANGS else "en"

    @property
    def is_admin(self) -> bool:
        return self.account.role == "admin"

    @property
    def csrf(self) -> str:
        return self.session.csrf_token


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/admin",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def page_lang(request: Request) -> Lang:
    """Before sign-in: ?lang=, else the cookie, else the browser's first known language."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        chosen = from_hint(value)
        if chosen is not None and value in LANGS:
            return chosen
    for part in request.headers.get("accept-language", "").split(","):
        found = from_hint(part.split(";")[0].strip())
        if found is not None:
            return found
    return "en"


def _refuse(request: Request) -> HTTPException:
    if request.headers.get("hx-request"):
        return HTTPException(
            status.HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": SIGN_IN}, detail="Sign in."
        )
    if request.method in ("GET", "HEAD"):
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return HTTPException(
            status.HTTP_303_SEE_OTHER, headers={"Location": f"{SIGN_IN}?next={target}"}
        )
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Sign in to the console first.")


def current_staff(request: Request, session: SessionDep) -> Staff:
    token = request.cookies.get(SESSION_COOKIE)
    found = session_account(session, token) if token else None
    if found is None:
        raise _refuse(request)
    account, row = found
    return Staff(account=account, session=row)


async def _csrf_value(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if "form" in content_type:
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def require_csrf(request: Request, staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
    """Every state-changing request carries the session's CSRF token."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = await _csrf_value(request)
        if not sent or not hmac.compare_digest(sent, staff.csrf):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Missing or wrong CSRF token.")
    return staff


def require_admin(staff: Annotated[Staff, Depends(require_csrf)]) -> Staff:
    if not staff.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="This page is for admins.")
    return staff


async def check_pre_session_csrf(request: Request) -> None:
    cookie = request.cookies.get(PRE_SESSION_COOKIE, "")
    sent = await _csrf_value(request)
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Missing or wrong CSRF token.")


def new_pre_session_token(request: Request) -> str:
    return request.cookies.get(PRE_SESSION_COOKIE) or secrets.token_urlsafe(24)


StaffDep = Annotated[Staff, Depends(require_csrf)]
AdminDep = Annotated[Staff, Depends(require_admin)]
