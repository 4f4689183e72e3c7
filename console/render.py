"""Rendering console pages: one Jinja2 environment, the catalogue's `t` in the page's
language, the CSRF token and the navigation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt

from console.auth import Staff, page_lang
from core.i18n import t
from core.time import as_utc
from core.types import Lang

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

# (path, catalogue key, admins only)
NAV = (
    ("/admin", "console.nav.dashboard", False),
    ("/admin/handoffs", "console.nav.handoffs", False),
    ("/admin/knowledge", "console.nav.knowledge", False),
    ("/admin/unanswered", "console.nav.unanswered", False),
    ("/admin/companies", "console.nav.companies", True),
    ("/admin/introductions", "console.nav.introductions", True),
    ("/admin/staff", "console.nav.staff", True),
    ("/admin/audit", "console.nav.audit", True),
)


def markdown(text: str) -> str:
    """Markdown to HTML with raw HTML escaped and unsafe links refused (markdown-it)."""
    return _markdown.render(text)


class Clock(Protocol):
    def __call__(self, value: datetime, fmt: str = ..., zone: bool = ...) -> str: ...


def clock(zone: str) -> Clock:
    """Stored times (UTC) shown in the office's time zone, with its offset
    ("2026-12-02 09:15 UTC+7"): staff read the clock on their wall."""
    tz = ZoneInfo(zone)

    def when(value: datetime, fmt: str = "%Y-%m-%d %H:%M", zone: bool = True) -> str:
        local = as_utc(value).astimezone(tz)
        if not zone or "%H" not in fmt:  # a date alone, or a line under a labelled heading
            return local.strftime(fmt)
        offset = local.utcoffset()
        hours = offset.total_seconds() / 3600 if offset is not None else 0.0
        label = f"UTC{hours:+g}" if hours else "UTC"
        return f"{local.strftime(fmt)} {label}"

    return when


def translator(lang: Lang) -> Any:
    return lambda key, **params: t(key, lang, **params)


def render(
    request: Request,
    name: str,
    staff: Staff | None,
    *,
    status_code: int = 200,
    lang: Lang | None = None,
    **context: Any,
) -> HTMLResponse:
    if lang is None:
        lang = staff.lang if staff is not None else page_lang(request)
    nav = [
        (path, key)
        for path, key, admin_only in NAV
        if staff is not None and (staff.is_admin or not admin_only)
    ]
    return templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": translator(lang),
            "staff": staff,
            "csrf": staff.csrf if staff is not None else context.pop("csrf", ""),
            "nav": nav,
            "path": request.url.path,
            "markdown": markdown,
            "when": clock(_zone(request)),
            **context,
        },
        status_code=status_code,
    )


def _zone(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "office_timezone", "UTC") or "UTC"
