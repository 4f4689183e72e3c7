from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.staff import create_staff, issue_sign_in_link

PASSWORD = "a long enough passphrase"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def make_staff(client: TestClient, email: str, role: str) -> str:
    """An account with a one-time link; returns the link's token."""
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        create_staff(session, email=email, role=role)
        token = issue_sign_in_link(session, email=email)
        session.commit()
    return token


def sign_in(client: TestClient, email: str, role: str = "editor") -> None:
    """Through the welcome page, as a new staff member would (sets the session cookie)."""
    token = make_staff(client, email, role)
    page = client.get(f"/admin/welcome/{token}")
    assert page.status_code == 200
    done = client.post(
        f"/admin/welcome/{token}",
        data={"csrf_token": csrf_of(page.text), "password": PASSWORD, "password2": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
