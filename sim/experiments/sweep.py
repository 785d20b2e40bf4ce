"""Sensitivity sweeps over the unknowns: one at a time or on a grid, resumable, with common random numbers.

A sweep is a plan of points, each a set of dotted-path overrides of one scenario; point
0 is the scenario itself. Every point runs the same replication seeds (common random
numbers), so the difference between two points is the parameter's effect, not noise.
Each finished point is written at once (to a temporary name, then renamed) into a
hidden resume folder beside the output (`.NAME.sweep-resume`), so a sweep that is
interrupted and started again with the same arguments skips what is done and never
leaves a half-written file. The output folder is replaced only when the sweep is whole:
an interrupted sweep, `--force` or not, leaves the previous report as it was.

Without `--vary`, every parameter that carries a `range` in the scenario is swept to
the two ends of its range: the tornado of the scenario's declared unknowns. A trend
(a value that changes over time) is scaled as a whole so that the mean of its points
equals the swept value, keeping its shape (`sim.scenario.unknowns`).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path

import attrs
import numpy as np

from sim.errors import OutputError, UsageError
from sim.experiments.runner import check_run_size, run_checked
from sim.experiments.stats import paired_difference
from sim.experiments.uncertainty import Draws, resolve_mode
from sim.experiments.workers import worker_pool
from sim.files import MARK, check_writable, mark, read_regular, replace_with, write_atomic
from sim.formatting import dump_json
from sim.model.metrics import INDEX, NAMES
from sim.scenario import loader, paths
from sim.scenario.unknowns import trend_at_level, unknowns
from sim.scenario.validators import field_bounds

VARY = re.compile(r"^(?P<path>[A-Za-z_][\w.]*)=(?P<low>[^:]+):(?P<high>[^:]+)(?::(?P<steps>\d+))?$")
MAX_POINTS = 10_000


@attrs.frozen(slots=True)
class Vary:
    """One swept parameter: a dotted path and LOW:HIGH in STEPS evenly spaced values."""

    path: str
    low: float
    high: float
    steps: int = 5

    def values(self) -> list[float]:
        return np.linspace(self.low, self.high, self.steps).tolist()

    def text(self) -> str:
        return f"{self.path}={self.low:g}:{self.high:g}:{self.steps}"


def parse_vary(text: str) -> Vary:
    """`PATH=LOW:HIGH[:STEPS]` -> Vary, or a one-line UsageError."""
    match = VARY.match(text.strip())
    if not match:
        raise UsageError(f"--vary {text}: expected PATH=LOW:HIGH[:STEPS], "
                         "e.g. policy.emergency.grant_probability=0.3:0.9:5")
    try:
        low, high = float(match["low"]), float(match["high"])
    except ValueError:
        raise UsageError(f"--vary {text}: LOW and HIGH must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise UsageError(f"--vary {text}: LOW and HIGH must be finite numbers")
    steps = int(match["steps"] or 5)
    if not 2 <= steps <= 101:
        raise UsageError(f"--vary {text}: STEPS must be between 2 and 101")
    return Vary(match["path"], low, high, steps)


def declared_unknowns(base: loader.LoadedScenario) -> list[Vary]:
    """Every parameter with a `range` in the scenario, swept to the two ends of its range."""
    return [Vary(u.path, u.low, u.high, 2) for u in unknowns(base)]


@attrs.frozen(slots=True)
class Point:
    index: int
    settings: tuple[tuple[str, float], ...]  # (path, swept value); empty for the base

    def label(self) -> str:
        return "base" if not self.settings else ", ".join(f"{p} = {v:g}" for p, v in self.settings)


def plan(varies: list[Vary], grid: bool) -> list[Point]:
    """Point 0 is the base; then one at a time (each path over its values) or the full grid."""
    points = [Point(0, ())]
    if grid:
        combos = itertools.product(*[[(v.path, x) for x in v.values()] for v in varies])
        points += [Point(i + 1, tuple(c)) for i, c in enumerate(combos)]
    else:
        settings = [(v.path, x) for v in varies for x in v.values()]
        points += [Point(i + 1, (setting,)) for i, setting in enumerate(settings)]
    if len(points) > MAX_POINTS:
        raise UsageError(f"the sweep has {len(points):,} points; at most {MAX_POINTS:,} (fewer --vary or STEPS)")
    return points


def overrides_for(base: loader.LoadedScenario, point: Point, notes: list[str] | None = None) -> dict:
    """The loader overrides that realise a point: numbers as given, whole numbers rounded, trends scaled.

    A trend scaled to a level keeps its points inside its field's bounds: a point that
    would leave them is clipped to them, and a line saying so goes to `notes`.
    """
    out = {}
    for path, value in point.settings:
        current = paths.lookup(base.resolved, path, leaves_only=False)
        if current is None:
            raise UsageError(f"--vary {path}: {base.path} has no such parameter")
        if isinstance(current, dict) and "points" in current:
            bounds = field_bounds(path)
            out[path] = trend_at_level(current["points"], value, bounds=bounds)
            if bounds is not None and out[path] != trend_at_level(current["points"], value):
                mean = float(np.mean([v for _d, v in out[path]["points"]]))
                if notes is not None:
                    notes.append(f"{path} at level {value:g}: points clipped to [{bounds[0]:g}, {bounds[1]:g}], "
                                 f"so their mean is {mean:.4g}")
        elif isinstance(current, bool) or not isinstance(current, (int, float)):
            raise UsageError(f"--vary {path}: {current!r} is not a number, so it cannot be swept")
        elif isinstance(current, int):
            out[path] = int(round(value))
        else:
            out[path] = float(value)
    return out


def identity(base: loader.LoadedScenario, varies, grid, reps, seed, metric) -> dict:
    """What must match for a restarted sweep to reuse finished points.

    The scenario counts by its files' contents, not by how its path was typed (relative
    or absolute, from another folder).
    """
    return {"scenario": base.name, "files": [f[1] for f in base.files], "vary": [v.text() for v in varies],
            "grid": grid, "replications": reps, "seed": seed, "metric": metric}


def run(base: loader.LoadedScenario, varies: list[Vary], grid: bool, reps: int, seed: int, out: Path, metric: str,
        workers: int = 1, executor=None, force: bool = False, on_point=None,
        uncertainty: str | None = "none", charts=None, say=None) -> list[dict]:
    """Run (or resume) a sweep of the loaded `base` into `out`; return one record per point.

    Finished points are kept beside `out`, in its hidden resume folder (`state_path`);
    `out` itself is replaced only once every point is done, by that folder, whole, with
    `charts(records, folder)` drawn into it first. An interrupted sweep leaves `out` as
    it was. `say(line)` hears of every trend clipped to its field's bounds. With
    `uncertainty`, every point's replication i draws the same unknowns, except the swept
    parameter, which the point sets.
    """
    check_run_size(reps, seed, workers)
    if metric not in INDEX:  # a current name, or an old one (metrics.ALIASES)
        raise UsageError(f"--metric {metric}: unknown metric")
    if not varies:
        raise UsageError(f"{base.path}: no --vary given and no parameter declares a range")
    points = plan(varies, grid)
    notes: list[str] = []
    loaded = [base] + [loader.load(base.path, overrides=overrides_for(base, p, notes)) for p in points[1:]]
    for note in notes if say is not None else ():
        say(note)
    mode, posterior = resolve_mode(uncertainty)
    ident = {**identity(base, varies, grid, reps, seed, metric), "uncertainty": mode,
             "posterior": posterior.sha256 if posterior else None}
    inputs = [shown for shown, _digest in base.files]
    state = _prepare(out, ident, force, inputs)
    done_dir = state / "points"
    records = []
    with worker_pool(workers, executor) as pool:
        sized = workers if executor is None and pool is not None else None
        for point, one in zip(points, loaded, strict=True):
            target = done_dir / f"{point.index:05d}.json"
            if target.exists():
                records.append(json.loads(target.read_text(encoding="utf-8")))
            else:
                result = run_checked([one], reps, seed, pool, sized, draws=[Draws.plan(one, mode, posterior)])[0]
                text = dump_json(_record(point, result, metric))
                try:
                    write_atomic(target, text)
                except OSError as err:
                    raise OutputError(f"{target}: cannot write ({err.strerror}); finished points are kept, run "
                                      "the same command to resume") from None
                records.append(json.loads(text))  # as a resumed sweep would read it back
            if on_point is not None:
                on_point(point)
    _publish(state, out, records, charts, inputs)
    return records


def state_path(out: Path) -> Path:
    """Where a sweep into `out` keeps its finished points until it is whole: hidden, beside `out`."""
    out = Path(out)
    return (out.parent if str(out.parent) else Path(".")) / f".{out.name}.sweep-resume"


def _prepare(out: Path, ident: dict, force: bool, inputs: list[str]) -> Path:
    """The sweep's resume folder, new or resumed; `out` is checked but never touched.

    A new resume folder appears whole, its sweep.json already inside, so a sweep killed
    at any moment leaves one it can resume, or none. A finished sweep with the same
    arguments in `out` lends its points to the new folder (nothing is recomputed).
    """
    state = state_path(out)
    same_out = not force and _holds_sweep(out, ident, "the folder")
    check_writable(out, force or same_out, inputs)  # a finished sweep of the same arguments is replaced whole
    try:
        if force and state.exists():
            _holds_sweep(state, None, f"its resume folder {state.name}")
            shutil.rmtree(state)
        if state.exists():
            _holds_sweep(state, ident, f"its resume folder {state.name}")
        else:
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-{os.getpid()}.", dir=state.parent))
            (staging / "points").mkdir()
            if same_out:
                for done in (out / "points").glob("*.json"):
                    shutil.copyfile(done, staging / "points" / done.name)
            (staging / "sweep.json").write_text(dump_json(ident), encoding="utf-8")
            os.rename(staging, state)
    except OSError as err:
        raise OutputError(f"{out}: cannot write ({err.strerror})") from None
    return state


def _holds_sweep(folder: Path, ident: dict | None, what: str) -> bool:
    """Whether `folder` holds a sweep (with arguments `ident`, unless None); refuses anything else."""
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return False
    manifest = folder / "sweep.json"
    if not folder.is_dir() or not manifest.is_file():
        raise OutputError(f"{folder}: exists and is not a sweep; pass --force to replace it")
    try:
        saved = json.loads(read_regular(manifest, 10_000_000))
    except (OSError, ValueError):
        raise OutputError(f"{folder}: {what}'s sweep.json is damaged; pass --force to start again") from None
    if ident is not None and saved != json.loads(dump_json(ident)):
        raise OutputError(f"{folder}: {what} holds a sweep with other arguments; pass --force to start again")
    return True


def _publish(state: Path, out: Path, records: list[dict], charts, inputs: list[str]) -> None:
    """Draw the charts into the finished resume folder, mark it, and switch it into place at `out`."""
    try:
        if charts is not None:
            charts(records, state)
        files = [p.relative_to(state).as_posix() for p in state.rglob("*") if p.is_file()]
        (state / MARK).write_text(mark(files), encoding="utf-8")
        replace_with(state, out, force=True, inputs=inputs)  # out was checked: a matching sweep, or --force
    except OSError as err:
        raise OutputError(f"{out}: cannot write ({err.strerror}); finished points are kept in {state}, run the "
                          "same command to resume") from None


def _record(point: Point, result, metric: str) -> dict:
    return {
        "point": point.index, "label": point.label(), "settings": [list(s) for s in point.settings],
        "summary": {name: {period: result.summary(name, period) for period in result.periods} for name in NAMES},
        "replications": {period: result.column(metric, period).tolist() for period in result.periods},
    }


def tidy_csv(records: list[dict]) -> str:
    """One row per point, metric and period: the swept settings beside the statistics."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["point", "settings", "metric", "period", "mean", "ci95_low", "ci95_high", "range95_low",
                     "range95_high", "n"])
    for r in records:
        settings = "; ".join(f"{p}={v:g}" for p, v in r["settings"]) or "base"
        for name in NAMES:
            for period, s in r["summary"][name].items():
                writer.writerow([r["point"], settings, name, period, *(_f(x) for x in (
                    s["mean"], *s["ci95"], *s["range95"])), s["n"]])
    return buf.getvalue()


def paired(records: list[dict], period: str) -> list[dict]:
    """Each point's paired change in the sweep metric against the base point, with its 95% interval."""
    base = records[0]["replications"][period]
    rows = []
    for r in records[1:]:
        diff = paired_difference(base, r["replications"][period])
        rows.append({"point": r["point"], "settings": r["settings"], "mean": diff["mean"], "ci95": diff["ci95"],
                     "value_mean": diff["variant_mean"], "base_mean": diff["base_mean"]})
    return rows


def _f(x) -> str:
    return "" if x is None else f"{x:.10g}"

