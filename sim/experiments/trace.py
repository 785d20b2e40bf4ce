"""Stories of single investigations, told by the same model code that `run` counts with.

`stories` runs one replication with narration switched on (which changes no count: a
test holds that) and picks the first K cases that took a route (and, with a
`CaseFilter`, that ended a given way or changed route), each as a list of
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
from sim.experiments.case_filter import CaseFilter
from sim.model.replication import run_replication
from sim.model.routes.registry import route_names
from sim.model.streams import replication_seeds


@attrs.frozen(slots=True)
class Story:
    case: str
    route: str  # the route the case took first
    lines: tuple[tuple[dt.datetime, str], ...]
    line_routes: tuple[str, ...] = ()  # the route the case is on at each line (a refused form becomes a warrant)


def stories(loaded, seed: int, route: str | None = None, n: int = 1, year: str | None = None,
            replication: int = 0, since: dt.date | None = None, pick: CaseFilter | None = None) -> list[Story]:
    """The first `n` cases (opened in `year`, and on or after `since`, if given) that took `route`
    and show what `pick` asks for; n per route when route is None."""
    routes = route_names()
    if route is not None and route not in routes:
        raise UsageError(f"--route {route}: must be one of {', '.join(routes)}")
    if not 1 <= n <= 1000:
        raise UsageError(f"--n {n}: must be between 1 and 1000")
    info = loaded.scenario.scenario
    clock = info.clock
    if year is not None and year not in clock.periods:
        raise UsageError(f"--year {year}: must be one of the scenario's years ({clock.periods[0]}-"
                         f"{clock.periods[-1]})")
    if since is not None and not info.start <= since <= info.end:
        raise UsageError(f"--from {since}: must lie in the scenario's horizon ({info.start} to {info.end})")
    trace: list = []
    run_replication(loaded, replication, replication_seeds(seed, replication + 1)[replication], trace=trace)

    by_case = _cases(trace)
    first_route = {case: lines[0][2] for case, lines in by_case.items()}
    wanted = (route,) if route else routes
    chosen: dict[str, list[str]] = {r: [] for r in wanted}
    earliest = -1.0 if since is None else info.clock.day_of(since)
    for case in sorted(by_case, key=lambda c: (by_case[c][0][0], c)):
        r = first_route.get(case)
        if (r in chosen and len(chosen[r]) < n and (year is None or case.startswith(f"{year}-"))
                and by_case[case][0][0] >= earliest and _shows(pick, by_case[case])):
            chosen[r].append(case)
    return [_story(case, by_case[case], info.start) for r in wanted for case in chosen[r]]


def _shows(pick: CaseFilter | None, lines: list) -> bool:
    return pick is None or pick.keeps([text for _d, text, _r in lines], [route for _d, _t, route in lines])


def story_of(loaded, seed: int, case: str, replication: int = 0) -> Story | None:
    """The story of one case (by its id) in replication `replication`: the same investigation under
    another scenario with the same seed, since investigations draw from their own streams. None when
    that case never reached the company there."""
    trace: list = []
    run_replication(loaded, replication, replication_seeds(seed, replication + 1)[replication], trace=trace)
    lines = _cases(trace).get(case)
    return None if lines is None else _story(case, lines, loaded.scenario.scenario.start)


def every_story(loaded, seed: int, replication: int = 0) -> dict[str, Story]:
    """Every case's story in replication `replication`, by case id, in the order the cases opened."""
    trace: list = []
    run_replication(loaded, replication, replication_seeds(seed, replication + 1)[replication], trace=trace)
    start = loaded.scenario.scenario.start
    by_case = _cases(trace)
    return {case: _story(case, by_case[case], start) for case in sorted(by_case, key=lambda c: (by_case[c][0][0], c))}


def _cases(trace: list) -> dict[str, list[tuple[float, str, str]]]:
    """Narration lines by case, in order: (day, text, the route the case is on at that line)."""
    by_case: dict[str, list] = defaultdict(list)
    for day, case, case_route, text in trace:
        if case is None:
            continue
        current = case_route or (by_case[case][-1][2] if by_case[case] else "")
        by_case[case].append((day, text, current))
    return by_case


def _story(case: str, lines: list, start: dt.date) -> Story:
    begin = dt.datetime.combine(start, dt.time())
    return Story(case, lines[0][2], tuple((begin + dt.timedelta(days=day), text) for day, text, _r in lines),
                 tuple(route for _d, _t, route in lines))


def csv_text(found: list[Story]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["case", "route", "time", "event"])
    for story in found:
        routes = story.line_routes or (story.route,) * len(story.lines)
        for (when, text), route in zip(story.lines, routes, strict=True):
            writer.writerow([story.case, route, when.strftime("%Y-%m-%d %H:%M"), text])
    return buf.getvalue()
