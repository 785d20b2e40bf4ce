"""Plausible scenarios with one semantic fault each: refused at load, in one line naming file and field.

The generator builds variants a user could write (real field names, real states, dates
inside the horizon, sensible values) and plants exactly one fault of meaning: two
entries of one date that contradict each other, a range wider than its field allows,
a state code that is not one, a cumulative curve that falls, a horizon outside the
supported span, a title too long or holding a control character. Text that other
libraries would interpret (rich markup, mathtext, dollar signs) is valid and must load.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import string

import pytest
import tomli_w
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario import loader
from sim.scenario.validators import STATE_CODES

REAL = sorted(STATE_CODES)
FLAGS = ["portal.open", "emergency.open", "emergency.notify_owner", "legal.notify_user", "portal.nudging_language"]
SHARES = ["policy.emergency.grant_probability", "policy.legal.pushback_probability", "population.owners.audio_share",
          "routes.closed_portal_to_legal", "investigations.only_data_available_share",
          "legal.account_identified_probability"]
days_2020 = st.dates(dt.date(2020, 1, 2), dt.date(2020, 12, 31))


def _entry(date, states, field, value, label="change") -> dict:
    return {"date": date, "label": label, **({"states": states} if states else {}), "set": {field: value}}


@st.composite
def same_day(draw):
    date, field = draw(days_2020), draw(st.sampled_from(FLAGS))
    shared = draw(st.sampled_from(REAL[:51]))
    first = draw(st.sampled_from([None, [shared]]))
    second = draw(st.sampled_from([None, [shared], sorted({shared, draw(st.sampled_from(REAL[:51]))})]))
    value = draw(st.booleans())
    doc = {"timeline": [_entry(date, first, field, value, "one"), _entry(date, second, field, not value, "two")]}
    return doc, f".set.{field}", "contradicts timeline["


@st.composite
def outside_horizon(draw):
    date = draw(st.dates(dt.date(2021, 1, 1), dt.date(2040, 12, 31)) | st.dates(dt.date(2010, 1, 1),
                                                                               dt.date(2019, 12, 31)))
    return {"timeline": [_entry(date, None, draw(st.sampled_from(FLAGS)), True)]}, ".date", "outside the horizon"


@st.composite
def wide_range(draw):
    path, value = draw(st.sampled_from(SHARES)), draw(st.floats(0.05, 0.95))
    low = draw(st.floats(-2.0, value) if draw(st.booleans()) else st.floats(0.0, value))
    high = draw(st.floats(1.0001, 50.0)) if low >= 0 else draw(st.floats(value, 1.0))
    return ({"set": {path: {"value": value, "range": [low, high], "note": "judgement"}}}, f"{path}.range",
            "must lie inside the field's bounds")


@st.composite
def bad_state(draw):
    kind = draw(st.sampled_from(["unknown", "lower", "zero", "twice"]))
    states = draw(st.lists(st.sampled_from(REAL), min_size=1, max_size=6, unique=True))
    population = {s: draw(st.integers(1000, 40_000_000)) for s in states}
    if kind == "twice":
        doc = {"timeline": [_entry(draw(days_2020), [*states, states[0]], "portal.open", False)]}
        return doc, f".states[{len(states)}]", "names a state twice"
    if kind == "unknown":
        code = draw(st.text(string.ascii_uppercase, min_size=2, max_size=2).filter(lambda c: c not in STATE_CODES))
        population[code] = 5000
        return {"set": {"population.state_population": population}}, "population.state_population", "not a US state"
    if kind == "lower":
        doc = {"timeline": [_entry(draw(days_2020), [states[0].lower()], "portal.open", False)]}
        return doc, ".states[0]", "upper-case"
    population[states[0]] = 0
    return {"set": {"population.state_population": population}}, f"state_population.{states[0]}", "[1, 1000000000]"


@st.composite
def falling_curve(draw):
    counts = sorted(draw(st.lists(st.integers(0, 5000), min_size=2, max_size=5)))
    drop = draw(st.integers(1, 1 + counts[-1]))
    values = [*counts, max(counts[-1] - drop, 0) if counts[-1] else 0]
    if values[-1] == values[-2]:
        values[-2] += 1
    dates = [dt.date(2014 + i, 1, 1) for i in range(len(values))]
    points = [[d, float(v)] for d, v in zip(dates, values, strict=True)]
    return ({"set": {"population.agencies.enrolled_cumulative": {"points": points}}},
            "enrolled_cumulative", "cannot fall")


@st.composite
def bad_horizon(draw):
    if draw(st.booleans()):
        start = draw(st.dates(dt.date(1, 1, 1), dt.date(2009, 12, 31)))
        return {"scenario": {"start": start}}, "scenario.start", "the span ringsim supports"
    end = draw(st.dates(dt.date(2051, 1, 1), dt.date(9999, 12, 31)))
    return {"scenario": {"end": end}}, "scenario.end", "the span ringsim supports"


@st.composite
def bad_text(draw):
    field = draw(st.sampled_from(["title", "description", "start_label"]))
    if draw(st.booleans()):
        longest = {"title": 200, "description": 2000, "start_label": 200}[field]
        text = draw(st.text(string.ascii_letters + " ", min_size=longest + 1, max_size=longest + 500))
        return {"scenario": {field: text}}, f"scenario.{field}", "characters (it has"
    control = draw(st.sampled_from(["\x1b", "\x00", "\x07", "\x7f", "\x85", "\u2028"] + ([] if field == "description"
                                                                                     else ["\n", "\t"])))
    text = draw(st.text(string.ascii_letters, max_size=20)) + control + "[31m"
    return {"scenario": {field: text}}, f"scenario.{field}", "control character"


FAULTS = {"dates": same_day(), "horizon_dates": outside_horizon(), "ranges": wide_range(), "states": bad_state(),
          "curves": falling_curve(), "horizons": bad_horizon(), "texts": bad_text()}


def _write(folder, doc: dict):
    path = folder / "v.toml"
    path.write_text('extends = "national-2020"\n' + tomli_w.dumps(doc), encoding="utf-8")
    return path


def _validate(path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = run_cli("scenarios", "validate", str(path))
    return status, err.getvalue()


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_one_semantic_fault_is_refused_in_one_line(kind, tmp_path_factory):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
    @given(case=FAULTS[kind])
    def check(case):
        doc, field, words = case
        path = _write(tmp_path_factory.mktemp(kind), doc)
        with pytest.raises(ScenarioError) as err:
            loader.load(path)
        message = str(err.value)
        assert message.startswith(f"{path}: ") and field in message and words in message, message
        assert "\n" not in message
        status, stderr = _validate(path)
        assert status == 2 and stderr == f"ringsim: error: {message}\n"

    check()


interpreted = st.sampled_from(["[/oops]", "Law [/bold] closes", "[bold red]x[/]", "$5 to $10", r"A $\frac{$ law",
                               "50% of {owners}", "<script>alert(1)</script>", "C:\\path\\n", "emoji 📷 law",
                               "ﬁ ligature", "RTL \u202e text"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=interpreted, extra=st.text(string.ascii_letters + " ", max_size=40))
def test_text_that_other_libraries_interpret_is_valid_and_kept(tmp_path_factory, title, extra):
    text = f"{title} {extra}".strip()
    if not text.isprintable():
        return  # a format character such as U+202E is refused: covered by the control-character faults
    path = _write(tmp_path_factory.mktemp("text"), {"scenario": {"title": text, "description": text}})
    loaded = loader.load(path)
    assert loaded.scenario.scenario.title == text
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert run_cli("scenarios", "show", str(path)) == 0
