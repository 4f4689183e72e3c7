"""Property-based fuzz of both webhook parsers: whatever body arrives after a valid
signature, `parse` returns our own messages or raises MalformedRequest (400), never
anything else (which would be a 500 and a redelivery loop)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.base import MalformedRequest
from channels.line import LineAdapter
from channels.telegram import TelegramAdapter
from core.types import IncomingMessage
from tests.helpers import make_settings

DATA = Path(__file__).resolve().parents[1] / "data"
LINE_EVENTS: list[dict[str, Any]] = json.loads(
    (DATA / "line_sdk_v3_webhook_28_events.json").read_text()
)["events"]
TELEGRAM_UPDATES: list[dict[str, Any]] = [
    json.loads(path.read_text()) for path in sorted((DATA / "telegram").glob("*.json"))
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=40),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, originals: list[dict[str, Any]]) -> Any:
    """A real event or update with a few of its fields replaced by arbitrary JSON."""
    value = json.loads(json.dumps(draw(st.sampled_from(originals))))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(value) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return value


def _check(parse: Any, body: bytes) -> None:
    try:
        messages = parse(body)
    except MalformedRequest:
        return
    assert all(isinstance(m, IncomingMessage) for m in messages)
    for message in messages:  # what the inbox stores must round-trip
        assert IncomingMessage.from_json(message.to_json()) == message


def _line(tmp_path: Path) -> LineAdapter:
    return LineAdapter(make_settings(tmp_path))


def _telegram(tmp_path: Path) -> TelegramAdapter:
    aliases: dict[str, str] = {}
    return TelegramAdapter(
        make_settings(tmp_path), put_alias=aliases.__setitem__, get_alias=aliases.get
    )


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(events=st.lists(mutated(LINE_EVENTS), min_size=1, max_size=3))
def test_line_parser_survives_mutated_events(tmp_path_factory: Any, events: list[Any]) -> None:
    adapter = _line(tmp_path_factory.mktemp("line"))
    _check(adapter.parse, json.dumps({"destination": "Ubot", "events": events}).encode())


@FUZZ
@given(update=mutated(TELEGRAM_UPDATES))
def test_telegram_parser_survives_mutated_updates(tmp_path_factory: Any, update: Any) -> None:
    adapter = _telegram(tmp_path_factory.mktemp("telegram"))
    _check(adapter.parse, json.dumps(update).encode())


@FUZZ
@given(value=json_values)
def test_both_parsers_survive_any_json(tmp_path_factory: Any, value: Any) -> None:
    folder = tmp_path_factory.mktemp("any")
    body = json.dumps(value).encode()
    _check(_line(folder).parse, body)
    _check(_telegram(folder).parse, body)


@FUZZ
@given(body=st.binary(max_size=200))
def test_both_parsers_survive_any_bytes(tmp_path_factory: Any, body: bytes) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    _check(_line(folder).parse, body)
    _check(_telegram(folder).parse, body)
