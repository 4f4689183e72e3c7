"""Sign-in, the one-time welcome link, sign-out, the staff member's language, assets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from console.auth import (
    FAILURE_WINDOW_MIN,
    LANG_COOKIE,
    MAX_FAILURES,
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    StaffDep,
    check_pre_session_csrf,
    client_of,
    new_pre_session_token,
    page_lang,
    set_cookie,
)
from console.errors import ConsoleRoute
from console.render import HERE, render
from core.deps import SessionDep, SettingsDep
from core.i18n import t
from core.staff import (
    StaffError,
    audit,
    check_password,
    close_session,
    failed_attempts,
    get_by_email,
    open_session,
    record_attempt,
    set_password,
    sign_in_link_account,
)
from core.types import LANGS

public = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)
STATIC = {"htmx.min.js": "text/javascript", "console.css": "text/css"}


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/admin") and not value.startswith("//"):
        return value
    return "/admin"


def _pre_session_page(
    request: Request, name: str, *, status_code: int = 200, **ctx: Any
) -> Response:
    token = new_pre_session_token(request)
    response = render(request, name, None, status_code=status_code, csrf=token, **ctx)
    set_cookie(request, response, PRE_SESSION_COOKIE, token, max_age=3600)
    lang = request.query_params.get("lang")
    if lang in LANGS:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


def _signed_in(request: Request, settings: SettingsDep, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    hours = settings.console_session_hours
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(hours * 3600))
    response.delete_cookie(PRE_SESSION_COOKIE, path="/admin")
    return response


@public.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return _pre_session_page(request, "sign_in.html", next=_safe_next(next), email="")


@public.post("/sign-in", dependencies=[Depends(check_pre_session_csrf)])
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "/admin",
) -> Response:
    client = client_of(request)
    lang = page_lang(request)
    if (
        failed_attempts(session, email=email, client=client, minutes=FAILURE_WINDOW_MIN)
        >= MAX_FAILURES
    ):
        return _pre_session_page(
            request,
            "sign_in.html",
            status_code=429,
            next=_safe_next(next),
            email=email,
            error=t("console.sign_in.too_many", lang, minutes=int(FAILURE_WINDOW_MIN)),
        )
    account = get_by_email(session, email)
    ok = account is not None and check_password(session, account, password)
    record_attempt(session, email=email, client=client, ok=ok)
    if not ok or account is None:
        session.commit()
        return _pre_session_page(
            request,
            "sign_in.html",
            status_code=401,
            next=_safe_next(next),
            email=email,
            error=t("console.sign_in.failed", lang),
        )
    token, _row = open_session(session, account, hours=settings.console_session_hours)
    audit(session, account, "sign_in", account.email, client=client)
    session.commit()
    return _signed_in(request, settings, token, _safe_next(next))


@public.get("/welcome/{token}")
def welcome_page(token: str, request: Request, session: SessionDep) -> Response:
    account = sign_in_link_account(session, token)
    return _pre_session_page(
        request, "welcome.html", status_code=200 if account else 404, account=account, token=token
    )


@public.post("/welcome/{token}", dependencies=[Depends(check_pre_session_csrf)])
def welcome(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    password: Annotated[str, Form(max_length=1000)],
    password2: Annotated[str, Form(max_length=1000)],
) -> Response:
    lang = page_lang(request)
    account = sign_in_link_account(session, token)
    if account is None:
        return _pre_session_page(
            request, "welcome.html", status_code=404, account=None, token=token
        )
    error = None
    if password != password2:
        error = t("console.welcome.mismatch", lang)
    else:
        try:
            set_password(session, account, password)
        except StaffError:
            error = t("console.welcome.too_short", lang, n=10)
    if error:
        return _pre_session_page(
            request, "welcome.html", status_code=422, account=account, token=token, error=error
        )
    sign_in_link_account(session, token, use=True)
    account.lang = lang  # the language they read the welcome page in, until they pick one
    session.add(account)
    cookie, _row = open_session(session, account, hours=settings.console_session_hours)
    audit(session, account, "password_set", account.email)
    session.commit()
    return _signed_in(request, settings, cookie, "/admin")


@public.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        raise HTTPException(404)
    return FileResponse(HERE / "static" / name, media_type=STATIC[name])


signed_in = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)


@signed_in.post("/sign-out")
def sign_out(request: Request, staff: StaffDep, session: SessionDep) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE, ""))
    audit(session, staff.account, "sign_out", staff.account.email)
    session.commit()
    response = RedirectResponse("/admin/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response


@signed_in.post("/lang")
def choose_language(
    staff: StaffDep,
    session: SessionDep,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form(max_length=500)] = "/admin",
) -> Response:
    if lang in LANGS:
        staff.account.lang = lang
        session.add(staff.account)
        session.commit()
    return RedirectResponse(_safe_next(next), status_code=303)
