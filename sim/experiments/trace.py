"""Stories of single investigations, told by the same model code that `run` counts with.

`stories` runs one replication with narration switched on (which changes no count: a
test holds that) and picks the first K cases that took a route, each as a list of
dated lines from the incident to its outcome. `csv_text` gives the same lines as a
table for a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import attrs

from sim.errors import UsageError
from sim.model.replication import run_replication
from sim.model.streams import replication_seeds

ROUTES = ("portal", "emergency", "legal")


@attrs.frozen(slots=True)
class Story:
    case: str
    route: str
    lines: tuple[tuple[dt.datetime, str], ...]


def stories(loaded, seed: int, route: str | None = None, n: int = 1, year: str | None = None,
            replication: int = 0) -> list[Story]:
    """The first `n` cases (opened in `year`, if given) that took `route`; n per route when route is None."""
    if route is not None and route not in ROUTES:
        raise UsageError(f"--route {route}: must be one of {', '.join(ROUTES)}")
    if not 1 <= n <= 1000:
        raise UsageError(f"--n {n}: must be between 1 and 1000")
    info = loaded.scenario.scenario
    clock = info.clock
    if year is not None and year not in clock.periods:
        raise UsageError(f"--year {year}: must be one of the scenario's years ({clock.periods[0]}-"
                         f"{clock.periods[-1]})")
    trace: list = []
    run_replication(loaded, replication, replication_seeds(seed, replication + 1)[replication], trace=trace)

    by_case: dict[str, list] = defaultdict(list)
    first_route: dict[str, str] = {}
    for day, case, case_route, text in trace:
        if case is None:
            continue
        by_case[case].append((day, text))
        if case_route:
            first_route[case] = case_route
    wanted = (route,) if route else ROUTES
    chosen: dict[str, list[str]] = {r: [] for r in wanted}
    for case in sorted(by_case, key=lambda c: (by_case[c][0][0], c)):
        r = first_route.get(case)
        if r in chosen and len(chosen[r]) < n and (year is None or case.startswith(f"{year}-")):
            chosen[r].append(case)
    start = dt.datetime.combine(info.start, dt.time())
    return [Story(case, r, tuple((start + dt.timedelta(days=day), text) for day, text in by_case[case]))
            for r in wanted for case in chosen[r]]


def csv_text(found: list[Story]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["case", "route", "time", "event"])
    for story in found:
        for when, text in story.lines:
            writer.writerow([story.case, story.route, when.strftime("%Y-%m-%d %H:%M"), text])
    return buf.getvalue()
