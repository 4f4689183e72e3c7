"""Every console router, for the composition root to add to the app."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from console import (
        pages_auth,
        pages_companies,
        pages_dashboard,
        pages_handoff,
        pages_knowledge,
        pages_staff,
        pages_unanswered,
    )

    return [
        pages_auth.public,
        pages_auth.signed_in,
        pages_dashboard.router,
        pages_handoff.router,
        pages_knowledge.router,
        pages_unanswered.router,
        pages_companies.router,
        pages_staff.router,
    ]
