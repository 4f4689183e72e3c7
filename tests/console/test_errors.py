"""Console errors are pages in the staff member's language that say what to do; nothing
is saved by a refused form; redirects to sign-in and htmx answers are left as they were."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.i18n import t
from core.types import Lang
from knowledge.models import KnowledgeDocument
from tests.console.conftest import csrf_of, sign_in


def _as(client: TestClient, email: str, lang: Lang, role: str = "editor") -> str:
    """Signed in, reading the console in `lang`; returns the session's CSRF token."""
    sign_in(client, email, role)
    csrf = csrf_of(client.get("/admin").text)
    client.post("/admin/lang", data={"lang": lang, "csrf_token": csrf})
    return csrf


def _says(page: str, code: int, lang: Lang) -> bool:
    text = html.unescape(page)
    return all(t(f"console.error.{code}.{part}", lang) in text for part in ("title", "advice"))


def test_a_missing_document_is_a_page_in_the_readers_language(client: TestClient) -> None:
    _as(client, "ja@smrj.example", "ja")
    page = client.get("/admin/knowledge/987654")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert _says(page.text, 404, "ja") and not _says(page.text, 404, "en")
    assert 'href="/admin"' in page.text and t("console.error.home", "ja") in page.text


def test_an_id_out_of_range_is_a_422_page_not_a_server_error(client: TestClient) -> None:
    _as(client, "th@dip.example", "th")
    page = client.get("/admin/knowledge/99999999999999999999999")
    assert page.status_code == 422
    assert _says(page.text, 422, "th")


def test_a_form_without_its_title_saves_nothing_and_says_what_to_do(client: TestClient) -> None:
    csrf = _as(client, "writer@dip.example", "th")
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        before = len(session.exec(select(KnowledgeDocument)).all())
    page = client.post(
        "/admin/knowledge/new",
        data={"csrf_token": csrf, "lang": "th", "content": "เนื้อหา", "title": ""},
    )
    assert page.status_code == 422
    assert _says(page.text, 422, "th")
    assert t("console.error.back", "th") in html.unescape(page.text)  # a POST: go back to the form
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert len(session.exec(select(KnowledgeDocument)).all()) == before


def test_an_editor_on_an_admin_page_and_a_wrong_file_type(client: TestClient) -> None:
    csrf = _as(client, "editor@dip.example", "en")
    refused = client.get("/admin/staff")
    assert refused.status_code == 403 and _says(refused.text, 403, "en")
    upload = client.post(
        "/admin/knowledge/upload",
        data={"csrf_token": csrf},
        files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")},
    )
    assert upload.status_code == 415 and _says(upload.text, 415, "en")


def test_sign_in_redirects_and_htmx_answers_pass_through(client: TestClient) -> None:
    moved = client.get("/admin/knowledge/1", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/admin/sign-in?next=")
    htmx = client.get("/admin/handoffs", headers={"hx-request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/admin/sign-in"
    assert "console.error" not in htmx.text and not _says(htmx.text, 401, "en")
