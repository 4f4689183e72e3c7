"""Console pages with data: handoff reply and hand-back, knowledge editing and its
versions, unanswered groups, companies, introductions and the CSV export."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.i18n import t
from handoff import repo as handoff_repo
from knowledge import repo as knowledge_repo
from matching.models import Company
from tests.console.conftest import csrf_of, sign_in


def chat(client: TestClient, user: str, text: str) -> list[dict[str, object]]:
    response = client.post("/api/chat", json={"channel": "line", "user_id": user, "text": text})
    replies: list[dict[str, object]] = response.json()["replies"]
    return replies


def test_reply_and_hand_back_from_the_console(client: TestClient) -> None:
    chat(client, "U-c1", "คุยกับเจ้าหน้าที่")
    chat(client, "U-c1", "อยากถามเรื่องเงินกู้ครับ")
    sign_in(client, "desk@dip.example")
    queue = client.get("/admin/handoffs").text
    assert "U-c1" in queue and t("console.handoff.state.waiting", "en") in queue
    page = client.get("/admin/handoffs/1")
    assert "อยากถามเรื่องเงินกู้ครับ" in page.text
    csrf = csrf_of(page.text)
    sent = client.post("/admin/handoffs/1/reply", data={"csrf_token": csrf, "text": "สวัสดีครับ"})
    assert sent.status_code == 200
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        row = handoff_repo.get(session, 1)
        assert row is not None and row.state == "open"
        assert [m.author for m in handoff_repo.messages(session, handoff_id=1)] == ["user", "staff"]
    client.post("/admin/handoffs/1/close", data={"csrf_token": csrf})
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert handoff_repo.active_for(session, channel="line", user_id="U-c1") is None
    assert chat(client, "U-c1", "เมนู")[0]["text"] == t("menu.title", "th")


def test_write_a_document_then_edit_it_and_keep_the_version(client: TestClient) -> None:
    sign_in(client, "kb@dip.example")
    csrf = csrf_of(client.get("/admin/knowledge/new").text)
    body = {
        "csrf_token": csrf,
        "title": "Kakehashi mentoring clinic",
        "lang": "en",
        "topic": "clinic",
        "content": "# Mentoring clinic\n\nThe Kakehashi mentoring clinic meets every Tuesday in Room 7B.",
    }
    created = client.post("/admin/knowledge/new", data=body, follow_redirects=False)
    assert created.status_code == 303
    document_id = int(created.headers["location"].split("/")[-1].split("?")[0])
    preview = client.post(
        "/admin/knowledge/preview",
        data={"content": "# Hi <script>x</script>"},
        headers={"x-csrf-token": csrf},
    )
    assert preview.text.strip() == "<h1>Hi &lt;script&gt;x&lt;/script&gt;</h1>"
    edited = client.post(
        f"/admin/knowledge/{document_id}",
        data={**body, "content": body["content"].replace("7B", "9C")},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        document = knowledge_repo.get_document(session, document_id)
        assert document is not None and document.version == 2 and "9C" in document.content
    page = client.get(f"/admin/knowledge/{document_id}").text
    assert "v1" in page and "kb@dip.example" in page  # the earlier version, and who replaced it
    answer = client.post(
        "/api/knowledge/answer",
        json={"question": "Where does the Kakehashi mentoring clinic meet?", "lang": "en"},
    ).json()
    assert "9C" in answer["answer"]


def test_unanswered_questions_are_grouped_and_noise_set_apart(client: TestClient) -> None:
    for user, text in [
        ("U-q1", "Is there a subsidy for robot arms for small factories?"),
        ("U-q2", "โรงงานเล็กมีเงินอุดหนุนซื้อแขนกลหุ่นยนต์ไหมครับ"),
        ("U-q3", "asdfghjkl"),
        ("U-q4", "👍👍"),
    ]:
        client.post("/api/knowledge/answer", json={"question": text})
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            knowledge_repo.add_unanswered(
                session, question=text, lang="en", channel="line", user_id=user
            )
            session.commit()
    sign_in(client, "kb2@dip.example")
    page = client.get("/admin/unanswered").text
    assert "asdfghjkl" in page.split("<details")[1]  # with the noise, not in a group
    groups = page.split("<details")[0]
    assert "robot arms" in groups and "line:U-q1" in groups and "line:U-q2" in groups


def test_companies_filters_export_and_an_introduction_decision(client: TestClient) -> None:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        for ref, country, name in [
            ("T1", "TH", "Siam Mould (Demo)"),
            ("J1", "JP", "Aichi Dies (Demo)"),
        ]:
            session.add(
                Company(
                    ref=ref,
                    country=country,
                    name=name,
                    sector="22",
                    location="Rayong" if country == "TH" else "Aichi",
                )
            )
        session.commit()
    sign_in(client, "admin@dip.example", "admin")
    listed = client.get("/admin/companies?country=TH").text
    assert "Siam Mould (Demo)" in listed and "Aichi Dies (Demo)" not in listed
    exported = client.get("/admin/companies/export.csv?country=JP")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["ref"] for r in rows] == ["J1"]
    assert "companies_export" in client.get("/admin/audit").text
