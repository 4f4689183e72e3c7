"""Console accounts: sign-in, cookies, CSRF, roles, rate limit, audit; and every staff
route of the app refuses a request without a valid session or token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.staff import AuditEntry
from tests.console.conftest import PASSWORD, csrf_of, make_staff, sign_in

# Routes anyone may call: the console's sign-in and its assets, the chat simulator, the
# open knowledge answers (what the chat answers), webhooks and operations.
PUBLIC_ADMIN = {
    ("GET", "/admin/sign-in"),
    ("POST", "/admin/sign-in"),
    ("GET", "/admin/welcome/{token}"),
    ("POST", "/admin/welcome/{token}"),
    ("GET", "/admin/static/{name}"),
}
PUBLIC_API = {
    ("POST", "/api/chat"),
    ("GET", "/api/chat/held"),
    ("POST", "/api/knowledge/answer"),
    ("GET", "/api/knowledge/search"),
}


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps them nested; the
    routers here are included without a prefix of their own)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (inner := getattr(route, "original_router", None)) is not None:
            found += api_routes(inner.routes)
    return found


def staff_routes(client: TestClient) -> list[tuple[str, str]]:
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            key = (method, route.path)
            if (route.path.startswith("/admin") and key not in PUBLIC_ADMIN) or (
                route.path.startswith("/api/") and key not in PUBLIC_API
            ):
                found.append(key)
    return found


def test_the_route_table_has_the_console_and_the_staff_api(client: TestClient) -> None:
    routes = staff_routes(client)
    assert ("GET", "/admin/handoffs") in routes
    assert ("POST", "/admin/handoffs/{handoff_id}/reply") in routes
    assert ("GET", "/api/knowledge/documents") in routes
    assert ("POST", "/api/introductions/{introduction_id}/decision") in routes
    assert len(routes) > 30


@pytest.mark.parametrize("credentials", ["none", "forged"])
def test_every_staff_route_refuses_without_a_valid_session_or_token(
    client: TestClient, credentials: str
) -> None:
    if credentials == "forged":
        client.cookies.set("kkh_session", "not-a-session", path="/admin")
    headers = {"authorization": "Bearer kkh_forged"} if credentials == "forged" else {}
    let_through = []
    for method, path in staff_routes(client):
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.request(method, url, headers=headers, follow_redirects=False)
        refused = response.status_code in (401, 403) or (
            response.status_code == 303
            and response.headers["location"].startswith("/admin/sign-in")
        )
        if not refused:
            let_through.append(f"{method} {path} -> {response.status_code}")
    assert let_through == []


def test_sign_in_sets_a_safe_cookie_and_the_pages_open(client: TestClient) -> None:
    token = make_staff(client, "ploy@dip.example", "editor")
    page = client.get(f"/admin/welcome/{token}")
    done = client.post(
        f"/admin/welcome/{token}",
        data={"csrf_token": csrf_of(page.text), "password": PASSWORD, "password2": PASSWORD},
        headers={"x-forwarded-proto": "https"},
        follow_redirects=False,
    )
    cookie = done.headers["set-cookie"].lower()
    assert "kkh_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" in cookie  # behind an HTTPS proxy
    # The link works once.
    assert client.get(f"/admin/welcome/{token}").status_code == 404
    for path in ("/admin", "/admin/handoffs", "/admin/knowledge", "/admin/unanswered"):
        assert client.get(path).status_code == 200, path


def test_password_sign_in_and_its_rate_limit(client: TestClient) -> None:
    sign_in(client, "kenji@smrj.example", "admin")
    client.cookies.clear()
    page = client.get("/admin/sign-in")
    csrf = csrf_of(page.text)
    good = {"csrf_token": csrf, "email": "kenji@smrj.example", "password": PASSWORD}
    ok = client.post("/admin/sign-in", data=good, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/admin"
    client.cookies.delete("kkh_session", path="/admin")
    good["csrf_token"] = csrf_of(client.get("/admin/sign-in").text)
    for _ in range(5):
        bad = client.post("/admin/sign-in", data={**good, "password": "wrong password!"})
        assert bad.status_code == 401
    # Five failures: even the right password is refused for a while.
    assert client.post("/admin/sign-in", data=good).status_code == 429


def test_sign_in_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, "a@dip.example", "editor")
    client.cookies.delete("kkh_session", path="/admin")
    client.get("/admin/sign-in")
    data = {"email": "a@dip.example", "password": PASSWORD}
    assert client.post("/admin/sign-in", data=data).status_code == 403


def test_a_form_without_csrf_is_refused_and_changes_nothing(client: TestClient) -> None:
    sign_in(client, "boss@dip.example", "admin")
    response = client.post("/admin/staff", data={"email": "new@dip.example", "role": "admin"})
    assert response.status_code == 403
    assert "new@dip.example" not in client.get("/admin/staff").text
    csrf = csrf_of(client.get("/admin/staff").text)
    created = client.post(
        "/admin/staff", data={"email": "new@dip.example", "role": "editor", "csrf_token": csrf}
    )
    assert created.status_code == 200
    assert re.search(r"/admin/welcome/[\w-]+", created.text)


def test_an_editor_cannot_manage_staff_or_read_the_audit_log(client: TestClient) -> None:
    sign_in(client, "editor@dip.example", "editor")
    for path in ("/admin/staff", "/admin/audit", "/admin/companies", "/admin/introductions"):
        assert client.get(path).status_code == 403, path
    home = client.get("/admin").text
    assert "/admin/staff" not in home  # not offered in the navigation either


def test_staff_changes_are_in_the_audit_log(client: TestClient) -> None:
    sign_in(client, "root@dip.example", "admin")
    csrf = csrf_of(client.get("/admin/staff").text)
    client.post(
        "/admin/staff", data={"email": "x@dip.example", "role": "editor", "csrf_token": csrf}
    )
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(r.staff_email, r.action, r.target) for r in rows] == [
        ("root@dip.example", "password_set", "root@dip.example"),
        ("root@dip.example", "staff_create", "x@dip.example"),
    ]
    page = client.get("/admin/audit").text
    assert "staff_create" in page and "x@dip.example" in page


def test_the_console_speaks_the_staff_members_language(client: TestClient) -> None:
    sign_in(client, "th@dip.example", "editor")
    csrf = csrf_of(client.get("/admin").text)
    client.post("/admin/lang", data={"lang": "th", "csrf_token": csrf})
    assert "คิวสนทนากับเจ้าหน้าที่" in client.get("/admin").text
    client.post("/admin/lang", data={"lang": "ja", "csrf_token": csrf})
    assert "有人対応キュー" in client.get("/admin").text


def test_changes_through_the_token_api_are_audited(client: TestClient) -> None:
    from core.staff import create_staff, issue_token

    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        create_staff(session, email="script@dip.example", role="editor")
        token = issue_token(session, email="script@dip.example")
        session.commit()
    headers = {"authorization": f"Bearer {token}"}
    assert client.get("/api/knowledge/documents", headers=headers).status_code == 200
    client.post("/api/introductions/99/decision", json={"accept": True}, headers=headers)
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        rows = session.exec(select(AuditEntry)).all()
    assert [(r.staff_email, r.action, r.target) for r in rows] == [
        ("script@dip.example", "api_request", "POST /api/introductions/99/decision")
    ]
