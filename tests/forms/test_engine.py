"""The engine walks any form given as data: a small made-up form, no database."""

from __future__ import annotations

from core.types import Reply
from language import reference
from registration.forms.engine import Form, FormEngine
from registration.forms.fields import (
    ChoiceField,
    MultiChoiceField,
    NumberField,
    PlaceField,
    TextField,
)

TOY = Form(
    name="toy",
    title="reg.form.th_sme",
    fields=(
        TextField(name="name", prompt="reg.q.japan.name", label="reg.label.name"),
        ChoiceField(name="base", prompt="reg.q.japan.thai_base", label="reg.label.thai_base",
                    options=lambda: reference.choice_list("yes_no"), invalid_key="form.error.yes_no"),
        PlaceField(name="where", prompt="reg.q.japan.thai_base_location", label="reg.label.thai_base_location",
                   options=reference.thai_provinces, when=lambda a: a.get("base") == "yes"),
        MultiChoiceField(name="certs", prompt="reg.q.japan.required_certifications",
                         label="reg.label.required_certifications", required=False,
                         options=lambda: reference.choice_list("certifications")),
        NumberField(name="staff", prompt="reg.q.employees", label="reg.label.employees", maximum=1000),
    ),
)  # fmt: skip
ENGINE = FormEngine([TOY], prefix="t")


def answer(state: dict, text: str) -> Reply | None:
    reply = ENGINE.submit_text(state, text, "en")
    if reply is None:
        ENGINE.advance(state)
    return reply


def test_walks_the_fields_in_order_and_skips_inactive_ones() -> None:
    state = ENGINE.new_state("toy", "en")
    assert state["step"] == "name"
    answer(state, "Acme")
    assert state["step"] == "base"
    answer(state, "no")
    assert state["step"] == "certs"  # "where" only applies with a base
    answer(state, "none")
    assert state["answers"]["certs"] == []
    answer(state, "40")
    assert state["step"] is None
    assert TOY.clean_answers(state["answers"]) == {
        "name": "Acme",
        "base": "no",
        "certs": [],
        "staff": 40,
    }


def test_changing_an_answer_switches_a_field_on_and_off() -> None:
    state = ENGINE.new_state("toy", "en")
    for text in ("Acme", "yes", "Rayong", "done", "40"):
        answer(state, text)
    assert TOY.clean_answers(state["answers"])["where"] == "Rayong"
    ENGINE.go_to(state, "base")
    answer(state, "no")
    assert state["step"] is None
    assert "where" not in TOY.clean_answers(state["answers"])
    ENGINE.go_to(state, "base")
    answer(state, "yes")
    assert state["step"] is None  # the old location answer still stands
    assert TOY.clean_answers(state["answers"])["where"] == "Rayong"


def test_invalid_answer_repeats_the_question_with_the_reason() -> None:
    state = ENGINE.new_state("toy", "en")
    answer(state, "Acme")
    reply = answer(state, "perhaps")
    assert reply is not None
    assert reply.text.splitlines()[0] == 'Please answer "Yes" or "No".'
    assert "Does the company already have a base in Thailand?" in reply.text
    assert [b.data for b in reply.buttons][:2] == ["t:o:base:0", "t:o:base:1"]
    assert state["step"] == "base" and "base" not in state["answers"]


def test_candidates_are_offered_and_picked_by_number_or_button() -> None:
    state = ENGINE.new_state("toy", "en")
    answer(state, "Acme")
    answer(state, "yes")
    reply = answer(state, "Nakhon")
    assert reply is not None and state["options"]
    assert "1. " in reply.text
    picked = state["options"][1]
    answer(state, "2")
    assert state["answers"]["where"] == picked
    ENGINE.go_to(state, "where")
    answer(state, "Nakhon")
    first = state["options"][0]
    assert first != picked
    reply = ENGINE.submit_button(state, "o", "where", "0", "en")
    assert reply is None and state["answers"]["where"] == first


def test_multi_choice_toggles_and_needs_done() -> None:
    state = ENGINE.new_state("toy", "en")
    for text in ("Acme", "no"):
        answer(state, text)
    assert ENGINE.submit_button(state, "o", "certs", "0", "en") is not None
    assert ENGINE.submit_button(state, "o", "certs", "1", "en") is not None
    reply = ENGINE.submit_button(state, "o", "certs", "0", "en")  # untick
    assert reply is not None and "✓ ISO 14001" in [b.label for b in reply.buttons]
    assert state["pending"] == ["ISO 14001"]
    assert ENGINE.submit_button(state, "done", "certs", "", "en") is None
    assert state["answers"]["certs"] == ["ISO 14001"]


def test_back_and_optional_skip_buttons() -> None:
    state = ENGINE.new_state("toy", "en")
    reply = ENGINE.ask(state, "en")
    assert "t:back" not in [b.data for b in reply.buttons]  # nothing to go back to
    answer(state, "Acme")
    assert ENGINE.back(state) and state["step"] == "name"
    assert not ENGINE.back(state)
    answer(state, "Acme 2")
    assert state["step"] == "base"  # the name was the only change
    answer(state, "no")
    reply = ENGINE.ask(state, "en")
    assert "t:done:certs" in [b.data for b in reply.buttons]
    assert ENGINE.submit_button(state, "skip", "certs", "", "en") is None
    assert state["answers"]["certs"] == []


def test_buttons_stay_within_line_limits() -> None:
    state = ENGINE.new_state("toy", "en")
    for text in ("Acme", "no"):
        answer(state, text)
    reply = ENGINE.ask(state, "en")
    assert len(reply.buttons) <= 13
    assert all(len(b.data.encode()) < 64 for b in reply.buttons)


def test_problems_finds_a_broken_state() -> None:
    state = ENGINE.new_state("toy", "en")
    assert ENGINE.problems(state) == []
    assert ENGINE.problems({**state, "step": "nope"})
    assert ENGINE.problems({**state, "answers": {"staff": "many"}})
    assert ENGINE.problems({**state, "answers": {"base": "maybe"}})
    assert ENGINE.problems({**state, "form": "unknown"}) == ["unknown form"]
