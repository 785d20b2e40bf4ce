"""Calibration targets: the shipped file is sound, bad files fail in one line, failing targets fail the command."""

from __future__ import annotations

import pytest
from conftest import ROOT, run_cli

from sim.errors import ScenarioError
from sim.experiments.calibration import load_targets
from sim.model.metrics import NAMES

TARGETS = ROOT / "scenarios" / "calibration" / "targets.toml"
ONE = """
[[target]]
id = "legal-2020"
label = "legal demands, 2020"
metrics = ["legal.demands"]
period = "2020"
value = {value}
kind = "point"
tolerance = 0.1
source_kind = "company"
source = "a test"
note = "a test"
"""


def test_every_shipped_target_names_real_metrics_sources_and_a_reason():
    targets = load_targets(TARGETS)
    assert len(targets) >= 12
    for t in targets:
        assert set(t.metrics) | set(t.per) <= set(NAMES)
        assert t.source and t.note, t.id
        assert 2018 <= int(t.period) <= 2026


@pytest.mark.parametrize(("text", "message"), [
    (ONE.format(value=1900).replace('"point"', '"roughly"'), "target[0].kind = 'roughly': must be one of point"),
    (ONE.format(value=1900).replace('"legal.demands"', '"legal.demandz"'), "unknown metric"),
    (ONE.format(value=1900) + "colour = 3\n", "target[0].colour = 3: unknown key"),
    (ONE.format(value='"many"'), "target[0].value = 'many': must be a number"),
    ("[[target]\n", "not valid TOML"),
])
def test_a_broken_targets_file_fails_in_one_line_naming_the_field(tmp_path, text, message):
    path = tmp_path / "targets.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_targets(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("value", "tolerance", "status"), [(1, 10**6, 0), (10**7, 0.1, 1)])
def test_calibrate_exits_1_when_a_target_fails(library, tmp_path, capsys, value, tolerance, status):
    targets = tmp_path / "targets.toml"
    targets.write_text(ONE.format(value=value).replace("tolerance = 0.1", f"tolerance = {tolerance}"))
    out = tmp_path / "out"
    assert run_cli("calibrate", str(library / "small.toml"), "--reps", "2", "--workers", "1", "--uncertainty", "none",
                   "--targets", str(targets), "--out", str(out)) == status
    printed = capsys.readouterr().out
    assert ("FAIL" in printed) == bool(status)
    assert {"calibration.csv", "calibration.png", "calibration.svg", "run"} <= {p.name for p in out.iterdir()}
