"""`--force` replaces only what ringsim wrote, and only once the new output is whole.

Fault injection: foreign folders (a user's scenarios and notes, a folder without the
mark, a marked folder with one more file, a folder holding an input of the run, the
working folder), and commands interrupted after they started to replace an old report.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from sim.errors import OutputError
from sim.files import MARK, write_folder


def cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = run_cli(*args)
    return status, err.getvalue()


def one_line(status: int, stderr: str, status_expected: int = 2) -> None:
    """The exit status and one error line (after any progress lines a long command printed)."""
    assert status == status_expected, stderr
    errors = [line for line in stderr.splitlines() if not line.startswith("sweep: ")]
    assert len(errors) == 1 and errors[0].startswith("ringsim: error: "), stderr
    assert "Traceback" not in stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


RUN = ("--reps", "1", "--workers", "1", "--uncertainty", "none")


def test_force_refuses_a_folder_of_scenarios_and_notes(library, monkeypatch):
    """The probe's case: `run scen/mine.toml --out scen --force` must not delete scen/."""
    scen = library.parent / "scen"
    scen.mkdir()
    (scen / "mine.toml").write_text((library / "small.toml").read_text().replace('"timeline.toml"', '"timeline"'))
    (scen / "notes.txt").write_text("my notes")
    before = snapshot(scen)
    monkeypatch.chdir(library.parent)
    status, stderr = cli("run", "scen/mine.toml", "--out", "scen", "--force", *RUN)
    one_line(status, stderr)
    assert "which this run needs" in stderr and snapshot(scen) == before


@pytest.mark.parametrize("fault", ["unmarked", "extra_file", "extra_in_subfolder", "input_inside", "damaged_mark",
                                   "a_file", "symlink", "working_folder"])
def test_force_refuses_what_ringsim_did_not_write(tmp_path, monkeypatch, fault):
    out = tmp_path / "out"
    write_folder(out, {"summary.json": "{}", "runs/a/manifest.json": "{}"}, force=False)
    outside = tmp_path / "input.toml"
    outside.write_text("x")
    inputs = []
    if fault == "unmarked":
        (out / MARK).unlink()
    elif fault == "extra_file":
        (out / "notes.txt").write_text("mine")
    elif fault == "extra_in_subfolder":
        (out / "runs" / "a" / "notes.txt").write_text("mine")
    elif fault == "input_inside":
        inputs = [out / "summary.json"]
    elif fault == "damaged_mark":
        (out / MARK).write_text("{not json")
    elif fault == "a_file":
        out.rename(tmp_path / "moved")
        out.write_text("a file of mine")
    elif fault == "symlink":
        out.rename(tmp_path / "real")
        out.symlink_to(tmp_path / "real")
    elif fault == "working_folder":
        (out / "runs").mkdir(exist_ok=True)
        monkeypatch.chdir(out / "runs")
    before = {p: (p.read_bytes() if p.is_file() else None) for p in sorted(tmp_path.rglob("*"))}
    with pytest.raises(OutputError, match="replaces only a folder ringsim wrote"):
        write_folder(out, {"new.txt": "new"}, force=True, inputs=inputs)
    after = {p: (p.read_bytes() if p.is_file() else None) for p in sorted(tmp_path.rglob("*"))}
    assert after == before


def test_force_replaces_a_marked_folder_and_an_older_ringsim_report(tmp_path):
    out = tmp_path / "out"
    write_folder(out, {"a.json": "1", "charts/b.png": b"2"}, force=False)
    write_folder(out, {"c.csv": "3"}, force=True)
    assert snapshot(out) == {".ringsim": snapshot(out)[".ringsim"], "c.csv": b"3"}
    legacy = tmp_path / "legacy"  # written before the mark: ringsim's manifest and only output kinds of file
    legacy.mkdir()
    (legacy / "manifest.json").write_text('{"command": "ringsim run x.toml"}')
    (legacy / "summary.json").write_text("{}")
    write_folder(legacy, {"c.csv": "3"}, force=True)
    assert "c.csv" in snapshot(legacy)
    brief = tmp_path / "brief"  # an older brief: its manifests two levels down
    (brief / "runs" / "timeline").mkdir(parents=True)
    (brief / "runs" / "timeline" / "manifest.json").write_text('{"command": "ringsim brief"}')
    (brief / "brief.html").write_text("<html>")
    write_folder(brief, {"brief.html": "<html>new"}, force=True)
    assert snapshot(brief)["brief.html"] == b"<html>new"
    (legacy / "mine.toml").write_text("x")
    (legacy / MARK).unlink()
    (legacy / "manifest.json").write_text('{"command": "ringsim run x.toml"}')
    with pytest.raises(OutputError, match="mine.toml, which ringsim did not write"):
        write_folder(legacy, {"c.csv": "3"}, force=True)


@pytest.mark.parametrize("command", ["run", "compare", "calibrate"])
def test_an_interrupted_force_leaves_the_old_output_whole(library, tmp_path, monkeypatch, command):
    from sim.cli import runs

    out = tmp_path / "out"
    small = str(library / "small.toml")
    args = {"run": ["run", small], "compare": ["compare", small, str(library / "small-no-emergency.toml")],
            "calibrate": ["calibrate", small]}[command]
    status, stderr = cli(*args, "--out", str(out), *RUN)
    assert status in (0, 1), stderr  # calibrate says 1 when a target fails
    before = snapshot(out)

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runs, "simulate", interrupted)
    monkeypatch.setattr("sim.experiments.compare.compare_scenarios", interrupted)
    status, stderr = cli(*args, "--out", str(out), "--force", *RUN)
    one_line(status, stderr, 130)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_interrupted_sweep_force_keeps_the_report_it_would_replace(library, tmp_path, monkeypatch):
    from sim.experiments import sweep

    out = tmp_path / "out"
    small = str(library / "small.toml")
    assert cli("run", small, "--out", str(out), *RUN)[0] == 0
    before = snapshot(out)
    original, calls = sweep.run_checked, []

    def second_point_interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(sweep, "run_checked", second_point_interrupted)
    status, stderr = cli("sweep", small, "--vary", "policy.emergency.grant_probability=0.2:0.8:2", "--out", str(out),
                         "--force", "--reps", "1", "--workers", "1", "--uncertainty", "none")
    one_line(status, stderr, 130)
    assert snapshot(out) == before  # the report is whole; the finished point waits beside it
    assert (sweep.state_path(out) / "points" / "00000.json").is_file()
    monkeypatch.setattr(sweep, "run_checked", original)
    assert cli("sweep", small, "--vary", "policy.emergency.grant_probability=0.2:0.8:2", "--out", str(out),
               "--reps", "1", "--workers", "1", "--uncertainty", "none")[0] == 2  # not a sweep: needs --force
    status, stderr = cli("sweep", small, "--vary", "policy.emergency.grant_probability=0.2:0.8:2", "--out",
                         str(out), "--force", "--reps", "1", "--workers", "1", "--uncertainty", "none")
    assert status == 0, stderr
    assert (out / "sweep.csv").is_file() and not sweep.state_path(out).exists()


def test_a_sweep_into_a_foreign_folder_is_refused_even_with_force(library, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    status, stderr = cli("sweep", str(library / "small.toml"), "--vary", "policy.emergency.grant_probability=0.2:0.8:2",
                         "--out", str(out), "--force", "--reps", "1", "--workers", "1", "--uncertainty", "none")
    one_line(status, stderr)
    assert snapshot(out) == {"notes.txt": b"mine"} and not (tmp_path / ".mine.sweep-resume").exists()


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_a_signalled_sweep_force_leaves_the_old_report(library, tmp_path):
    """The probe's second case, with a real signal, sent once the sweep has begun its points."""
    from sim.experiments.sweep import state_path

    out = tmp_path / "out"
    small = str(library / "small.toml")
    assert cli("run", small, "--out", str(out), *RUN)[0] == 0
    before = snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", small, "--vary",
                             "policy.emergency.grant_probability=0.2:0.8:101", "--out", str(out), "--force",
                             "--reps", "1", "--workers", "1", "--uncertainty", "none"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    points = state_path(out) / "points"
    for _ in range(2400):  # until the first point is kept (or the sweep ends), at most two minutes
        if (points.is_dir() and any(points.glob("*.json"))) or proc.poll() is not None:
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert snapshot(out) == before
    assert os.path.isdir(points)
