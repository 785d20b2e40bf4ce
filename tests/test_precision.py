"""--precision: batches until the headline interval is narrow enough, the same numbers as a fixed run."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, run_cli, small

from sim.errors import UsageError
from sim.experiments.compare import compare_scenarios
from sim.experiments.precision import HEADLINE, Precision
from sim.experiments.runner import simulate


def test_a_precise_run_is_the_fixed_run_of_the_same_size_and_meets_its_rule():
    world = small()
    rule = Precision(0.08, first=3, ceiling=200)
    sequential = simulate(world, 0, 11, precision=rule)
    fixed = simulate(world, sequential.replications, 11)
    assert sequential.precision["reached"] and sequential.replications > 3
    assert np.array_equal(sequential.tables, fixed.tables, equal_nan=True)
    stats = fixed.summary(HEADLINE)
    assert (stats["ci95"][1] - stats["ci95"][0]) <= 0.08 * stats["mean"]


def test_the_ceiling_stops_a_run_that_cannot_get_there_and_says_so():
    rule = Precision(0.001, first=2, ceiling=7)
    result = simulate(small(), 0, 2, precision=rule)
    assert result.replications == 7 and not result.precision["reached"]


def test_a_variant_that_changes_nothing_does_not_hold_a_comparison_back():
    base = small()
    same = small(scenario__name="same")  # identical rules: every paired change is exactly zero
    comparison = compare_scenarios(base, [same], 0, 4, precision=Precision(0.05, first=3, ceiling=50))
    assert comparison.base.replications == 3 and comparison.base.precision["reached"]
    assert comparison.base.precision["relative_width"] == {"same": 0.0}


@pytest.mark.parametrize("relative, first, ceiling", [(1.5, 10, 100), (0.0, 10, 100), (0.05, 1, 100),
                                                      (0.05, 50, 10)])
def test_impossible_rules_are_refused(relative, first, ceiling):
    with pytest.raises(UsageError):
        Precision(relative, first=first, ceiling=ceiling)


def test_the_cli_refuses_a_bad_precision_in_one_line(tmp_path, capsys):
    year = str(ROOT / "scenarios/national-2020.toml")
    status = run_cli("run", year, "--precision", "2", "--out", str(tmp_path / "o"))
    assert status == 2
    assert capsys.readouterr().err == "ringsim: error: --precision 2.0: must be a fraction between 0 and 1, e.g. 0.05\n"
    assert not (tmp_path / "o").exists()
