"""The classroom guide cannot go stale: every command in it runs, and every claim it makes holds."""

from __future__ import annotations

import csv
import re
import shlex

import pytest
from conftest import ROOT, run_cli

GUIDE = ROOT / "sim" / "guides" / "classroom.md"


def guide_commands() -> list[list[str]]:
    """Every `ringsim ...` line inside a ```sh block of the guide."""
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    return [shlex.split(line)[1:] for block in blocks for line in block.splitlines() if line.startswith("ringsim ")]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Run the guide's commands as a student would, from a folder holding the scenarios."""
    import os

    here = tmp_path_factory.mktemp("class")
    (here / "scenarios").symlink_to(ROOT / "scenarios")
    old = os.getcwd()
    os.chdir(here)
    try:
        statuses = [(args, run_cli(*args)) for args in guide_commands()]
    finally:
        os.chdir(old)
    return here, statuses


def _changes(folder) -> dict[str, float]:
    rows = csv.DictReader((folder / "comparison.csv").open())
    return {r["metric"]: float(r["difference_mean"]) for r in rows if r["period"] == "all"}


def test_the_guide_has_three_exercises_and_every_command_succeeds(ran):
    assert GUIDE.read_text().count("## Exercise ") == 3
    _, statuses = ran
    assert len(statuses) == 6
    assert [s for _args, s in statuses] == [0] * 6, statuses


def test_exercise_1_closing_the_portal(ran):
    change = _changes(ran[0] / "reports/class/portal")
    assert change["portal.owners_disclosed"] < -1000
    assert change["total.owners_disclosed_without_consent"] > 0
    moved = [change[f"substitution.{where}"] for where in ("off_platform", "to_legal", "to_emergency")]
    assert moved == sorted(moved, reverse=True) and moved[-1] > 0
    assert 0 < change["legal.demands"] < change["substitution.to_legal"]
    assert change["legal.escalations_from_portal"] < 0


def test_exercise_2_notice_after_an_emergency_disclosure(ran):
    change = _changes(ran[0] / "reports/class/emergency")
    assert change["emergency.owners_disclosed"] == 0
    assert -60 < change["total.owners_never_notified"] < -5


def test_exercise_3_end_to_end_encryption(ran):
    change = _changes(ran[0] / "reports/class/e2ee")
    assert change["emergency.owners_disclosed"] < 0
    assert change["legal.owners_disclosed"] < 0
    assert change["portal.owners_disclosed"] < 0


NOTEBOOK = ROOT / "sim" / "guides" / "tutorial.ipynb"


def test_the_tutorial_notebook_runs_top_to_bottom_and_draws_its_chart(tmp_path, monkeypatch, capsys):
    """Executed as a script, cell by cell, in one namespace: what Jupyter would do, minus the kernel."""
    import json

    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code and not any(line.lstrip().startswith(("%", "!")) for cell in code for line in cell.splitlines())
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, source in enumerate(code):
        exec(compile(source, f"{NOTEBOOK.name}[{i}]", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "reports/tutorial/portal-closed-change.png").stat().st_size > 10_000
    assert "all without consent" in capsys.readouterr().out
