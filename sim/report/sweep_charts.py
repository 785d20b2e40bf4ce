"""A finished sweep's files: sweep.csv, the tornado, and a line chart per many-step parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.experiments.sweep import Vary, paired, tidy_csv
from sim.files import write_atomic
from sim.report import charts


def write_results(out: Path, records: list[dict], varies: list[Vary], grid: bool, metric: str, period: str,
                  source: str) -> list[str]:
    """sweep.csv, and for a one-at-a-time sweep the tornado and a line chart per many-step parameter."""

    words = metric.split(".", 1)[-1].replace("_", " ")
    written = {"sweep.csv": tidy_csv(records)}
    made = []
    if not grid:
        changes = {r["point"]: r for r in paired(records, period)}
        by_path: dict[str, list[dict]] = {}
        for r in records[1:]:
            by_path.setdefault(r["settings"][0][0], []).append(r)
        bars = []
        for v in varies:
            ends = by_path[v.path]
            low, high = ends[0], ends[-1]
            bars.append({"path": v.path, "low_value": low["settings"][0][1], "high_value": high["settings"][0][1],
                         "low": changes[low["point"]], "high": changes[high["point"]]})
        base_mean = float(np.mean(records[0]["replications"][period]))
        made.append(charts.tornado(bars, words, period, source, base_mean))
        for k, v in enumerate(varies):
            if v.steps >= 3 or len(varies) == 1:
                points = by_path[v.path]
                made.append(charts.sweep_line(
                    v.path, [p["settings"][0][1] for p in points], [p["summary"][metric][period] for p in points],
                    words, period, source, f"line_{k + 1:02d}"))
    for chart in made:
        written.update({name.removeprefix("charts/"): content for name, content in chart.files().items()})
    for name, content in written.items():
        write_atomic(out / name, content)
    return sorted(written)
