"""Sweeps: CRN across points, resumable after an interruption, clear errors for bad --vary."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from sim.errors import OutputError, UsageError
from sim.experiments import sweep
from sim.scenario import loader

VARY = ["policy.emergency.grant_probability=0.2:0.8:3", "population.owners.consent_probability=0.04:0.12:2"]


def _run(library, out, on_point=None, **kwargs):
    varies = [sweep.parse_vary(v) for v in VARY]
    return sweep.run(loader.load(library / "small.toml"), varies, False, 3, 4, out,
                     "total.owners_disclosed_without_consent", workers=1, on_point=on_point, **kwargs)


def test_an_interrupted_sweep_resumes_without_recomputing_and_ends_identical(library, tmp_path, monkeypatch):
    whole = _run(library, tmp_path / "whole")

    class Stop(Exception):
        pass

    seen = []

    def stop_after_three(point):
        seen.append(point.index)
        if len(seen) == 3:
            raise Stop

    with pytest.raises(Stop):
        _run(library, tmp_path / "cut", on_point=stop_after_three)
    assert not (tmp_path / "cut").exists()  # the report appears only when whole
    resume = sweep.state_path(tmp_path / "cut")
    assert sorted(p.name for p in (resume / "points").iterdir()) == ["00000.json", "00001.json", "00002.json"]
    calls = []
    original = sweep.run_checked
    monkeypatch.setattr(sweep, "run_checked", lambda *a, **k: calls.append(1) or original(*a, **k))
    resumed = _run(library, tmp_path / "cut")
    assert len(calls) == len(whole) - 3  # finished points are read back, not recomputed
    assert json.dumps(resumed) == json.dumps(whole)
    assert not resume.exists() and (tmp_path / "cut" / "points" / "00000.json").is_file()
    calls.clear()
    assert json.dumps(_run(library, tmp_path / "cut")) == json.dumps(whole)  # a finished sweep lends its points
    assert not calls


def test_points_share_replication_seeds_so_the_base_point_repeats_exactly(library, tmp_path):
    records = _run(library, tmp_path / "s")
    again = _run(library, tmp_path / "t")
    assert records[0]["replications"] == again[0]["replications"]
    # grant probability at its middle value (0.5) vs the scenario's own 0.6: paired change is small but real
    labels = [r["label"] for r in records]
    assert labels[0] == "base" and labels[1] == "policy.emergency.grant_probability = 0.2"


def test_a_folder_with_another_sweep_is_refused(library, tmp_path):
    _run(library, tmp_path / "s")
    with pytest.raises(OutputError, match="other arguments"):
        sweep.run(loader.load(library / "small.toml"), [sweep.parse_vary(VARY[0])], False, 3, 4, tmp_path / "s",
                  "total.owners_disclosed_without_consent", workers=1)


@pytest.mark.parametrize(("text", "message"), [
    ("policy.emergency.grant_probability", r"expected PATH=LOW:HIGH\[:STEPS\]"),
    ("policy.emergency.grant_probability=a:b", "LOW and HIGH must be numbers"),
    ("policy.emergency.grant_probability=0:1:1", "STEPS must be between 2 and 101"),
])
def test_bad_vary_is_one_line(text, message):
    with pytest.raises(UsageError, match=message):
        sweep.parse_vary(text)


def test_the_cli_sweep_writes_its_charts_and_checks_values(library, tmp_path, capsys):
    out = tmp_path / "cli"
    assert run_cli("sweep", str(library / "small.toml"), "--vary", VARY[0], "--reps", "2", "--workers", "1",
                   "--out", str(out)) == 0
    assert {"sweep.csv", "sweep.json", "tornado.png", "tornado.csv", "line_01.png"} <= {p.name for p in out.iterdir()}
    status = run_cli("sweep", str(library / "small.toml"), "--vary", "policy.emergency.grant_probability=0.2:1.7:2",
                     "--reps", "2", "--workers", "1", "--out", str(tmp_path / "bad"))
    err = capsys.readouterr().err
    assert status == 2 and "grant_probability = 1.7: must be in [0, 1]" in err
    assert not (tmp_path / "bad").exists()
    assert run_cli("sweep", str(library / "small.toml"), "--vary", "policy.emergency.no_such=0:1", "--reps", "2",
                   "--out", str(tmp_path / "bad")) == 2
    assert "no such parameter" in capsys.readouterr().err
