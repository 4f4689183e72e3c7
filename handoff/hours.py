"""Office hours, as the user is told them: "Mon–Fri 8:30–16:30 Bangkok time"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from core.i18n import t
from core.settings import Settings
from core.types import Lang

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Zones whose name the catalogue has in th/ja/en; any other is shown as its IANA name.
_NAMED_ZONES = {"Asia/Bangkok": "bangkok", "Asia/Tokyo": "tokyo"}


def _days(spec: str) -> tuple[int, ...]:
    """'mon-fri' or 'mon,wed,fri' to weekday numbers (Monday 0)."""
    spec = spec.strip().lower()
    if "-" in spec:
        first, _, last = spec.partition("-")
        start, end = DAYS.index(first.strip()), DAYS.index(last.strip())
        return tuple(range(start, end + 1))
    return tuple(DAYS.index(day.strip()) for day in spec.split(","))


def _time(value: str) -> time:
    hours, _, minutes = value.strip().partition(":")
    return time(int(hours), int(minutes or 0))


@dataclass(frozen=True)
class OfficeHours:
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    opens: time = time(8, 30)
    closes: time = time(16, 30)
    zone: str = "Asia/Bangkok"

    @classmethod
    def from_settings(cls, settings: Settings) -> OfficeHours:
        ZoneInfo(settings.office_timezone)  # an unknown zone is an error at start-up
        return cls(
            days=_days(settings.office_days),
            opens=_time(settings.office_opens),
            closes=_time(settings.office_closes),
            zone=settings.office_timezone,
        )

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.zone))
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def describe(self, lang: Lang) -> str:
        names = [t(f"handoff.day.{DAYS[d]}", lang) for d in self.days]
        contiguous = list(self.days) == list(range(self.days[0], self.days[-1] + 1))
        if len(names) > 2 and contiguous:
            days = t("handoff.day_range", lang, first=names[0], last=names[-1])
        else:
            days = t("handoff.day_list_separator", lang).join(names)
        zone = _NAMED_ZONES.get(self.zone)
        return t(
            "handoff.hours",
            lang,
            days=days,
            opens=f"{self.opens.hour}:{self.opens.minute:02d}",
            closes=f"{self.closes.hour}:{self.closes.minute:02d}",
            zone=t(f"handoff.zone.{zone}", lang) if zone else self.zone,
        )
