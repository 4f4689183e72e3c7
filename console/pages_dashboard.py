"""The dashboard: how the assistant is doing, in a few charts drawn on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.auth import StaffDep
from console.errors import ConsoleRoute
from console.render import render
from console.stats import dashboard_charts
from core.deps import SessionDep

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)


@router.get("")
def dashboard(request: Request, staff: StaffDep, session: SessionDep) -> Response:
    return render(request, "dashboard.html", staff, charts=dashboard_charts(session, staff.lang))
