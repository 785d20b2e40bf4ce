"""Published figures as data, and how a run measures up to them.

`load_targets` reads `scenarios/calibration/targets.toml` strictly (same error style
as scenarios: file, field, rule). `score` turns a run into one row per target: the
simulated mean, its 95% interval, the 95% range of single replications, and whether
the published figure passes its argued tolerance.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs
import numpy as np

from sim.errors import FieldValueError, ScenarioError
from sim.experiments.runner import RunResult
from sim.experiments.stats import summarize
from sim.files import read_regular
from sim.model.metrics import NAMES
from sim.scenario.library import library_path
from sim.scenario.paths import lookup
from sim.scenario.reading import MAX_FILE_BYTES
from sim.scenario.structure import StructureFailure, structure
from sim.scenario.validators import at_least, one_of

DEFAULT_TARGETS = library_path("calibration/targets.toml")
TARGET_KINDS = ("point", "lower_bound", "upper_bound")
SOURCE_KINDS = ("company", "press")


def _metric_names(_instance, attribute, value) -> None:
    if attribute.name == "metrics" and not value:
        raise FieldValueError(attribute.name, [], "must name at least one metric")
    for name in value:
        if name not in NAMES:
            raise FieldValueError(attribute.name, name, "unknown metric (see `ringsim run` summary.json for names)")


def _positive(_instance, attribute, value) -> None:
    """A published figure is a finite count or share above zero (the model is compared with it as a ratio)."""
    if not (0 < value < float("inf")):
        raise FieldValueError(attribute.name, value, "must be a finite number above 0")


@attrs.frozen(slots=True)
class Target:
    """One published figure and the simulated quantity it is compared with."""

    id: str
    label: str
    metrics: tuple[str, ...] = attrs.field(converter=tuple, validator=_metric_names)
    period: str
    value: float = attrs.field(validator=_positive)
    kind: str = attrs.field(validator=one_of(*TARGET_KINDS))
    tolerance: float = attrs.field(validator=at_least(0.0))
    source_kind: str = attrs.field(validator=one_of(*SOURCE_KINDS))
    source: str
    note: str
    per: tuple[str, ...] = attrs.field(default=(), converter=tuple, validator=_metric_names)

    def simulated(self, result: RunResult) -> np.ndarray:
        """Per-replication value: a sum of metrics, or a ratio of sums."""
        top = sum(result.column(m, self.period) for m in self.metrics)
        if not self.per:
            return top
        bottom = sum(result.column(m, self.period) for m in self.per)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan)

    def passes(self, mean: float | None) -> bool:
        if mean is None:
            return False
        if self.kind == "lower_bound":
            return self.value <= mean <= self.value * (1 + self.tolerance)
        if self.kind == "upper_bound":
            return self.value * max(1 - self.tolerance, 0.0) <= mean <= self.value
        return abs(mean - self.value) <= self.tolerance * self.value

    def inside(self, low: float, high: float) -> bool:
        """Does the published figure lie in the predicted range [low, high]? A floor only needs the
        range to reach up to it, a ceiling only down to it."""
        if self.kind == "lower_bound":
            return high >= self.value
        if self.kind == "upper_bound":
            return low <= self.value
        return low <= self.value <= high

    def rule(self) -> str:
        pct = f"{self.tolerance:.0%}"
        if self.kind == "lower_bound":
            return f"at least the figure, at most {pct} above"
        if self.kind == "upper_bound":
            return "at most the figure" + (f", at least {pct} below" if self.tolerance < 1 else "")
        return f"within {pct}"


@attrs.frozen(slots=True)
class Targets:
    target: tuple[Target, ...] = attrs.field(converter=tuple)


def load_targets(path: str | Path = DEFAULT_TARGETS) -> tuple[Target, ...]:
    path = Path(path)
    try:
        doc = tomllib.loads(read_regular(path, MAX_FILE_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "no such targets file") from None
    except IsADirectoryError:
        raise ScenarioError(str(path), "", "is a folder, not a targets file") from None
    except OSError as err:
        raise ScenarioError(str(path), "", f"cannot read ({err.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ScenarioError(str(path), "", f"not valid TOML: {err}") from None
    try:
        targets = structure(doc, Targets).target
    except StructureFailure as err:
        raise ScenarioError(str(path), err.path, err.message, lookup(doc, err.path)) from None
    seen = set()
    for i, t in enumerate(targets):
        if t.id in seen:
            raise ScenarioError(str(path), f"target[{i}].id", "repeats an earlier id", t.id)
        seen.add(t.id)
    return targets


def applicable(targets, result: RunResult) -> list[Target]:
    """Targets whose year lies inside the run's horizon."""
    return [t for t in targets if t.period in result.periods]


def score(targets, result: RunResult) -> list[dict]:
    """One row per applicable target: published beside simulated, and pass/fail.

    With stated values (uncertainty "none") a target passes when the simulated mean
    lies within its argued tolerance. With the posterior it passes when the published
    figure lies inside the posterior predictive ui90 (a lower bound: when the band
    reaches it): the question is then whether the model, unknowns and all, could have
    produced the figure.
    """
    predictive = result.uncertainty == "posterior"
    rows = []
    for t in applicable(targets, result):
        values = t.simulated(result)
        s = summarize(values)
        inside = s["ui90"][0] is not None and t.inside(*s["ui90"])
        rows.append({
            "id": t.id, "label": t.label, "period": t.period, "published": t.value, "kind": t.kind,
            "simulated_mean": s["mean"], "ci95_low": s["ci95"][0], "ci95_high": s["ci95"][1],
            "ui90_low": s["ui90"][0], "ui90_high": s["ui90"][1],
            "range95_low": s["range95"][0], "range95_high": s["range95"][1],
            "tolerance": t.tolerance, "within_tolerance": t.passes(s["mean"]), "inside_ui90": inside,
            "rule": "published figure inside the posterior predictive ui90" if predictive else t.rule(),
            "passed": inside if predictive else t.passes(s["mean"]),
            "source_kind": t.source_kind, "source": t.source,
            # A bound's words can be broken: the share of single replications on the wrong side of it.
            "share_beyond_bound": _share_beyond(t, values),
        })
    return rows


def _share_beyond(target, values: np.ndarray) -> float | None:
    """For a floor, the share of replications below it; for a ceiling, above it; None for a point."""
    finite = values[np.isfinite(values)]
    if target.kind == "point" or not finite.size:
        return None
    beyond = finite < target.value if target.kind == "lower_bound" else finite > target.value
    return round(float(beyond.mean()), 3)
