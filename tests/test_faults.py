"""One regression test per failure class of the second hostile probe (issue 28).

Special files, the environment, numeric options, the scheduler, the README's sweep,
zero-width ranges, posterior draws outside their ranges, effects, targets, a variant
with other states, a brief where nothing happens, text that libraries interpret, share links.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, TIMELINE, run_cli

from sim.errors import ScenarioError, UsageError
from sim.scenario import loader


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        status = run_cli(*args)
    return status, out.getvalue(), err.getvalue()


def one_line(status: int, stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if not line.startswith(("ringsim: note:", "sweep: ", "brief: "))]
    assert status == 2 and len(lines) == 1 and lines[0].startswith("ringsim: error: "), stderr
    assert "Traceback" not in stderr and all(w in lines[0] for w in words), stderr


def small_variant(library: Path, name: str, body: str = "", info: str = "") -> Path:
    """A variant of the small world: `info` goes under [scenario], `body` after it."""
    path = library / f"{name}.toml"
    path.write_text(f'extends = "small.toml"\n[scenario]\nname = "{name}"\n{info}' + body, encoding="utf-8")
    return path


NONE = ("--uncertainty", "none", "--workers", "1")


# --- special files -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev_zero"])
def test_special_files_as_targets_are_one_line(library, tmp_path, kind):
    targets = {"fifo": tmp_path / "t.toml", "folder": tmp_path / "dir", "dev_zero": Path("/dev/zero")}[kind]
    if kind == "fifo":
        os.mkfifo(targets)
    elif kind == "folder":
        targets.mkdir()
    status, _out, err = cli("calibrate", str(library / "small.toml"), "--reps", "1", "--targets", str(targets),
                            "--out", str(tmp_path / "o"), *NONE)
    one_line(status, err, str(targets))
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_special_posterior_file_is_one_line(library, tmp_path, monkeypatch, kind):
    posterior = tmp_path / "posterior.toml"
    os.mkfifo(posterior) if kind == "fifo" else posterior.mkdir()
    monkeypatch.setattr("sim.experiments.uncertainty.DEFAULT_POSTERIOR", posterior)
    status, _out, err = cli("run", str(library / "small.toml"), "--reps", "1", "--out", str(tmp_path / "o"))
    one_line(status, err, "not a posterior file")


# --- the environment ---------------------------------------------------------------


def _ringsim(args: list[str], cwd, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}
    return subprocess.run([sys.executable, "-c", "import sys; from sim.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300, **kwargs)


def test_a_deleted_working_folder_is_one_line(library, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    script = (f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); sys.argv[1:] = "
              f"['run', {str(library / 'small.toml')!r}, '--reps', '1', '--out', 'o']; "
              "from sim.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and done.stderr.startswith("ringsim: error: the working folder"), done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_device_is_one_line(library, tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "sim", "scenarios", "list"], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 2 and done.stderr == ("ringsim: error: cannot write the terminal output (No space left "
                                                    "on device)\n"), done.stderr


def test_an_ascii_terminal_gets_escaped_characters(library, tmp_path):
    done = _ringsim(["run", str(library / "small.toml"), "--reps", "1", "--out", str(tmp_path / "o"), *NONE],
                    tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "\\u2013" in done.stdout and "Traceback" not in done.stderr


def test_an_output_name_too_long_is_one_line(library, tmp_path):
    status, _out, err = cli("run", str(library / "small.toml"), "--reps", "1", "--out", str(tmp_path / ("x" * 300)),
                            *NONE)
    one_line(status, err, "at most 200 bytes")
    assert not any(tmp_path.iterdir())


# --- numeric options and the scheduler ----------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["sensitivity", "--year", "0"], "--year 0"), (["sensitivity", "--year", "1850"], "--year 1850"),
    (["sensitivity", "--points", "2000000000"], "--points"), (["run", "timeline", "--in-flight", "0"], "--in-flight"),
    (["run", "timeline", "--in-flight", "99999999999"], "--in-flight"), (["run", "timeline", "--reps", "0"], "--reps"),
    (["run", "timeline", "--seed", "-1"], "--seed"), (["run", "timeline", "--workers", "100000"], "--workers"),
    (["run", "timeline", "--precision", "nan"], "--precision"), (["trace", "timeline", "--n", "0"], "--n"),
    (["app", "--port", "70000"], "--port"), (["run", "timeline", "--max-reps", "0", "--precision", "0.1"],
                                             "--max-reps"),
])
def test_every_numeric_option_is_bounded(tmp_path, args, words):
    status, _out, err = cli(*args, "--out", str(tmp_path / "o")) if args[0] != "app" else cli(*args)
    if status == 2 and "No such option: --out" in err:
        status, _out, err = cli(*args)
    one_line(status, err, words)


def test_a_scheduler_that_is_not_an_address_is_one_line_at_once(library, tmp_path):
    status, _out, err = cli("run", str(library / "small.toml"), "--reps", "1", "--scheduler", "not a url",
                            "--out", str(tmp_path / "o"))
    one_line(status, err, "not an address")


def test_a_server_that_is_not_dask_is_refused_when_the_timeout_runs_out(library, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("sim.experiments.cluster.CONNECT_SECONDS", 1)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held = []
    threading.Thread(target=lambda: held.append(server.accept()), daemon=True).start()
    try:
        status, _out, err = cli("run", str(library / "small.toml"), "--reps", "1", "--scheduler",
                                f"tcp://127.0.0.1:{server.getsockname()[1]}", "--out", str(tmp_path / "o"))
    finally:
        server.close()
    one_line(status, err, "cannot connect")
    assert not (tmp_path / "o").exists()


# --- valid input refused -------------------------------------------------------------


def test_the_readme_sweep_builds_every_point():
    """`ringsim sweep scenarios/timeline.toml --reps 20`: every declared unknown at both ends loads."""
    from sim.experiments import sweep

    base = loader.load(TIMELINE)
    varies = sweep.declared_unknowns(base)
    notes: list[str] = []
    for point in sweep.plan(varies, False)[1:]:
        loader.load(TIMELINE, overrides=sweep.overrides_for(base, point, notes))
    assert any("routes.public_post_use_share" in n and "clipped to [0, 1]" in n for n in notes)


def test_a_zero_width_range_draws_its_one_value(library, tmp_path):
    from sim.scenario.unknowns import Unknown

    assert np.all(Unknown("x", 0.5, 0.5, "triangular", 0.5, "number").ppf(np.array([0.0, 0.3, 0.99])) == 0.5)
    path = small_variant(library, "zero", '[set]\n"policy.emergency.grant_probability" = '
                                          '{ value = 0.5, range = [0.5, 0.5], note = "fixed" }\n')
    status, _out, err = cli("run", str(path), "--reps", "2", "--workers", "1", "--uncertainty", "posterior",
                            "--out", str(tmp_path / "o"))
    assert status == 0, err


def test_posterior_draws_outside_a_range_blame_the_posterior(library):
    from sim.experiments.checks import check_draws
    from sim.experiments.uncertainty import Draws, Posterior
    from sim.scenario.unknowns import unknowns

    loaded = loader.load(library / "small.toml")
    found = unknowns(loaded)
    draws = np.array([[u.value for u in found]] * 3)
    draws[1, 0] = found[0].high + 1
    posterior = Posterior("post.toml", "0" * 64, "x", "0" * 64, tuple(u.path for u in found), draws, {})
    plan = Draws("posterior", tuple(found), tuple(range(len(found))), posterior)
    with pytest.raises(ScenarioError, match=r"^post\.toml: draws\." + found[0].path.replace(".", r"\.")):
        check_draws([plan])


# --- silent acceptances ---------------------------------------------------------------


def test_a_bogus_effect_is_refused_by_run_and_validate(library, tmp_path):
    path = small_variant(library, "bogus", info='effects = ["emergency.bogus"]\n')
    for args in (["run", str(path), "--reps", "1", "--out", str(tmp_path / "o"), *NONE],
                 ["scenarios", "validate", str(path)]):
        status, _out, err = cli(*args)
        one_line(status, err, "scenario.effects[0] = 'emergency.bogus': not a metric")


@pytest.mark.parametrize("line, words", [("value = inf", "must be a finite number above 0"),
                                         ("value = nan", "must be a finite number above 0"),
                                         ("value = 0", "must be a finite number above 0"),
                                         ("metrics = []", "must name at least one metric")])
def test_a_target_must_be_finite_and_name_a_metric(tmp_path, line, words):
    from sim.experiments.calibration import DEFAULT_TARGETS, load_targets

    text = DEFAULT_TARGETS.read_text(encoding="utf-8")
    key = line.split(" =")[0]
    lines = text.split("\n")
    first = next(i for i, t in enumerate(lines) if t.startswith(f"{key} ="))
    lines[first] = line
    path = tmp_path / "targets.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ScenarioError, match=words):
        load_targets(path)


def test_a_variant_with_other_states_is_refused_before_running(library, tmp_path):
    states = '{ IL = 12812508, CA = 39538223, UT = 3271616 }'  # UT: the base's timeline binds it
    path = small_variant(library, "few", f'[set]\n"population.state_population" = {states}\n')
    status, _out, err = cli("compare", str(library / "small.toml"), str(path), "--reps", "1", *NONE,
                            "--out", str(tmp_path / "o"))
    one_line(status, err, "other states than the base's")


def test_a_same_day_override_by_a_variant_is_printed(library, tmp_path):
    path = small_variant(library, "override", '[[timeline]]\ndate = 2021-06-07\nlabel = "no public posts"\n'
                                              'set = { "portal.mode" = "email" }\n')
    status, _out, err = cli("run", str(path), "--reps", "1", "--out", str(tmp_path / "o"), *NONE)
    assert status == 0, err
    assert "ringsim: note: " in err and "overrides timeline[" in err and "portal.mode = 'email'" in err


def test_a_brief_in_which_nothing_happens_is_written(library, tmp_path):
    path = small_variant(library, "quiet", '[set]\n"investigations.rate_per_agency_year" = 0.0\n'
                                           '"investigations.imminent_rate_per_agency_year" = 0.0\n')
    status, _out, err = cli("brief", str(path), "--reps", "2", "--out", str(tmp_path / "b"), *NONE)
    assert status == 0, err
    assert (tmp_path / "b" / "brief.pdf").is_file()


def test_titles_that_rich_and_matplotlib_interpret_are_shown_as_written(library, tmp_path):
    title = r"Law [/bold] closes $5 to $10 A $\frac{$ law"
    path = small_variant(library, "marked", info=f"title = '{title}'\n")
    assert loader.load(path).scenario.scenario.title == title
    for args in (["run", str(path), "--reps", "1", "--out", str(tmp_path / "o"), *NONE],
                 ["scenarios", "show", str(path)], ["scenarios", "list", "--dir", str(library)],
                 ["scenarios", "diff", str(library / "small.toml"), str(path)]):
        status, out, err = cli(*args)
        assert status == 0, err
    from sim.report.charts import figure, render

    fig, _ax = figure()
    chart = render(fig, "t", title, "source", "d", ["a"], [[1]])
    assert b"$5 to $10" in chart.svg


def test_share_links_take_ascii_digits_only():
    from sim.web.whatif import from_query

    for query in ("seed=1_0", "seed=\u0661\u0662", "reps=\u0661\u0660", "horizon=\u0662\u0660\u0662\u0660"):
        with pytest.raises(UsageError, match="ASCII digits|horizon"):
            from_query(query)
