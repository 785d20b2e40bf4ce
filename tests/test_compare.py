"""Comparisons: paired differences are tighter than independent ones; the files are complete."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, run_cli, small
from scipy import stats

from sim.experiments.compare import Comparison
from sim.experiments.runner import simulate_many


def test_pairing_narrows_the_interval_of_a_difference():
    base, variant = small(), small(policy__portal__nudging_language=False, scenario__name="neutral")
    paired = simulate_many([base, variant], replications=20, seed=4)
    comparison = Comparison(base=paired[0], variants=(paired[1],))
    lo, hi = comparison.difference(paired[1], "portal.owners_disclosed")["ci95"]
    paired_width = hi - lo

    other_seed = simulate_many([variant], replications=20, seed=5)[0]
    a = paired[0].column("portal.owners_disclosed")
    b = other_seed.column("portal.owners_disclosed")
    independent = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    independent_width = independent.high - independent.low

    assert paired_width < 0.5 * independent_width, (paired_width, independent_width)
    assert hi < 0  # neutral wording lowers disclosures, and the paired interval says so


def test_an_identical_variant_differs_by_exactly_zero():
    runs = simulate_many([small(), small()], replications=3, seed=1)
    assert np.array_equal(runs[0].tables, runs[1].tables, equal_nan=True)


def test_ringsim_compare_writes_every_file(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("timeline.toml", "national-2020.toml"):
        shutil.copy(ROOT / "scenarios" / name, folder / name)
    (folder / "shut.toml").write_text(
        'extends = "national-2020.toml"\n[scenario]\nname = "shut"\n[set]\n"policy.emergency.open" = false\n')
    out = tmp_path / "cmp"
    proc = subprocess.run([sys.executable, "-m", "sim", "compare", str(folder / "national-2020.toml"),
                           str(folder / "shut.toml"), "--reps", "3", "--seed", "2", "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "shut" in proc.stdout and "emergency" in proc.stdout
    for name in ("national-2020", "shut"):
        for file in ("summary.json", "replications.csv", "manifest.json"):
            assert (out / name / file).exists()
    doc = json.loads((out / "comparison.json").read_text())
    change = doc["variants"]["shut"]["metrics"]["emergency.owners_disclosed"]
    assert change["variant_mean"] == 0 and change["mean"] == -change["base_mean"]
    assert set(doc["variants"]["shut"]["by_period"]) == {"2020"}
    rows = list(csv.DictReader((out / "comparison.csv").open()))
    assert {r["period"] for r in rows} == {"2020", "all"}
    assert {r["variant"] for r in rows} == {"shut"}


def test_results_by_state_sum_to_the_nation_and_a_state_can_be_reported(library, tmp_path, capsys):
    """summary.json's by_state adds up to its national numbers; --state reports one state's change."""

    out = tmp_path / "cmp"
    assert run_cli("compare", str(library / "small.toml"), str(library / "small-no-emergency.toml"), "--reps", "3",
                   "--seed", "2", "--out", str(out), "--state", "IL", "--uncertainty", "none") == 0
    assert "agencies in IL" in capsys.readouterr().out
    summary = json.loads((out / "small" / "summary.json").read_text())
    metric = "total.owners_disclosed_without_consent"
    states = {k: v for k, v in summary["by_state"].items() if k != "note"}
    assert sum(s["all"][metric]["mean"] for s in states.values()) == pytest.approx(summary["metrics"][metric]["mean"])
    rows = [r for r in csv.DictReader((out / "comparison-by-state.csv").open())
            if r["state"] == "IL" and r["period"] == "all" and r["metric"] == metric]
    assert len(rows) == 1 and float(rows[0]["base_mean"]) == pytest.approx(states["IL"]["all"][metric]["mean"])
    assert run_cli("compare", str(library / "small.toml"), str(library / "small-no-emergency.toml"),
                   "--state", "ZZ", "--out", str(tmp_path / "no")) == 2
