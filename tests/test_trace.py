"""`ringsim trace`: stories of single cases, from the model itself, that obey each route's rules."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import run_cli, small

from sim.errors import UsageError
from sim.experiments.trace import ROUTES, csv_text, stories


@pytest.fixture(scope="module")
def told():
    loaded = small(investigations__imminent_rate_per_agency_year=0.3)
    return stories(loaded, seed=3, n=3)


def test_one_story_per_route_each_from_incident_to_outcome(told):
    assert {s.route for s in told} == set(ROUTES)
    for story in told:
        times = [when for when, _ in story.lines]
        assert times == sorted(times), story.case
        assert f"opens case {story.case}" in story.lines[0][1]
        assert story.lines[-1][1].split(":")[0].endswith("ends") or "destroyed" in story.lines[-1][1]


def test_each_story_obeys_its_routes_rules(told):
    for story in told:
        text = " | ".join(line for _, line in story.lines)
        if story.route == "portal":
            assert "posts a portal request" in text and "owners nearby" in text
            assert "without consent" not in text.split("no footage: the agency seeks a warrant")[0]
        if story.route == "emergency":
            assert "the owner is not asked" in text and "reviewer decides alone" in text
        if story.route == "legal":
            assert "seeks a" in text
            if "video of" in text and "handed over" in text:
                assert "a court issues" in text  # no video leaves by legal process without a court


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
