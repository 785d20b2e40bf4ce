"""What a class meets besides the guide: stories picked to show the point, levers that say when they cannot act,
names as `scenarios list` shows them, and projector charts that say which change and which years."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import run_cli

from sim.errors import RingsimError, UsageError
from sim.experiments.case_filter import CaseFilter, ending_names
from sim.experiments.inert import inert_notes
from sim.experiments.trace import stories
from sim.scenario import loader


@pytest.fixture(scope="module")
def year_2020():
    return loader.load("national-2020")


@pytest.mark.parametrize(("route", "ending", "last"), [
    ("portal", "disclosed", "portal request ends: video shared with the owners' consent"),
    ("emergency", "disclosed", "emergency form ends: video handed over without the owner's consent"),
    ("emergency", "refused", "emergency form ends: refused"),
    ("legal", "records-only", "legal demand ends: account records only, no video"),
])
def test_an_ending_picks_only_cases_that_ended_so(year_2020, route, ending, last):
    found = stories(year_2020, 1, route=route, n=3, pick=CaseFilter.of(ending, route=route))
    assert len(found) == 3
    for story in found:
        assert any(text == last for _when, text in story.lines), story.case


def test_changed_picks_cases_the_closed_portal_sent_elsewhere():
    closed = loader.load("classroom/portal-closed-2020")
    found = stories(closed, 1, n=2, since=dt.date(2020, 3, 2), pick=CaseFilter.of(changed=True))
    assert {s.route for s in found} == {"emergency", "legal"}
    assert all("the portal is shut to it" in s.lines[0][1] for s in found)
    # Before the closure, a changed case is one that moved on: an empty-handed portal request that became a warrant.
    moved = stories(loader.load("national-2020"), 1, route="portal", n=1, pick=CaseFilter.of(changed=True))
    assert moved and moved[0].line_routes[0] == "portal" and moved[0].line_routes[-1] == "legal"


def test_a_filter_that_matches_nothing_says_what_it_looked_for(capsys):
    assert run_cli("trace", "national-2020", "--route", "emergency", "--ending", "rejected-by-moderation") == 0
    assert "no case that ended rejected by moderation took that route" in capsys.readouterr().out
    assert run_cli("trace", "national-2020", "--ending", "maybe") == 2
    err = capsys.readouterr().err
    assert "--ending maybe: must be one of disclosed, refused" in err and "records-only" in err
    assert set(ending_names()) >= {"disclosed", "refused", "no-video", "content-disclosed", "granted-no-footage"}
    with pytest.raises(UsageError):
        CaseFilter.of("")


def test_trace_takes_the_names_scenarios_list_shows_and_suggests_the_right_one(capsys):
    assert run_cli("trace", "illinois-hb2553", "--route", "legal") == 0
    assert "the legal route" in capsys.readouterr().out
    assert run_cli("trace", "classroom-portal-closed", "--route", "legal") == 0
    capsys.readouterr()
    assert run_cli("trace", "illinois", "--route", "legal") == 2
    assert "did you mean laws/illinois-hb2553?" in capsys.readouterr().err


def test_a_lever_that_cannot_act_in_the_years_says_so(year_2020):
    e2ee_2020 = loader.load("national-2020", overrides={"policy.platform.e2ee_default": True})
    assert inert_notes(year_2020, e2ee_2020) == [
        "platform.e2ee_default cannot act in 2020: end-to-end encryption is not available then "
        "(platform.e2ee_available is false)"]
    share = loader.load("national-2020", overrides={"population.owners.e2ee_share_when_default": 0.5})
    assert "cannot act in 2020" in inert_notes(year_2020, share)[0]
    timeline = loader.load("timeline")
    whole = inert_notes(timeline, loader.load("timeline", overrides={"policy.platform.e2ee_default": True}))
    assert whole and whole[0].startswith("platform.e2ee_default acts only in 2021\u20132026 of 2018\u20132026")
    # A law the real timeline already holds changes nothing: said, not shown as a verdict of no effect.
    assert "changes no rule in force in 2018\u20132026" in inert_notes(timeline, loader.load("laws/illinois-hb2553"))[0]
    # Levers that act say nothing.
    for name in ("classroom/e2ee-default-2020", "classroom/portal-closed-2020", "classroom/emergency-notice-2020"):
        assert inert_notes(year_2020, loader.load(name)) == [], name
    assert inert_notes(timeline, loader.load("platform/e2ee-default")) == []


def test_compare_prints_the_note_under_its_table(tmp_path, capsys):
    variant = tmp_path / "e2ee-2020.toml"
    variant.write_text('extends = "national-2020"\n[scenario]\nname = "e2ee-only-default"\n'
                       'title = "2020, encryption on by default"\n'
                       '[set]\n"policy.platform.e2ee_default" = { value = true, note = "test" }\n')
    assert run_cli("compare", "national-2020", str(variant), "--reps", "2", "--out", str(tmp_path / "out"),
                   "--uncertainty", "none", "--workers", "1") == 0
    assert "note: platform.e2ee_default cannot act in 2020" in capsys.readouterr().out


def test_a_missing_name_is_one_line(capsys):
    with pytest.raises(RingsimError):
        from sim.scenario.catalog import load_named

        load_named("no-such-scenario")


def test_projector_chart_titles_say_which_change_and_which_years():
    from sim.experiments.compare import compare_scenarios
    from sim.report.class_charts import before_after

    base = loader.load("national-2020")
    full = loader.load("classroom/e2ee-default-2020")
    half = loader.load("classroom/e2ee-default-2020", overrides={"population.owners.e2ee_share_when_default": 0.5})
    titles = [before_after(compare_scenarios(base, [v], 2, 1, workers=1, uncertainty="none"), "all").title
              for v in (full, half)]
    assert all("2020 with end-to-end encryption on by default" in t and "in 2020," in t for t in titles)
    assert "all years" not in titles[0] and titles[0] != titles[1]
    assert "e2ee_share_when_default = 0.5" in titles[1]


def test_trace_follows_one_case_by_its_number_as_the_app_names_it(capsys):
    assert run_cli("trace", "national-2020", "--case", "2020-01127") == 0
    out = capsys.readouterr().out
    assert "Case 2020-01127, the emergency route" in out and out.count("Case ") == 1
    assert run_cli("trace", "national-2020", "--case", "1999-00001") == 2
    assert "--case 1999-00001: no case of that number" in capsys.readouterr().err


def test_story_lines_wrap_clear_of_the_time_column_at_80_columns(year_2020):
    import io

    from rich.console import Console

    from sim.cli.explore import story_table

    buf = io.StringIO()
    console = Console(file=buf, width=80, color_system=None)
    for story in stories(year_2020, 1, n=2):
        console.print(story_table(story, 80), soft_wrap=True)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    body = [line for line in lines if line.startswith("  ")]
    assert any(line.startswith(" " * 20) for line in body)  # some text wraps, under the text
    assert all(line[2:6].isdigit() or line.startswith(" " * 20) for line in body)


def test_lesson_lists_its_steps_and_show_says_what_to_run_first(capsys, tmp_path, monkeypatch):
    assert run_cli("lesson") == 0
    listed = capsys.readouterr().out
    assert "ringsim lesson 1 run  runs  ringsim compare national-2020 classroom/portal-closed-2020" in listed
    assert "ringsim lesson 1 show  opens  reports/class/portal/chart.png" in listed
    monkeypatch.chdir(tmp_path)
    assert run_cli("lesson", "1", "show") == 2
    assert "not made yet; run `ringsim lesson 1 run` first" in capsys.readouterr().err
    assert run_cli("lesson", "4") == 2
    assert "the exercises are 1, 2, 3" in capsys.readouterr().err
