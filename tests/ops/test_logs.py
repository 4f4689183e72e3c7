"""Nothing personal or secret in the logs at INFO: real turns through a `kakehashi serve`
process (a Thai SME registering with a phone and an e-mail, a question, a handoff with a
staff reply from the console, a Telegram user), then the whole captured log is searched."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.helpers import (
    LINE_SECRET,
    LINE_TOKEN,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    line_body,
    line_headers,
    line_postback,
    line_text,
    telegram_headers,
    tg_text,
)
from tests.server_process import ServerProcess, run_cli, serve  # noqa: F401  (fixture)
from tests.standin import PlatformStandIn

pytestmark = pytest.mark.slow

USER = "Ulogged0001"
PHONE, EMAIL, CONTACT = "081-234-5678", "somchai@siamplastic.co.th", "สมชาย ใจดี"
# The Thai SME form (tests/registration/test_happy_paths.py), typed on LINE.
FORM = [
    ("press", "reg:start"),
    ("press", "reg:form:th_sme"),
    ("text", "บริษัท สยามพลาสติกพาร์ท จำกัด"),
    ("text", "Siam Plastic Parts Co., Ltd."),
    ("text", "0105536003771"),
    ("text", "พลาสติก"),
    ("text", "ชิ้นส่วนพลาสติกฉีดขึ้นรูปสำหรับยานยนต์"),
    ("text", "ลูกค้า, รับจ้างผลิต"),
    ("text", "เสร็จแล้ว"),
    ("text", "หาลูกค้าญี่ปุ่นที่ต้องการชิ้นส่วนพลาสติก"),
    ("press", "reg:o:certifications:0"),
    ("press", "reg:done:certifications"),
    ("text", "120"),
    ("text", "80 ล้าน"),
    ("text", "ชลบุรี"),
    ("text", "ญี่ปุ่น, เวียดนาม"),
    ("text", CONTACT),
    ("text", PHONE),
    ("text", EMAIL),
    ("text", "ยินยอม"),
    ("text", "ยืนยัน"),
]
QUESTION = "กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่ครับ"
TO_STAFF = "ขอคุยกับเจ้าหน้าที่หน่อยครับ"
WHILE_WAITING = "โทรกลับที่ +66812345678 หรืออีเมล somchai@siamplastic.co.th ได้เลยครับ"
STAFF_REPLY = "เรียนคุณสมชาย เจ้าหน้าที่จะโทรกลับภายในวันนี้ครับ"
TG_USER, TG_TEXT = 5151, "金型の補助金について教えてください（担当 田中 090-1111-2222）"
# The phone in any format: 081-234-5678, 0812345678, +66 81 234 5678, 66812345678...
PHONE_ANY = re.compile(r"8[\s.-]?1[\s.-]?2[\s.-]?3[\s.-]?4[\s.-]?5[\s.-]?6[\s.-]?7[\s.-]?8")
TG_PHONE_ANY = re.compile(
    r"9[\s.-]?0[\s.-]?1[\s.-]?1[\s.-]?1[\s.-]?1[\s.-]?2[\s.-]?2[\s.-]?2[\s.-]?2"
)


def post_line(server: ServerProcess, event: dict[str, object]) -> None:
    body = line_body(event)
    assert server.post("/webhooks/line", body, line_headers(body)).json()["stored"] == 1


def staff_reply(server: ServerProcess, text: str) -> tuple[str, str]:
    """Sign in as new staff through the CLI's one-time link and reply to the one handoff;
    returns the sign-in token and the password (secrets the log must not show)."""
    made = run_cli(server.env, "staff", "create", "desk@agency.example")
    assert made.returncode == 0, made.stdout + made.stderr
    token = re.search(r"/admin/welcome/(\S+)", made.stdout).group(1)  # type: ignore[union-attr]
    password = "correct horse battery staple 42"
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
        page = client.get(f"/admin/welcome/{token}")
        done = client.post(
            f"/admin/welcome/{token}",
            data={"csrf_token": csrf(page.text), "password": password, "password2": password},
        )
        assert done.status_code == 200, done.text
        queue = client.get("/admin/handoffs")
        handoff = re.search(r"/admin/handoffs/(\d+)", queue.text).group(1)  # type: ignore[union-attr]
        sent = client.post(
            f"/admin/handoffs/{handoff}/reply",
            data={"csrf_token": csrf(queue.text), "text": text},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
    return token, password


def wait_inbox_empty(server: ServerProcess, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        if re.search(r"^kakehashi_inbox_open_events 0\.0$", metrics, re.M):
            return
        time.sleep(0.2)
    raise AssertionError("events still open in the inbox")


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def test_no_personal_data_or_secret_in_the_log_at_info(serve, standin: PlatformStandIn) -> None:  # noqa: F811
    server: ServerProcess = serve(standin.url, KAKEHASHI_LOG_LEVEL="INFO")
    for kind, value in FORM:
        post_line(server, line_text(USER, value) if kind == "text" else line_postback(USER, value))
    post_line(server, line_text(USER, QUESTION))
    post_line(server, line_text(USER, TO_STAFF))
    post_line(server, line_text(USER, WHILE_WAITING))  # with staff: no answer from the bot
    assert server.post("/webhooks/telegram", tg_text(TG_USER, TG_TEXT), telegram_headers())
    standin.wait_for(len(FORM) + 2, "reply", "push", timeout=300)
    standin.wait_for(1, "sendMessage", timeout=300)
    sign_in_token, password = staff_reply(server, STAFF_REPLY)
    deadline = time.monotonic() + 120
    while not any(STAFF_REPLY in str(c.body) for c in standin.calls_to("push")):
        assert time.monotonic() < deadline, "the staff reply did not reach the user"
        time.sleep(0.1)

    wait_inbox_empty(server)  # the message while waiting too (the bot stays quiet on it)
    sent = " ".join(str(c.body) for c in standin.calls)
    assert EMAIL in sent and PHONE_ANY.search(sent)  # the registration ran: its summary shows them
    log = server.log_path.read_text(errors="replace")
    assert '"level": "INFO"' in log and "handled line" in log
    typed = [value for kind, value in FORM if kind == "text"]
    typed += [QUESTION, TO_STAFF, WHILE_WAITING, STAFF_REPLY, TG_TEXT]
    assert [text for text in typed if text in log] == []
    assert not PHONE_ANY.search(log) and not TG_PHONE_ANY.search(log)
    assert "somchai" not in log.lower() and "siamplastic" not in log.lower()
    secrets = [LINE_SECRET, LINE_TOKEN, TELEGRAM_TOKEN, TELEGRAM_SECRET, sign_in_token, password]
    assert [secret for secret in secrets if secret in log] == []
