"""Hostile use: kills, signals, odd files, odd folders and generated junk trees.

The promise under test: every bad input gives exit status 2 and exactly one line
(`ringsim: error: ...`), never a traceback; nothing is written outside the output
folder, nothing half-written is left, and no worker process outlives its run.
Per-file scenario breakage lives in tests/broken_scenarios/ (one file per case).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomli_w
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.files import write_folder
from sim.scenario import loader

TIMELINE = str(ROOT / "scenarios" / "timeline.toml")


def cli(*args: str) -> tuple[int, str]:
    """Run `ringsim ARGS` here; return (exit status, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = run_cli(*args)
    return status, err.getvalue()


def one_line_error(status: int, stderr: str) -> None:
    assert status == 2, stderr
    assert stderr.startswith("ringsim: error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr


def variant(folder: Path, body: str, name: str = "v.toml") -> Path:
    path = folder / name
    path.write_text('extends = "national-2020"\n' + body, encoding="utf-8")
    return path


# --- names, paths and folders --------------------------------------------------------


@pytest.mark.parametrize("name", ["/abs/x", "../../x", "", "a/b", ".hidden", "x\ny"])
def test_a_name_that_is_a_path_is_refused_and_nothing_is_written(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "keep.txt").write_text("a brief")
    path = variant(tmp_path, f"[scenario]\nname = {tomli_w.dumps({'n': name})[4:]}")
    one_line_error(*cli("run", str(path), "--reps", "1", "--uncertainty", "none", "--force"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "v.toml"]
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["keep.txt"]


def test_library_names_work_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = variant(tmp_path, '[scenario]\nname = "mine"\n[set]\n"policy.emergency.notify_owner" = true\n')
    loaded = loader.load(path)
    assert loaded.name == "mine" and loaded.files[1][0].endswith("national-2020.toml")
    (tmp_path / "w.toml").write_text('extends = "nope"\n')
    with pytest.raises(ScenarioError, match="no such scenario in the library"):
        loader.load(tmp_path / "w.toml")


def test_special_files_are_refused_in_one_line(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "loop2.toml")
    (tmp_path / "loop2.toml").symlink_to(loop)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    for path, message in ((fifo, "not a regular file"), (Path("/dev/zero"), "not a regular file"),
                          (loop, "cannot read"), (folder, "is a folder")):
        status, stderr = cli("run", str(path), "--reps", "1", "--out", str(tmp_path / "o"))
        one_line_error(status, stderr)
        assert message in stderr
    fifo_base = tmp_path / "scenarios"
    fifo_base.mkdir()
    os.mkfifo(fifo_base / "base.toml")
    (fifo_base / "v.toml").write_text('extends = "base.toml"\n')
    with pytest.raises(ScenarioError, match="not a regular file"):
        loader.load(fifo_base / "v.toml")


def test_one_bad_file_does_not_break_the_listing(tmp_path):
    (tmp_path / "deep.toml").write_text("a = " + "[" * 3000 + "]" * 3000)
    (tmp_path / "good.toml").write_text('extends = "national-2020"\n[scenario]\nname = "good"\n')
    status, _ = cli("scenarios", "list", "--dir", str(tmp_path))
    assert status == 0
    one_line_error(*cli("scenarios", "list", "--dir", str(tmp_path / "nowhere")))


def test_output_under_a_file_is_refused_before_running(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    status, stderr = cli("run", TIMELINE, "--reps", "1", "--out", str(blocker / "out"), "--uncertainty", "none")
    one_line_error(status, stderr)
    assert "is not a folder" in stderr


def test_force_onto_a_file_refuses_it_and_keeps_it(tmp_path):
    from sim.errors import OutputError

    target = tmp_path / "f"
    target.write_text("old")
    with pytest.raises(OutputError, match="not a folder ringsim wrote"):
        write_folder(target, {"a.txt": "new"}, force=True)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_staging_of_a_killed_run_is_removed_and_a_live_ones_kept(tmp_path):
    dead = tmp_path / ".out.staging-999999999.abcd"  # no such process
    dead.mkdir()
    live = tmp_path / f".out.staging-{os.getppid()}.efgh"
    live.mkdir()
    write_folder(tmp_path / "out", {"a.txt": "1"}, force=False)
    assert not dead.exists() and live.exists()


def test_defaults_come_from_the_package_in_any_folder(tmp_path):
    code = ("from sim.experiments.calibration import DEFAULT_TARGETS as t; "
            "from sim.experiments.uncertainty import DEFAULT_POSTERIOR as p; print(t.is_file(), p.is_file())")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.stdout.split() == ["True", "True"], done.stderr


@pytest.mark.parametrize("vary", ["policy.emergency.reviewers=nan:3", "policy.emergency.reviewers=1:inf"])
def test_sweep_refuses_non_finite_ranges(tmp_path, vary):
    status, stderr = cli("sweep", TIMELINE, "--vary", vary, "--out", str(tmp_path / "s"))
    one_line_error(status, stderr)
    assert "finite" in stderr


def test_ctrl_c_says_so_in_one_line(tmp_path, monkeypatch):
    from sim.cli import runs

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runs, "simulate", interrupted)
    status, stderr = cli("run", TIMELINE, "--reps", "1", "--out", str(tmp_path / "o"), "--uncertainty", "none")
    assert status == 130 and stderr.startswith("ringsim: error: interrupted;") and stderr.count("\n") == 1
    assert not any(tmp_path.iterdir())


# --- signals -------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_run(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run", TIMELINE, "--reps", "40", "--workers", "2",
                             "--out", str(tmp_path / "out"), "--uncertainty", "none"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # wait (up to a minute) until both workers exist
        workers = _children(proc.pid)
        if len(workers) >= 2:
            return proc, workers
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the run never started its workers")


def _gone(pids: list[int], seconds: float = 30) -> bool:
    for _ in range(int(seconds * 10)):
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_sigterm_stops_the_workers_and_leaves_nothing(tmp_path):
    proc, workers = _start_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.startswith("ringsim: error: interrupted;"), err
    assert _gone(workers), "a worker outlived its run"
    assert not [p.name for p in tmp_path.iterdir()], "staging or output left behind"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_workers_exit_when_their_parent_is_killed_outright(tmp_path):
    proc, workers = _start_run(tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    assert _gone(workers), "a worker outlived a SIGKILLed parent"


# --- generated junk trees --------------------------------------------------------------

SECTIONS = ["scenario", "set", "timeline", "population", "policy", "extends", "investigations"]
PATHS = ["policy.emergency.grant_probability", "legal.owners_per_warrant", "emergency.review_days",
         "population.state_population.CA", "legal.process_mix", "investigations.imminent_types",
         "population.owners.retention_choice_days", "investigations.rate_per_agency_year", "scenario.name"]
leaf = (st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=300) | st.sampled_from(["fixed", "lognormal", "uniform", "empirical", "../x", "\n"]))


def deep(depth: int):
    node = {"x": 1}
    for _ in range(depth):
        node = {"x": node}
    return node


tree_values = st.recursive(
    leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["kind", "value", "median", "sigma", "mean", "low", "high", "values", "weights", "points",
                         "range", "note", "share", "x"]) | st.text(max_size=8), inner, max_size=4),
    max_leaves=12) | st.integers(33, 80).map(deep)
junk_tree = st.fixed_dictionaries(
    {"set": st.dictionaries(st.sampled_from(PATHS) | st.text(max_size=20), tree_values, min_size=1, max_size=3)},
    optional={"scenario": st.dictionaries(st.sampled_from(["name", "start", "end", "title"]), tree_values,
                                          max_size=2),
              "timeline": st.lists(st.dictionaries(st.sampled_from(["date", "label", "set", "states"]), tree_values,
                                                   max_size=4), max_size=2),
              "extra": tree_values})


def _junk_run(tmp_path_factory, tree: dict) -> None:
    folder = tmp_path_factory.mktemp("junk")
    try:
        text = tomli_w.dumps({k: v for k, v in tree.items() if v is not None and k != "extra"} |
                             ({"extra": tree["extra"]} if isinstance(tree.get("extra"), dict) else {}))
    except (TypeError, ValueError, RecursionError):
        return  # not expressible as TOML
    path = folder / "junk.toml"
    path.write_text('extends = "national-2020"\n' + text, encoding="utf-8")
    out = folder / "out"
    try:
        loader.load(path)
    except ScenarioError:
        status, stderr = cli("run", str(path), "--reps", "1", "--out", str(out), "--uncertainty", "none")
        one_line_error(status, stderr)
        assert not out.exists() and [p.name for p in folder.iterdir()] == ["junk.toml"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=junk_tree)
def test_junk_trees_fail_in_one_line_and_write_nothing(tmp_path_factory, tree):
    _junk_run(tmp_path_factory, tree)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=junk_tree)
def test_many_junk_trees_fail_in_one_line_and_write_nothing(tmp_path_factory, tree):
    _junk_run(tmp_path_factory, tree)


# --- sweeps that were killed or typed differently ---------------------------------------


def test_a_sweep_resumes_however_its_scenario_was_typed_and_from_a_bare_folder(library, tmp_path, monkeypatch):
    from sim.experiments import sweep

    varies = [sweep.parse_vary("policy.emergency.grant_probability=0.2:0.8:2")]
    out = tmp_path / "s"
    out.mkdir()  # an empty folder is as good as none
    first = sweep.run(loader.load(library / "small.toml"), varies, False, 2, 3, out, "emergency.disclosures")
    monkeypatch.chdir(library)
    calls = []
    again = sweep.run(loader.load("small.toml"), varies, False, 2, 3, out, "emergency.disclosures",
                      on_point=calls.append)  # relative this time: the same sweep, resumed
    assert again == first and len(calls) == len(first)
    killed = tmp_path / "killed"  # killed right after its resume folder appeared: sweep.json is already inside
    sweep._prepare(killed, {"x": 1}, force=False, inputs=[])
    assert sorted(p.name for p in sweep.state_path(killed).iterdir()) == ["points", "sweep.json"]
    assert not killed.exists()
    sweep._prepare(killed, {"x": 1}, force=False, inputs=[])  # resumes, no "exists and is not a sweep"
