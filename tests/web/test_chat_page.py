"""The chat simulator in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.i18n import t

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def test_chat_in_thai_then_press_a_button(serve, standin, browser, tmp_path: Path) -> None:
    server = serve(standin.url)
    page = browser.new_page()
    page.goto(f"{server.url}/chat?lang=th")
    assert page.title() == t("web.chat.title", "th")
    page.get_by_label(t("web.chat.line_user", "th")).check()
    page.fill("#user-id", "browser-user")
    page.click("#start")
    page.fill("#text", "สวัสดีค่ะ")
    page.click("#send")
    greeting = page.locator("li.bot .bubble").first
    greeting.wait_for()
    assert greeting.inner_text() == t("greeting", "th").strip()
    buttons = page.locator("li.bot .buttons button")
    assert buttons.all_inner_texts() == [
        t(f"menu.{k}", "th")
        for k in ("register", "ask", "find_partners", "profile", "language", "help")
    ]
    page.get_by_role("button", name=t("menu.language", "th")).click()
    page.get_by_role("button", name="日本語").click()
    page.locator("li.bot .bubble", has_text=t("language.changed", "ja")).wait_for()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    assert (tmp_path / "chat.png").stat().st_size > 10_000
    bubbles = page.locator("li.me .bubble").all_inner_texts()
    assert bubbles == ["สวัสดีค่ะ", t("menu.language", "th"), "日本語"]


def test_page_chrome_in_each_language(serve, standin, browser) -> None:
    server = serve(standin.url)
    page = browser.new_page()
    for lang in ("th", "ja", "en"):
        page.goto(f"{server.url}/chat?lang={lang}")
        assert page.locator("h1").inner_text() == t("web.chat.title", lang)
        assert page.locator("#start").inner_text() == t("web.chat.start", lang)
