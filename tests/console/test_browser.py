"""The staff console in a real browser (Debian's Chromium driven by Playwright) against
a real `kakehashi serve` process, with LINE stood in for by a local server that records
the exact JSON it receives. Screenshots of each page in Thai and Japanese are written
to $KAKEHASHI_SHOTS (default /tmp/kakehashi-console-shots)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.i18n import t
from core.types import Lang
from tests.handoff.wire import staff_push
from tests.helpers import line_body, line_headers, line_text
from tests.server_process import ROOT, ServerProcess
from tests.standin import PlatformStandIn

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "a long enough passphrase"
LANGS_SHOWN: tuple[Lang, ...] = ("th", "ja")
SHOTS = Path(os.environ.get("KAKEHASHI_SHOTS", "/tmp/kakehashi-console-shots"))
DOCUMENT = """# Kakehashi Zebra Fund

The Kakehashi Zebra Fund lends up to 777,000 baht to Thai SMEs that export to Japan.
Applications close on 31 March 2027.
"""
DIRECTORY = """ref,country,name,sector,offers,seeks,partnership,certifications,employees,location,languages,email,phone
T-1,TH,Siam Precision Mould (Demo),22,injection moulds for car parts,Japanese buyers,buyer,ISO 9001,80,Rayong,th;en,sales@siam-mould.example.com,+66812345678
J-1,JP,Aichi Dies (Demo),25,press dies,Thai suppliers of moulds,supplier,IATF 16949,120,Aichi,ja;en,info@aichi-dies.example.jp,+81521234567
"""


def kakehashi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def server(tmp_path: Path, standin: PlatformStandIn) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "data", standin.url)
    (tmp_path / "directory.csv").write_text(DIRECTORY, encoding="utf-8")
    env = {**process.env, "KAKEHASHI_PUBLIC_URL": process.url}
    process.env = env
    kakehashi(env, "companies", "import", str(tmp_path / "directory.csv"))
    process.start(timeout=900)  # the matcher embeds its glossary at first start
    yield process
    process.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield launched
        launched.close()


def create_account(server: ServerProcess, email: str, role: str) -> str:
    output = kakehashi(server.env, "staff", "create", email, "--role", role)
    found = re.search(r"(http://\S+/admin/welcome/\S+)", output)
    assert found, output
    return found.group(1)


def welcome(browser: Any, link: str) -> Any:
    page = browser.new_page()
    page.goto(link)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin$"))
    return page


def line_says(server: ServerProcess, user: str, text: str) -> None:
    body = line_body(line_text(user, text))
    assert server.post("/webhooks/line", body, line_headers(body)).status_code == 200


def test_staff_console_end_to_end(
    server: ServerProcess, standin: PlatformStandIn, browser: Any, tmp_path: Path
) -> None:
    page = welcome(browser, create_account(server, "ops@dip.example", "admin"))
    assert page.locator("h1").inner_text() == t("console.nav.dashboard", "en")

    # Upload a document, then the simulator answers a question only it answers.
    upload = tmp_path / "zebra-fund.md"
    upload.write_text(DOCUMENT, encoding="utf-8")
    page.goto(f"{server.url}/admin/knowledge")
    page.set_input_files("#upload-form input[type=file]", str(upload))
    page.select_option("#upload-form select[name=lang]", "en")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/knowledge/\d+\?saved=1"))
    assert t("console.kb.saved", "en") in page.content()
    document_url = page.url.split("?")[0]
    asked = httpx.post(
        f"{server.url}/api/chat",
        json={
            "channel": "telegram",
            "user_id": "sim-1",
            "text": "How much can the Kakehashi Zebra Fund lend?",
        },
        timeout=60,
    )
    assert "777,000" in asked.json()["replies"][0]["text"]

    shoot_later = staff_round_trip(page, server, standin)

    # A form without its CSRF token is refused.
    status = page.evaluate(
        """async () => (await fetch('/admin/staff', {method: 'POST',
             headers: {'content-type': 'application/x-www-form-urlencoded'},
             body: 'email=sneaky%40example.org&role=admin'})).status"""
    )
    assert status == 403
    assert "sneaky@example.org" not in page.goto(f"{server.url}/admin/staff").text()

    # An editor cannot open staff management.
    editor = welcome(browser.new_context(), create_account(server, "editor@dip.example", "editor"))
    assert editor.goto(f"{server.url}/admin/staff").status == 403

    # Questions nobody answered, for the unanswered page.
    for text in (
        "Is there a grant for buying robot arms?",
        "มีเงินอุดหนุนซื้อแขนหุ่นยนต์ไหมครับ",
        "asdfghjkl",
    ):
        httpx.post(
            f"{server.url}/api/chat",
            json={"channel": "line", "user_id": "sim-2", "text": text},
            timeout=60,
        )
    screenshots(page, server.url, shoot_later, document_url)


def staff_round_trip(page: Any, server: ServerProcess, standin: PlatformStandIn) -> str:
    """A LINE user asks for staff, staff reply from the console, hand back; the URL of
    the conversation."""
    # A LINE user asks for staff; the bot stays quiet; staff reply from the console.
    line_says(server, "U-line-7", "I would like to talk to a person please")
    first = standin.wait_for(1, "reply")
    assert (
        first[0].body["messages"][0]["quickReply"]["items"][0]["action"]["data"] == "handoff:back"
    )
    line_says(server, "U-line-7", "My order number is 42")
    page.goto(f"{server.url}/admin/handoffs")
    page.locator("#queue a", has_text="U-line-7").click()
    page.locator(".transcript li.user", has_text="My order number is 42").wait_for()
    assert len(standin.calls_to("reply", "push")) == 1  # nothing answered the second message
    page.fill("#reply-text", "Hello, this is Ploy from DIP. Your order 42 is on its way.")
    page.click("#send-reply")
    page.locator(".transcript li.staff", has_text="Your order 42").wait_for()
    pushes = standin.wait_for(1, "push")
    assert pushes[0].body == staff_push(
        "U-line-7", "Hello, this is Ploy from DIP. Your order 42 is on its way."
    )
    shoot_later = page.url

    # Hand back; the bot answers this user again.
    page.click("#hand-back")
    pushes = standin.wait_for(2, "push")
    assert pushes[1].body["messages"][0]["text"] == t("handoff.back_by_staff", "en")
    line_says(server, "U-line-7", "menu")
    replies = standin.wait_for(2, "reply")
    assert replies[1].body["messages"][0]["text"] == t("menu.title", "en")

    return shoot_later


def screenshots(page: Any, base: str, handoff_url: str, document_url: str) -> None:
    """Each page in Thai and Japanese, for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    paths = {
        "dashboard": "/admin", "handoffs": "/admin/handoffs", "handoff": handoff_url.removeprefix(base),
        "knowledge": "/admin/knowledge", "document": document_url.removeprefix(base), "new-document": "/admin/knowledge/new", "unanswered": "/admin/unanswered",
        "companies": "/admin/companies", "company": "/admin/companies/1", "introductions": "/admin/introductions?status=all",
        "staff": "/admin/staff", "audit": "/admin/audit",
    }  # fmt: skip
    for lang in ("th", "ja"):
        page.goto(f"{base}/admin")
        with page.expect_navigation():
            page.select_option("#lang-pick", lang)  # the picker submits itself
        for name, path in paths.items():
            page.goto(base + path)
            assert page.locator("nav a.current").count() == 1 or name == "dashboard"
            page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"), full_page=True)
        assert t("console.nav.handoffs", lang) in page.content()
    signed_out = page.context.browser.new_page()
    for lang in LANGS_SHOWN:
        signed_out.goto(f"{base}/admin/sign-in?lang={lang}")
        assert signed_out.locator("h1").inner_text() == t("console.sign_in.title", lang)
        signed_out.screenshot(path=str(SHOTS / f"{lang}-sign-in.png"), full_page=True)
