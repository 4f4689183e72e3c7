"""FastAPI dependencies every router may use: settings, engine, sessions, staff auth.

The runtime's own objects (adapters, dialogue, worker) are in `assembly/deps.py`.

The getters of app-level objects are `async def` on purpose: FastAPI runs plain `def`
dependencies on its thread pool, a thread hop per dependency per request, which showed
as most of the webhook's acknowledgement time under load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import write_lock
from core.settings import Settings
from core.staff import StaffAccount, audit, authenticate


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False)


def require_staff(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffAccount:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Staff token required: send 'Authorization: Bearer <token>' "
            "(create one with 'kakehashi staff token EMAIL').",
            headers={"WWW-Authenticate": "Bearer"},
        )
    account = authenticate(session, credentials.credentials)
    if account is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="This staff token is not valid or has been revoked.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        # Every change through the token API is in the audit log, written apart from the
        # route's own transaction (so it is kept even when the change is refused later).
        with write_lock(engine), Session(engine) as own:
            audit(own, account, "api_request", f"{request.method} {request.url.path}")
            own.commit()
    return account


def require_admin(account: Annotated[StaffAccount, Depends(require_staff)]) -> StaffAccount:
    if account.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="This action needs an admin account.")
    return account


StaffDep = Annotated[StaffAccount, Depends(require_staff)]
# A row id in a path: out-of-range numbers are a 422, not an overflow in the database driver.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AdminDep = Annotated[StaffAccount, Depends(require_admin)]
