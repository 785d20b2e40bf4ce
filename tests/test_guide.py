"""The classroom guide cannot go stale: every command in it runs, and every claim it makes holds."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shlex

import pytest
from conftest import ROOT, run_cli

GUIDE = ROOT / "sim" / "guides" / "classroom.md"


def guide_commands() -> list[list[str]]:
    """Every `ringsim ...` line inside a ```sh block of the guide."""
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    return [shlex.split(line.strip())[1:] for block in blocks for line in block.splitlines()
            if line.strip().startswith("ringsim ")]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Run the guide's commands as a student would, from a folder holding the scenarios: each
    twice in a row, as a teacher who rehearsed would (the second run must succeed too)."""
    import os

    here = tmp_path_factory.mktemp("class")
    (here / "scenarios").symlink_to(ROOT / "scenarios")
    old = os.getcwd()
    os.chdir(here)
    try:
        statuses = [(args, max(run_cli(*args), run_cli(*args))) for args in guide_commands()]
    finally:
        os.chdir(old)
    return here, statuses


def _changes(folder) -> dict[str, float]:
    rows = csv.DictReader((folder / "comparison.csv").open())
    return {r["metric"]: float(r["difference_mean"]) for r in rows if r["period"] == "all"}


def test_the_guide_has_three_exercises_and_every_command_succeeds(ran):
    assert GUIDE.read_text().count("## Exercise ") == 3
    _, statuses = ran
    assert len(statuses) == 8
    assert [s for _args, s in statuses] == [0] * 8, statuses
    for name in ("portal", "emergency", "e2ee", "e2ee-half"):
        folder = ran[0] / "reports/class" / name
        assert (folder / "chart.png").stat().st_size > 50_000
        assert (folder / "comparison-summary.csv").read_text().startswith("variant,measure,year,before,after")


def test_exercise_1_closing_the_portal(ran):
    change = _changes(ran[0] / "reports/class/portal")
    assert change["portal.owners_disclosed"] < -1000
    assert change["total.owners_disclosed_without_consent"] > 0
    moved = [change[f"substitution.{where}"] for where in ("off_platform", "to_legal", "to_emergency")]
    assert moved == sorted(moved, reverse=True) and moved[-1] > 0
    assert 0 < change["legal.demands"] < change["substitution.to_legal"]
    assert change["legal.escalations_from_portal"] < 0


def test_exercise_1_almost_no_video_leaves_with_consent_after_march():
    from sim.experiments.trace import stories
    from sim.scenario import loader

    closed = loader.load("classroom/portal-closed-2020")
    assert stories(closed, 1, route="portal", n=5, since=dt.date(2020, 3, 2)) == []
    legal = stories(closed, 1, route="legal", n=2, since=dt.date(2020, 3, 2))
    assert len(legal) == 2


def test_exercise_2_notice_after_an_emergency_disclosure(ran):
    change = _changes(ran[0] / "reports/class/emergency")
    assert change["emergency.owners_disclosed"] == 0
    assert -60 < change["total.owners_not_told_at_time"] < -5
    # Who is told: exactly the emergency disclosures stop counting as "not told at the time" (none were before).
    rows = list(csv.DictReader((ran[0] / "reports/class/emergency/comparison.csv").open()))
    variant_emergency = next(float(r["variant_mean"]) for r in rows
                             if r["period"] == "all" and r["metric"] == "emergency.owners_disclosed")
    assert change["total.owners_not_told_at_time"] == pytest.approx(-variant_emergency)


def test_exercise_3_end_to_end_encryption(ran):
    from sim.experiments.trace import stories
    from sim.scenario import loader

    change = _changes(ran[0] / "reports/class/e2ee")
    assert change["emergency.owners_disclosed"] < 0
    assert change["legal.owners_disclosed"] < 0
    # What encryption stops: warrants that reach an encrypted camera hand over no video.
    told = [text for s in stories(loader.load("classroom/e2ee-default-2020"), 1, route="legal", n=4)  # as the guide
            for _when, text in s.lines]
    assert any("encrypted end to end: the company holds the video but cannot read it" in t for t in told)
    # Fewer owners keeping encryption on (--set, no file edited): a smaller fall.
    half = _changes(ran[0] / "reports/class/e2ee-half")
    assert change["legal.owners_disclosed"] < half["legal.owners_disclosed"] < 0
    assert change["portal.owners_disclosed"] < 0


NOTEBOOK = ROOT / "sim" / "guides" / "tutorial.ipynb"


def test_the_tutorial_notebook_runs_in_a_real_kernel_from_another_folder_and_shows_its_chart(tmp_path):
    """As Jupyter runs it: a real kernel (ipykernel, through nbclient), started in the
    notebook's own folder, which holds no scenarios/ (a copy, so the run writes nothing here)."""
    import base64
    import shutil

    import nbclient
    import nbformat

    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    notebook = nbformat.read(copy, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "all without consent" in text
    images = [o["data"]["image/png"] for o in outputs if o.output_type == "display_data" and "image/png" in o["data"]]
    assert images, "the chart did not show inline"
    assert len(base64.b64decode(images[0])) > 10_000
    assert (tmp_path / "reports/tutorial/portal-closed-change.png").stat().st_size > 10_000


PACK = ROOT / "sim" / "guides" / "teacher-pack.md"
KEY_FOLDERS = {"1": "portal", "2": "emergency", "3": "e2ee"}


def test_the_answer_key_is_what_the_guides_commands_give(ran):
    """Every row of the teacher pack's answer key equals the students' CSV of the same command."""
    text = PACK.read_text(encoding="utf-8")
    checked = 0
    for number, section in re.findall(r"### Exercise (\d):.*?\n(.*?)(?=\n### |\n## |\Z)", text, flags=re.S):
        summary = {r["measure"]: r for r in csv.DictReader(
            (ran[0] / "reports/class" / KEY_FOLDERS[number] / "comparison-summary.csv").open())}
        for words, before, after, change in re.findall(r"^\| ((?:owners|of those)[^|]*?) \| ([^|]+) \| ([^|]+) \| "
                                                       r"([^|]+) \|$", section, flags=re.M):
            if before.strip() == "before":
                continue  # the table's header
            row = summary[words]
            assert (row["before"], row["after"], row["change"]) == (before, after, change), (number, words)
            checked += 1
    assert checked >= 10
