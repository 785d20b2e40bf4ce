"""`ringsim trace`: stories of single cases, from the model itself, that obey each route's rules."""

from __future__ import annotations

import csv
import io
import re

import pytest
from conftest import run_cli, small

from sim.errors import UsageError
from sim.experiments.trace import csv_text, stories
from sim.model.routes.registry import route_names


@pytest.fixture(scope="module")
def told():
    loaded = small(investigations__imminent_rate_per_agency_year=0.3)
    return stories(loaded, seed=3, n=3)


def test_one_story_per_route_each_from_incident_to_outcome(told):
    assert {s.route for s in told} == set(route_names())
    for story in told:
        times = [when for when, _ in story.lines]
        assert times == sorted(times), story.case
        assert f"opens case {story.case}" in story.lines[0][1]
        assert story.lines[-1][1].split(":")[0].endswith("ends") or "destroyed" in story.lines[-1][1]


def test_each_story_obeys_its_routes_rules(told):
    for story in told:
        text = " | ".join(line for _, line in story.lines)
        if story.route == "portal":
            assert "makes a portal request" in text and re.search(r"owners? nearby", text)
            assert "without consent" not in text.split("the agency turns to legal process")[0]
        if story.route == "emergency":
            assert "the owner is not asked" in text and "reviewer decides alone" in text
        if story.route == "legal":
            assert "seeks a" in text
            if "video of" in text and "handed over" in text:
                assert "a court issued" in text  # no video leaves by legal process without a court


def test_csv_has_the_same_events(told):
    rows = list(csv.DictReader(io.StringIO(csv_text(told))))
    assert len(rows) == sum(len(s.lines) for s in told)
    assert set(rows[0]) == {"case", "route", "time", "event"}


def test_the_cli_tells_stories_and_refuses_bad_arguments(library, capsys):
    assert run_cli("trace", str(library / "small.toml"), "--route", "legal", "--n", "2") == 0
    out = capsys.readouterr().out
    assert out.count("the legal route") == 2
    assert run_cli("trace", str(library / "small.toml"), "--route", "mail") == 2
    assert "--route mail: must be one of portal, emergency, legal" in capsys.readouterr().err
    with pytest.raises(UsageError):
        stories(small(), seed=1, year="1999")


STORY_SCENARIOS = ["national-2020", "classroom/portal-closed-2020", "classroom/e2ee-default-2020",
                   "laws/vermont-h602-national", "laws/hawaii-sb888-national"]


@pytest.mark.parametrize("name", STORY_SCENARIOS)
def test_stories_read_right(name):
    """One word per idea, plurals that agree, the ending last, and a subpoena from a prosecutor."""
    from sim.experiments.trace import stories
    from sim.scenario import loader

    loaded = loader.load(name)
    year = loaded.years[-1]
    found = stories(loaded, 1, n=25, year=year)
    assert found
    for story in found:
        texts = [text for _when, text in story.lines]
        joined = "\n".join(texts)
        slips = [re.escape(s) for s in ("(s)", "the user", "a court issued the subpoena", "(email)")]
        # Whole numbers only: "10.0 h" and "11 owners" are right.
        slips += [rf"(?<![\w.]){slip}" for slip in (r"0 h", r"0\.0 h", "1 of them have", "1 owners", "1 clips")]
        for slip in slips:
            assert not re.search(slip, joined), (story.case, slip)
        assert "ends:" in texts[-1], (story.case, texts[-1])  # every case ends with its ending, after its steps
        whens = [when for when, _text in story.lines]
        assert whens == sorted(whens)
        if "refuses the form" in joined:
            assert joined.index("refuses the form") < joined.index("emergency form ends: refused")
        if story.line_routes and "seeks a warrant" in joined:
            assert story.line_routes[-1] == "legal"
