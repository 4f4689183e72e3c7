"""The console shows stored UTC times on the office's clock, labelled with its offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from console.render import clock
from tests.console.conftest import sign_in


def test_utc_is_shown_in_the_office_zone_with_its_offset() -> None:
    bangkok, tokyo = clock("Asia/Bangkok"), clock("Asia/Tokyo")
    stored = datetime(2026, 12, 2, 2, 15)  # naive rows from SQLite are UTC
    assert bangkok(stored) == "2026-12-02 09:15 UTC+7"
    assert tokyo(stored.replace(tzinfo=UTC)) == "2026-12-02 11:15 UTC+9"
    assert bangkok(datetime(2026, 12, 2, 20, 0), "%Y-%m-%d") == "2026-12-03"  # the next day
    assert bangkok(stored, "%m-%d %H:%M", False) == "12-02 09:15"
    assert clock("UTC")(stored) == "2026-12-02 02:15 UTC"


def test_the_audit_page_shows_the_sign_in_on_the_office_clock(client: TestClient) -> None:
    sign_in(client, "boss@dip.example", "admin")
    page = client.get("/admin/audit").text
    shown = re.findall(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):\d{2} UTC\+7", page)
    assert shown, "no time on the office clock"
    when = datetime.strptime(shown[0], "%Y-%m-%d %H:%M").replace(tzinfo=UTC) - timedelta(hours=7)
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)
