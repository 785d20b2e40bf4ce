"""Scenario files: the shipped ones validate and cite; broken ones fail in one clear line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TIMELINE

from sim.errors import ScenarioError
from sim.scenario import loader
from sim.scenario.catalog import scenario_files
from sim.scenario.provenance import covering, strip

SHIPPED = scenario_files(ROOT / "scenarios")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    loaded = loader.load(path)
    assert loaded.scenario.scenario.name
    assert loaded.files[0][0] == str(path)


def test_every_number_in_the_baseline_has_a_source_or_note():
    import tomllib

    tree = tomllib.loads(TIMELINE.read_text())
    plain, provenance = strip(tree)
    missing = [p for p in _numeric_paths(plain) if covering(provenance, p) is None]
    assert missing == [], f"numbers without source or note: {missing}"


def _numeric_paths(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numeric_paths(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        if node and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in node):
            yield path
        else:
            for i, v in enumerate(node):
                yield from _numeric_paths(v, f"{path}[{i}]")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path


def test_policy_timeline_applies_on_its_dates(timeline):
    import datetime as dt

    book = timeline.policy_book
    assert not book.policy_on(dt.date(2019, 6, 1), "CA").portal.owner_opt_out_available
    assert book.policy_on(dt.date(2020, 3, 1), "CA").portal.owner_opt_out_available
    assert book.policy_on(dt.date(2021, 7, 1), "CA").portal.mode == "public_post"
    assert not book.policy_on(dt.date(2024, 6, 1), "CA").portal.open
    later = book.policy_on(dt.date(2025, 10, 1), "CA").portal
    assert later.open and later.eligible_agencies == "axon_customers"


# --- broken input ----------------------------------------------------------------


@pytest.fixture
def scenarios_dir(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(TIMELINE, folder / "timeline.toml")
    return folder


def _variant(folder: Path, body: str, name: str = "x.toml") -> Path:
    path = folder / name
    path.write_text('extends = "timeline.toml"\n' + body)
    return path


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[set]\n"policy.emergency.grant_probability" = 1.7\n',
         "policy.emergency.grant_probability = 1.7: must be in [0, 1]"),
        ('[set]\n"policy.emergency.grant_probabilty" = 0.5\n',
         "policy.emergency.grant_probabilty: the base scenario has no policy.emergency.grant_probabilty"),
        ('[set]\n"policy.emergency.reviewers" = "two"\n',
         "policy.emergency.reviewers = 'two': must be a whole number, not text"),
        ('[set]\n"legal.court_days" = {kind = "weibull", shape = 2}\n',
         "legal.court_days.kind = 'weibull': unknown distribution kind"),
        ('[set]\n"policy.portal.open" = "yes"\n',
         "policy.portal.open = 'yes': must be true or false, not text"),
        ('[[timeline]]\ndate = 2031-01-01\nlabel = "x"\nset = { "portal.open" = false }\n',
         "timeline[9].date = 2031-01-01: outside the horizon 2018-01-01 to 2026-12-31"),
        ('[[timeline]]\ndate = 2022-01-01\nlabel = "x"\nset = { "portal.opened" = false }\n',
         "timeline[9].set.portal.opened = False: no such policy field"),
        ('[[timeline]]\ndate = 2022-01-01\nlabel = "x"\nstates = ["ZZ"]\nset = { "portal.open" = false }\n',
         "timeline[9].states[0] = 'ZZ': not a US state, DC or territory code"),
        ('[colour]\nx = 1\n', "colour: unknown key in a variant"),
        ('[set]\n"policy.legal.pushback_probability" = {value = 0.5, range = [0.0, 0.3]}\n',
         "policy.legal.pushback_probability = 0.5: must lie in its stated range [0, 0.3]"),
    ],
)
def test_broken_variant_names_file_and_field(scenarios_dir, body, expected):
    path = _variant(scenarios_dir, body)
    with pytest.raises(ScenarioError) as err:
        loader.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
    assert "\n" not in message


def test_syntax_error_and_duplicate_key(scenarios_dir):
    bad = scenarios_dir / "bad.toml"
    bad.write_text('[scenario]\nname = "a"\nname = "b"\n')
    with pytest.raises(ScenarioError, match=r"bad.toml: not valid TOML: Cannot overwrite a value"):
        loader.load(bad)


def test_extends_cycle_missing_and_escape(scenarios_dir, tmp_path):
    a, b = scenarios_dir / "a.toml", scenarios_dir / "b.toml"
    a.write_text('extends = "b.toml"\n')
    b.write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match=r"extends: cycle of extends \(a.toml -> b.toml -> a.toml\)"):
        loader.load(a)
    c = _variant(scenarios_dir, "", "c.toml")
    c.write_text('extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match=r"c.toml: extends = 'nowhere.toml': no such file"):
        loader.load(c)
    (tmp_path / "outside.toml").write_text("")
    c.write_text('extends = "../outside.toml"\n')
    with pytest.raises(ScenarioError, match=r"extends = '../outside.toml': must stay inside scenarios/"):
        loader.load(c)


def test_cli_bad_scenario_is_one_line_exit_2(scenarios_dir, tmp_path):
    path = _variant(scenarios_dir, '[set]\n"policy.emergency.grant_probability" = 1.7\n')
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--reps", "2", "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (f"ringsim: error: {path}: policy.emergency.grant_probability = 1.7: "
                           "must be in [0, 1]\n")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [["--reps", "0"], ["--reps", "x"], ["--seed", "-1"], ["--workers", "0"],
                                  ["--colour"]])
def test_cli_bad_arguments_are_one_line_exit_2(args, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(TIMELINE), *args, "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ringsim: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "o").exists()
