"""Commands that explore: follow single cases (trace), sweep unknowns, and browse the scenario library."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

import sim
from sim.cli import runs  # noqa: F401  (its commands come first in --help)
from sim.cli.app import (
    EVERY_CORE_OPTION,
    FORCE_OPTION,
    SCHEDULER_OPTION,
    SEED_OPTION,
    UNCERTAINTY_OPTION,
    app,
    check_posterior_file,
    out_console,
    say_overrides,
    shown,
    with_progress,
)
from sim.errors import RingsimError, UsageError
from sim.experiments.checks import check_effects
from sim.experiments.runner import check_run_size, executor_for
from sim.scenario.library import library_path


@app.command()
def trace(
    scenario: Path = typer.Argument(..., help="A scenario file, or a name `ringsim scenarios list` shows, e.g. "
                                                "national-2020 or illinois-hb2553."),
    route: str = typer.Option(None, "--route", help="portal, emergency or legal (default: one story per route)."),
    n: int = typer.Option(1, "--n", help="Stories per route."),
    seed: int = SEED_OPTION,
    year: str = typer.Option(None, "--year", help="Only cases opened in this year."),
    since: str = typer.Option(None, "--from", metavar="DATE",
                              help="Only cases opened on or after this date (YYYY-MM-DD), e.g. after a policy change."),
    ending: str = typer.Option(None, "--ending", help="Only cases that ended this way: disclosed (video left), "
                                                      "refused, no-video, or a route's own ending, e.g. records-only."),
    changed: bool = typer.Option(False, "--changed", help="Only cases whose route changed: the portal was shut to "
                                                          "them, or they moved to another route (e.g. to a warrant)."),
    case: str = typer.Option(None, "--case", metavar="ID", help="Only this case, by its number (e.g. 2020-01127), "
                                                                "as a story or the app named it."),
    as_csv: bool = typer.Option(False, "--csv", help="Print the same events as CSV instead of stories."),
) -> None:
    """Follow single investigations from incident to outcome, in plain words with simulated dates."""
    check_run_size(1, seed, 1)
    from sim.experiments.case_filter import CaseFilter
    from sim.experiments.trace import csv_text, stories, story_of
    from sim.scenario.catalog import load_named

    pick = CaseFilter.of(ending, changed, route)
    loaded = load_named(scenario)
    say_overrides([loaded])
    if case is not None:
        one = story_of(loaded, seed, case)
        if one is None:
            raise UsageError(f"--case {case}: no case of that number reached the company in this run (seed {seed})")
        found = [one]
    else:
        found = stories(loaded, seed, route=route, n=n, year=year, since=_date_option("--from", since), pick=pick)
    if as_csv:
        sys.stdout.write(csv_text(found))
        return
    if not found:
        asked = f" {pick.describe()}" if pick.active else ""
        out_console.print(f"no case{asked} took that route in this run; try another --year, --from or --seed",
                          highlight=False)
    for story in found:
        out_console.print(story_table(story, out_console.width), highlight=False, soft_wrap=True)


def story_table(story, width: int):
    """One story for a terminal `width` columns wide: its time column stays clear, long lines wrap
    under the text (not under the time), and no line carries trailing spaces."""
    import textwrap

    from rich.text import Text

    indent = " " * 20  # two spaces, "YYYY-MM-DD HH:MM", two spaces
    out = Text.assemble("\n", (f"Case {story.case}", "bold"), f", the {story.route} route")
    for when, text in story.lines:
        wrapped = textwrap.wrap(text, max(width - len(indent), 30)) or [""]
        out.append("\n" + f"  {when:%Y-%m-%d %H:%M}  {wrapped[0]}")
        for more in wrapped[1:]:
            out.append("\n" + indent + more)
    return out


def _date_option(option: str, text: str | None):
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text}: expected a date as YYYY-MM-DD, e.g. 2020-03-01") from None


@app.command()
def sweep(
    scenario: Path = typer.Argument(..., help="Scenario whose parameters to vary."),
    vary: list[str] = typer.Option(None, "--vary", help="PATH=LOW:HIGH[:STEPS] (repeat; default: every parameter "
                                                        "with a declared range, at its two ends)."),
    grid: bool = typer.Option(False, "--grid", help="Every combination of the --vary values, not one at a time."),
    reps: int = typer.Option(20, "--reps", help="Replications per point (the same seeds at every point)."),
    seed: int = SEED_OPTION,
    metric: str = typer.Option("total.owners_disclosed_without_consent", "--metric", help="Metric for the charts."),
    year: str = typer.Option("all", "--year", help="Year for the charts (default: all years)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/sweep-<scenario>)."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = typer.Option(False, "--force", help="Start again, discarding finished points; the folder's old "
                                                      "sweep (ringsim's only) is replaced once the new one is whole."),
    scheduler: str = SCHEDULER_OPTION,
    uncertainty: str = UNCERTAINTY_OPTION,
) -> None:
    """Vary parameters one at a time (or on a grid); write sweep.csv, a tornado and line charts. Resumable."""
    from sim.experiments import sweep as sweeping
    from sim.scenario import loader

    check_run_size(reps, seed, workers)
    check_posterior_file(uncertainty)
    varies = [sweeping.parse_vary(v) for v in vary or []]
    if grid and len(varies) < 2:
        raise UsageError("--grid needs at least two --vary")
    base = loader.load(scenario)
    periods = (*base.years, "all")
    if year not in periods:
        raise UsageError(f"--year {year}: must be 'all' or one of the scenario's years ({periods[0]}-{periods[-2]})")
    out = out or Path("reports") / f"sweep-{base.name}"
    varies = varies or sweeping.declared_unknowns(base)  # resolved once, for the plan, the run and the charts
    total = len(sweeping.plan(varies, grid))
    source = (f"ringsim {sim.__version__}, scenario file {Path(base.path).name}; seed {seed}, "
              f"{reps} replications per point")
    from sim.report.sweep_charts import write_results

    written: list[str] = []

    def charts(records, folder):
        written.extend(write_results(folder, records, varies, grid, metric, year, source))

    say_overrides([base])
    with executor_for(scheduler) as executor:
        with_progress(f"sweep: {total} points", total, lambda done: sweeping.run(
            base, varies, grid, reps, seed, out, metric, workers=workers, executor=executor, force=force,
            on_point=done, uncertainty=uncertainty, charts=charts,
            say=lambda line: out_console.print(f"note: {line}", highlight=False, markup=False)))
    out_console.print(f"{total} points ({reps} replications each); wrote {out}/: {', '.join(written)}")


@app.command()
def sensitivity(
    scenarios: list[Path] = typer.Argument(None, help="Base scenario, then variants whose effect to analyse "
                                                      "(default: the timeline and every law as a national what-if)."),
    year: int = typer.Option(2026, "--year", help="The year analysed (each scenario runs that year alone)."),
    points: int = typer.Option(256, "--points", help="Points of the Latin hypercube over the priors."),
    seed: int = SEED_OPTION,
    out: Path = typer.Option(Path("reports/sensitivity"), "--out", help="Output folder."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = FORCE_OPTION,
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Which unknowns matter: every prior varied at once, first-order Sobol indices per output and per law's effect."""
    check_run_size(1, seed, workers)
    from sim.experiments.runner import MAX_REPLICATIONS
    from sim.scenario.schema import SUPPORTED_SPAN

    first, last = SUPPORTED_SPAN[0].year, SUPPORTED_SPAN[1].year
    if not first <= year <= last:
        raise UsageError(f"--year {year}: must be a year from {first} to {last} (the span ringsim supports)")
    if not 1 <= points <= MAX_REPLICATIONS:
        raise UsageError(f"--points {points}: must be between 1 and {MAX_REPLICATIONS:,} (each point is one "
                         "replication of every scenario)")
    from sim.experiments.sensitivity import analyse
    from sim.files import check_writable, write_folder
    from sim.report.brief import default_scenarios
    from sim.report.sensitivity_charts import first_order

    paths = list(scenarios) if scenarios else [p for p in default_scenarios() if "platform" not in p.parts]
    check_writable(out, force, paths)
    with executor_for(scheduler) as executor:
        result = with_progress(f"sensitivity: {points} points", points * len(paths), lambda done: analyse(
            paths, year, points, seed, workers=workers, executor=executor, on_done=done))
    source = (f"ringsim {sim.__version__}, scenario files {', '.join(Path(p).name for p in paths)}; seed {seed}, "
              f"{points} points")
    chart = first_order(result, source)
    write_folder(out, {"sensitivity.csv": chart.csv, "sensitivity.png": chart.png, "sensitivity.svg": chart.svg},
                 force)
    for o, name in enumerate(result.outputs):
        k = int(result.s1[o].argmax())
        out_console.print(f"{name}: {result.parameters[k]} explains {result.s1[o, k]:.0%} of the spread")
    out_console.print(f"wrote {out}/sensitivity.csv, sensitivity.png, sensitivity.svg")


scenarios_app = typer.Typer(help="List, show, validate and compare scenario files.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
FOLDER_OPTION = typer.Option(library_path(""), "--dir", help="Folder that holds the scenario library.")


@scenarios_app.command("list")
def scenarios_list(folder: Path = FOLDER_OPTION) -> None:
    """Every scenario in the library: name, file and one-line description."""
    from sim.scenario.catalog import entries

    if not folder.is_dir():
        raise UsageError(f"--dir {folder}: no such folder")
    table = Table(title=f"Scenarios in {folder}/", title_justify="left")
    for column in ("name", "file", "description"):
        table.add_column(column, overflow="fold")
    for entry in entries(folder):
        table.add_row(shown(entry.name), shown(entry.path), shown(entry.description or f"[invalid] {entry.error}"))
    out_console.print(table)


@scenarios_app.command("show")
def scenarios_show(scenario: str = typer.Argument(..., help="A file, or a scenario name from the library."),
                   folder: Path = FOLDER_OPTION) -> None:
    """Every resolved parameter of a scenario, with its source or note."""
    from sim.scenario.catalog import parameters, resolve

    loaded = resolve(scenario, folder)
    table = Table(title=f"{loaded.name}: {shown(loaded.scenario.scenario.title)} "
                        f"({shown(', '.join(p for p, _ in loaded.files))})",
                  title_justify="left")
    for column in ("parameter", "value", "source or note"):
        table.add_column(column, overflow="fold")
    for path, value, where in parameters(loaded):
        table.add_row(shown(path), _show(value), shown(where))
    out_console.print(table)


@scenarios_app.command("validate")
def scenarios_validate(files: list[Path] = typer.Argument(..., help="Scenario files to check.")) -> None:
    """Check scenario files; print one line each; exit 2 if any is invalid."""
    from sim.scenario import loader

    failed = 0
    for path in files:
        try:
            loaded = loader.load(path)
            check_effects([loaded])
            out_console.print(f"ok: {shown(path)} ({loaded.name})", highlight=False)
            say_overrides([loaded])
        except RingsimError as err:
            failed += 1
            print(f"ringsim: error: {err}", file=sys.stderr)
    if failed:
        raise typer.Exit(2)


@scenarios_app.command("diff")
def scenarios_diff(a: str = typer.Argument(..., help="First scenario (file or name)."),
                   b: str = typer.Argument(..., help="Second scenario (file or name)."),
                   folder: Path = FOLDER_OPTION) -> None:
    """Which resolved parameters differ between two scenarios."""
    from sim.scenario.catalog import differences, resolve

    first, second = resolve(a, folder), resolve(b, folder)
    rows = differences(first, second)
    table = Table(title=f"{len(rows)} parameters differ", title_justify="left")
    for column in ("parameter", first.name, second.name):
        table.add_column(column, overflow="fold")
    for path, va, vb in rows:
        table.add_row(shown(path), _show(va), _show(vb))
    out_console.print(table)


def _show(value) -> str:
    return "–" if value is None else shown(value)
