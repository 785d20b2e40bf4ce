"""Whole runs: the output contract, byte-identical results across worker counts."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, small

from sim import simulate
from sim.model.metrics import NAMES
from sim.report.output import write_run

CONTRACT = ("agencies.enrolled_police", "agencies.enrolled_fire", "portal.requests", "portal.requests_posted",
            "portal.owners_notified", "portal.owners_consented", "portal.requests_with_footage",
            "portal.clips_disclosed", "portal.owners_disclosed", "emergency.requests", "emergency.granted",
            "emergency.disclosures", "emergency.owners_disclosed", "emergency.review_wait_days_mean",
            "legal.demands", "legal.warrants", "legal.subpoenas", "legal.court_orders",
            "legal.demands_with_data", "legal.content_disclosures", "legal.owners_notified", "legal.pushbacks",
            "total.owners_disclosed", "total.owners_disclosed_without_consent", "total.owners_not_told_at_time")


def test_contract_metric_names_exist():
    assert set(CONTRACT) <= set(NAMES)


def test_same_seed_same_bytes_whatever_the_worker_count(tmp_path):
    loaded = small()
    one = simulate(loaded, replications=6, seed=11, workers=1)
    two = simulate(loaded, replications=6, seed=11, workers=2)
    write_run(one, tmp_path / "one", command="test")
    write_run(two, tmp_path / "two", command="test")
    for name in ("summary.json", "replications.csv", "manifest.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    other = simulate(loaded, replications=6, seed=12)
    assert not (other.tables == one.tables).all()


def test_ringsim_run_writes_the_contract(tmp_path):
    out = tmp_path / "run"
    scenario = ROOT / "scenarios" / "national-2020.toml"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "--reps", "3", "--seed", "5",
                           "--out", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "portal" in proc.stdout and "95% CI" in proc.stdout  # the terminal table

    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "national-2020" and summary["seed"] == 5 and summary["replications"] == 3
    assert set(CONTRACT) <= set(summary["metrics"])
    assert list(summary["by_period"]) == ["2020"]
    stats = summary["metrics"]["portal.requests"]
    assert stats["ci95"][0] <= stats["mean"] <= stats["ci95"][1]

    rows = list(csv.DictReader((out / "replications.csv").open()))
    assert [(r["replication"], r["period"]) for r in rows] == [
        (str(i), p) for i in range(3) for p in ("2020", "all")]
    assert set(CONTRACT) <= set(rows[0])

    manifest = json.loads((out / "manifest.json").read_text())
    hashes = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert len(hashes) == 2  # the variant and the timeline it extends
    for path, digest in hashes.items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
    assert manifest["seed"] == 5 and manifest["command"].startswith("ringsim run ")
    assert "numpy" in manifest["dependencies"]
    assert manifest["provenance"]["policy.emergency.grant_probability"]["range"] == [0.3, 0.95]

    again = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "--reps", "3", "--out", str(out)],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "already exists; pass --force" in again.stderr


def test_a_renamed_metric_reads_by_its_old_name_and_every_manifest_lists_it(tmp_path):
    from sim.model.metrics import ALIASES
    from sim.report.output import manifest

    result = simulate(small(), replications=2, seed=1)
    for old, new in ALIASES.items():
        assert old not in NAMES and new in NAMES
        assert result.summary(old) == result.summary(new)
    assert manifest(result, "ringsim run")["metric_aliases"] == ALIASES
