"""Admins only: the company directory (filters, a company with its matches, CSV export)
and introductions (status, and the staff decision for companies without a chat account)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from console.auth import AdminDep
from console.errors import ConsoleRoute, found
from console.render import render
from core.db import write_lock
from core.deps import EngineDep, RowId, SessionDep
from core.staff import audit
from matching import introductions as intros
from matching.export import write_csv
from matching.intro_models import AWAITING_STAFF, STATUSES, Introduction
from matching.models import Company, CompanyMember

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)
PAGE = 100
SIZES = ("micro", "small", "medium", "large")


def _filtered(params: dict[str, str]) -> Any:
    query = select(Company)
    if params.get("country") in ("TH", "JP"):
        query = query.where(Company.country == params["country"])
    if params.get("sector"):
        query = query.where(Company.sector == params["sector"].strip()[:2])
    if params.get("location"):
        query = query.where(col(Company.location).ilike(f"%{params['location'].strip()}%"))
    if params.get("size") in SIZES:
        query = query.where(Company.size_class == params["size"])
    if params.get("since"):
        try:
            since = datetime.fromisoformat(params["since"])
        except ValueError:
            since = None
        if since is not None:
            query = query.where(col(Company.created_at) >= since)
    if params.get("q"):
        needle = f"%{params['q'].strip()}%"
        query = query.where(
            or_(
                col(Company.name).ilike(needle),
                col(Company.ref).ilike(needle),
                col(Company.offers).ilike(needle),
            )
        )
    return query


def _params(request: Request) -> dict[str, str]:
    keys = ("country", "sector", "location", "size", "since", "q")
    return {k: request.query_params.get(k, "") for k in keys}


@router.get("/companies")
def companies(request: Request, staff: AdminDep, session: SessionDep, page: int = 0) -> Response:
    params = _params(request)
    query = _filtered(params)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Company.created_at).desc()).offset(max(page, 0) * PAGE).limit(PAGE)
    ).all()
    export = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(
        request,
        "companies.html",
        staff,
        rows=rows,
        total=total,
        page=max(page, 0),
        params=params,
        sizes=SIZES,
        export=export,
        per_page=PAGE,
    )


@router.get("/companies/export.csv")
def export_csv(
    request: Request, staff: AdminDep, session: SessionDep, engine: EngineDep
) -> Response:
    params = _params(request)
    rows = session.exec(_filtered(params).order_by(col(Company.ref))).all()
    out = io.StringIO()
    result = write_csv(rows, out)
    with write_lock(engine):
        audit(
            session,
            staff.account,
            "companies_export",
            "",
            rows=len(rows),
            filters={k: v for k, v in params.items() if v},
        )
        session.commit()
    stamp = datetime.now().strftime("%Y%m%d")
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="kakehashi-companies-{stamp}.csv"',
            "x-rows": str(getattr(result, "rows", len(rows))),
        },
    )


def _matches(request: Request, session: Session, company_id: int, lang: str) -> list[Any] | None:
    matcher = getattr(request.app.state, "matcher", None)
    if matcher is None or not matcher.ready:
        return None
    try:
        return list(
            matcher.match(
                company_id,
                k=10,
                lang=lang,
                not_interested=intros.not_interested_ids(session, company_id),
                session=session,
            )
        )
    except KeyError:
        return None


@router.get("/companies/{company_id}")
def company(company_id: RowId, request: Request, staff: AdminDep, session: SessionDep) -> Response:
    row = found(session.get(Company, company_id))
    members = session.exec(
        select(CompanyMember).where(CompanyMember.company_id == company_id)
    ).all()
    related = session.exec(
        select(Introduction)
        .where(
            or_(
                col(Introduction.requester_company_id) == company_id,
                col(Introduction.target_company_id) == company_id,
            )
        )
        .order_by(col(Introduction.id).desc())
    ).all()
    return render(
        request,
        "company.html",
        staff,
        company=row,
        members=members,
        matches=_matches(request, session, company_id, staff.lang),
        intros=related,
        names=_names(session, related),
    )


def _names(session: Session, rows: Any) -> dict[int, Company]:
    ids = {r.requester_company_id for r in rows} | {r.target_company_id for r in rows}
    return {i: c for i in ids if (c := session.get(Company, i)) is not None}


@router.get("/introductions")
def introductions(
    request: Request, staff: AdminDep, session: SessionDep, status: str = AWAITING_STAFF
) -> Response:
    rows = intros.list_introductions(session, status=status if status in STATUSES else None)
    return render(
        request,
        "introductions.html",
        staff,
        rows=rows,
        names=_names(session, rows),
        status=status,
        statuses=STATUSES,
    )


@router.post("/introductions/{introduction_id}/decision")
def decide(
    introduction_id: RowId,
    request: Request,
    staff: AdminDep,
    session: SessionDep,
    engine: EngineDep,
    accept: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    intro = found(session.get(Introduction, introduction_id))
    if intro.status != AWAITING_STAFF:
        raise HTTPException(409, detail=f"This introduction is {intro.status}.")
    with write_lock(engine):
        try:
            intros.decide(
                session,
                request.app.state.notify_factory(session),
                introduction_id=introduction_id,
                accept=accept == "yes",
                actor=f"staff:{staff.account.email}",
                by_staff=True,
            )
        except intros.IntroductionError as exc:
            session.commit()
            raise HTTPException(409, detail=f"Not recorded: {exc.key}") from None
        audit(
            session,
            staff.account,
            "introduction_decision",
            f"introduction:{introduction_id}",
            accept=accept == "yes",
            note=note.strip(),
        )
        session.commit()
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    return RedirectResponse(f"/admin/introductions?status={AWAITING_STAFF}", status_code=303)
