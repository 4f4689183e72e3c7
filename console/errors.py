"""Errors in the console read as a page in the staff member's language, saying what to do,
instead of a JSON body. Every console router uses `ConsoleRoute`; redirects (sign-in) and
htmx requests (which handle their own errors) pass through unchanged."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlmodel import Session

from console.auth import SESSION_COOKIE, page_lang
from console.render import render
from core.i18n import t
from core.staff import session_account
from core.types import LANGS, Lang

# The status codes the console raises, each with a sentence saying what to do.
T = TypeVar("T")

KNOWN = (400, 401, 403, 404, 409, 413, 415, 422, 503)


def _reader(request: Request) -> Lang:
    """The signed-in staff member's language, else the sign-in page's choice."""
    token = request.cookies.get(SESSION_COOKIE)
    engine = getattr(request.app.state, "engine", None)
    if token and engine is not None:
        try:
            with Session(engine) as session:
                found = session_account(session, token)
        except Exception:  # the database is down: the page still explains in some language
            found = None
        if found is not None and found[0].lang in LANGS:
            return found[0].lang
    return page_lang(request)


def error_page(request: Request, status_code: int, headers: Mapping[str, str] | None) -> Response:
    lang = _reader(request)
    code = status_code if status_code in KNOWN else 400
    response = render(
        request,
        "error.html",
        None,
        status_code=status_code,
        lang=lang,
        heading=t(f"console.error.{code}.title", lang),
        advice=t(f"console.error.{code}.advice", lang),
        back=request.method != "GET",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ConsoleRoute(APIRoute):
    """A route whose 4xx/5xx answers are console pages (FastAPI's custom route class)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            if request.headers.get("hx-request"):
                return await handle(request)
            try:
                return await handle(request)
            except HTTPException as exc:
                if exc.status_code < 400:
                    raise
                return error_page(request, exc.status_code, exc.headers)
            except RequestValidationError:
                return error_page(request, 422, None)

        return route


def found(row: T | None) -> T:
    """The row a console URL names, or the "not found" page."""
    if row is None:
        raise HTTPException(404)
    return row
