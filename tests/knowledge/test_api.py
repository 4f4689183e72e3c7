from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, select

from core.settings import Settings
from core.staff import AuditEntry, StaffAccount, StaffToken, create_staff, issue_token
from knowledge.api import router
from knowledge.models import UnansweredQuestion
from knowledge.service import KnowledgeService
from tests.knowledge.pdfgen import write_pdf


@pytest.fixture
def api(
    make_small_service, tmp_path
) -> Iterator[tuple[TestClient, KnowledgeService, dict[str, str]]]:
    service: KnowledgeService = make_small_service()
    engine = service._engine
    SQLModel.metadata.create_all(
        engine,
        tables=[StaffAccount.__table__, StaffToken.__table__, AuditEntry.__table__],  # type: ignore[attr-defined]
    )
    with Session(engine) as session:
        create_staff(session, email="editor@example.org", role="editor")
        token = issue_token(session, email="editor@example.org")
        session.commit()
    app = FastAPI()
    app.include_router(router)
    app.state.engine = engine
    app.state.settings = Settings(data_dir=tmp_path / "api-data")
    app.state.knowledge = service
    with TestClient(app) as client:
        yield client, service, {"Authorization": f"Bearer {token}"}


def test_answer_returns_text_sources_and_passages(api) -> None:
    client, _, _ = api
    response = client.post(
        "/api/knowledge/answer", json={"question": "How much is the export credit premium?"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["confident"] is True
    assert body["lang"] == "en"
    assert "0.5% of the invoice value" in body["answer"]
    assert body["sources"][0] == {
        "document_id": 1,
        "title": "Export credit insurance for SMEs",
        "source": "Test agency leaflet",
        "url": "https://example.org/export-credit",
        "as_of": "2024-05",
    }
    assert body["passages"][0]["document_id"] == 1
    scores = [p["score"] for p in body["passages"]]
    assert len(scores) >= 2


def test_low_confidence_answer_is_logged_as_unanswered(api) -> None:
    client, service, _ = api
    response = client.post(
        "/api/knowledge/answer", json={"question": "明日の天気は？", "lang": "ja"}
    )
    body = response.json()
    assert body["confident"] is False
    assert body["lang"] == "ja"
    assert "申し訳" in body["answer"]
    with Session(service._engine) as session:
        rows = list(session.exec(select(UnansweredQuestion)))
    assert [(r.question, r.lang, r.channel, r.answer_ref) for r in rows] == [
        ("明日の天気は？", "ja", "api", body["ref"])
    ]


def test_search_endpoint(api) -> None:
    client, _, _ = api
    response = client.get("/api/knowledge/search", params={"q": "booth rent trade fair", "k": 2})
    assert response.status_code == 200
    passages = response.json()
    assert len(passages) == 2
    assert passages[0]["title"] == "Trade fair subsidy"
    assert client.get("/api/knowledge/search", params={"q": ""}).status_code == 422


def test_document_endpoints_need_a_staff_token(api) -> None:
    client, _, _ = api
    assert client.get("/api/knowledge/documents").status_code == 401
    bad = {"Authorization": "Bearer kkh_not-a-real-token"}
    assert client.post("/api/knowledge/documents", headers=bad, json={}).status_code == 401
    assert client.delete("/api/knowledge/documents/1", headers=bad).status_code == 401


def test_create_update_delete_and_the_bot_follows_at_once(api) -> None:
    client, service, staff = api
    created = client.post(
        "/api/knowledge/documents",
        headers=staff,
        json={
            "title": "Night-time factory visits",
            "lang": "en",
            "content": "Factory visits for Japanese buyers run every Thursday evening in Rayong.",
            "source": "Staff note",
            "as_of": "2025-02-01",
        },
    )
    assert created.status_code == 201, created.text
    document_id = created.json()["document_id"]
    assert created.json()["status"] == "added"
    question = {"question": "When are the factory visits for Japanese buyers?"}
    assert "Thursday" in client.post("/api/knowledge/answer", json=question).json()["answer"]

    updated = client.put(
        f"/api/knowledge/documents/{document_id}",
        headers=staff,
        json={
            "content": "Factory visits for Japanese buyers now run every Tuesday morning in Rayong."
        },
    )
    assert updated.status_code == 200
    assert (updated.json()["status"], updated.json()["version"]) == ("updated", 2)
    answer = client.post("/api/knowledge/answer", json=question).json()
    assert "Tuesday" in answer["answer"] and "Thursday" not in answer["answer"]
    assert service.answer(question["question"]).text == answer["answer"]  # what the bot says too

    listed = client.get("/api/knowledge/documents", headers=staff).json()
    assert {d["id"]: d["version"] for d in listed}[document_id] == 2
    detail = client.get(f"/api/knowledge/documents/{document_id}", headers=staff).json()
    assert detail["content"].startswith("Factory visits for Japanese buyers now run every Tuesday")

    assert (
        client.delete(f"/api/knowledge/documents/{document_id}", headers=staff).status_code == 204
    )
    assert client.get(f"/api/knowledge/documents/{document_id}", headers=staff).status_code == 404
    assert all(
        p["document_id"] != document_id
        for p in client.get(
            "/api/knowledge/search", params={"q": "factory visits Rayong", "k": 10}
        ).json()
    )
    assert (
        client.delete(f"/api/knowledge/documents/{document_id}", headers=staff).status_code == 404
    )


def test_duplicate_key_conflicts_and_bad_as_of_is_refused(api) -> None:
    client, _, staff = api
    body = {
        "title": "T",
        "lang": "en",
        "content": "Some text about seminars.",
        "key": "export-credit",
    }
    assert client.post("/api/knowledge/documents", headers=staff, json=body).status_code == 409
    body = {"title": "T", "lang": "en", "content": "Some text.", "as_of": "soon"}
    assert client.post("/api/knowledge/documents", headers=staff, json=body).status_code == 422
    assert (
        client.put("/api/knowledge/documents/999", headers=staff, json={"title": "x"}).status_code
        == 404
    )


def test_upload_a_pdf_then_upload_it_again_changed(api, tmp_path) -> None:
    client, _, staff = api
    path = write_pdf(
        tmp_path / "seminar.pdf",
        ["The export seminar is held in Chiang Mai on 3 March."],
        title="Export seminar",
    )
    with path.open("rb") as fh:
        response = client.post(
            "/api/knowledge/documents/upload",
            headers=staff,
            files={"file": ("seminar.pdf", fh, "application/pdf")},
            data={"source": "Seminar flyer", "as_of": "2025-01", "key": "seminar"},
        )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["document"]["title"], body["document"]["source"]) == (
        "added",
        "Export seminar",
        "Seminar flyer",
    )
    answer = client.post(
        "/api/knowledge/answer", json={"question": "Where is the export seminar held?"}
    ).json()
    assert "Chiang Mai" in answer["answer"]

    path = write_pdf(
        tmp_path / "seminar.pdf",
        ["The export seminar moved to Khon Kaen on 5 March."],
        title="Export seminar",
    )
    with path.open("rb") as fh:
        again = client.post(
            "/api/knowledge/documents/upload",
            headers=staff,
            files={"file": ("seminar.pdf", fh, "application/pdf")},
            data={"key": "seminar", "source": "Seminar flyer", "as_of": "2025-01"},
        )
    assert (again.json()["status"], again.json()["version"]) == ("updated", 2)
    answer = client.post(
        "/api/knowledge/answer", json={"question": "Where is the export seminar held?"}
    ).json()
    assert "Khon Kaen" in answer["answer"]


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("Export credit FAQ\n\nThe premium is 0.5% of the invoice.", "Export credit FAQ"),
        ("The premium is 0.5% of the invoice value. " * 8, "upload test"),
    ],
)
def test_uploaded_text_takes_its_title_from_the_document_not_the_stored_file(
    api, body: str, title: str
) -> None:
    client, _, staff = api
    response = client.post(
        "/api/knowledge/documents/upload",
        headers=staff,
        files={"file": ("upload test.txt", body.encode(), "text/plain")},
    )
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["title"] == title
    assert document["source"] == "upload test.txt"


def test_upload_refuses_unsupported_types(api) -> None:
    client, _, staff = api
    response = client.post(
        "/api/knowledge/documents/upload",
        headers=staff,
        files={"file": ("data.xlsx", b"PK..", "application/octet-stream")},
    )
    assert response.status_code == 415


def test_unanswered_list_for_staff(api) -> None:
    client, _, staff = api
    client.post("/api/knowledge/answer", json={"question": "Who won the World Cup?"})
    rows = client.get("/api/knowledge/unanswered", headers=staff).json()
    assert [r["question"] for r in rows] == ["Who won the World Cup?"]


def test_service_missing_is_503(tmp_path) -> None:
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        assert client.get("/api/knowledge/search", params={"q": "x"}).status_code == 503


def test_feedback_list_for_staff(api) -> None:
    from knowledge import repo

    client, service, staff = api
    with Session(service._engine) as session:
        repo.add_feedback(
            session, answer_ref="abc123", helpful=False, question="Q?", lang="th", document_ids=[1]
        )
        session.commit()
    assert client.get("/api/knowledge/feedback").status_code == 401
    rows = client.get("/api/knowledge/feedback", headers=staff).json()
    assert [(r["answer_ref"], r["helpful"], r["document_ids"]) for r in rows] == [
        ("abc123", False, [1])
    ]


def test_uploaded_markdown_and_docx_take_their_title_from_the_document(api, tmp_path) -> None:
    from tests.knowledge.test_loaders import _write_docx

    client, _, staff = api
    docx = _write_docx(
        tmp_path / "tmpab12cd.docx",
        ["展示会への出展費用の半額を補助します。"],
        title="展示会出展支援",
    )
    uploads = {
        "0a1b2c3d-notes.md": (
            b"# Export credit FAQ\n\nThe premium is 0.5% of the invoice.\n",
            "text/markdown",
        ),
        "tmpab12cd.docx": (docx.read_bytes(), "application/octet-stream"),
    }
    titles = {}
    for name, (content, mime) in uploads.items():
        response = client.post(
            "/api/knowledge/documents/upload", headers=staff, files={"file": (name, content, mime)}
        )
        assert response.status_code == 201, response.text
        titles[name] = response.json()["document"]["title"]
    assert titles == {"0a1b2c3d-notes.md": "Export credit FAQ", "tmpab12cd.docx": "展示会出展支援"}
