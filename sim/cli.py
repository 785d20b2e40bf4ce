"""The `ringsim` command line: thin wrappers over `sim.simulate` and the writers.

Every user error (bad scenario, bad argument, existing output) is printed as one line,
`ringsim: error: ...`, with exit status 2 and no traceback.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.exceptions import TyperException

import sim
from sim.errors import RingsimError, UsageError
from sim.experiments.calibration import DEFAULT_TARGETS
from sim.experiments.runner import RunResult, check_run_size, executor_for, simulate
from sim.files import check_writable
from sim.formatting import number
from sim.model.metrics import HEADLINE
from sim.report.output import write_run

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Simulate how police obtain footage from home security cameras, and what a policy changes.",
)
out_console = Console()
if not out_console.is_terminal:
    out_console = Console(width=160)  # logs and pipes have no screen to fit
err_console = Console(stderr=True)
SCHEDULER_HELP = "Run on a Dask cluster at this address (e.g. tcp://10.0.0.5:8786) instead of local workers."
# Options several commands share, declared once (typer only reads these defaults).
SCHEDULER_OPTION = typer.Option(None, "--scheduler", help=SCHEDULER_HELP)
EVERY_CORE_OPTION = typer.Option(os.cpu_count() or 1, "--workers", help="Worker processes (default: every core).",
                                 show_default="every core")


def _print_version(value: bool) -> None:
    if value:
        out_console.print(f"ringsim {sim.__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Simulate how police obtain footage from home security cameras, and what a policy changes."""


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario file, e.g. scenarios/timeline.toml"),
    reps: int = typer.Option(100, "--reps", help="Number of replications."),
    seed: int = typer.Option(1, "--seed", help="Root random seed (same seed, same numbers)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/<scenario name>)."),
    workers: int = typer.Option(1, "--workers", help="Worker processes for replications."),
    force: bool = typer.Option(False, "--force", help="Replace the output folder if it exists."),
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Run a scenario and write summary.json, replications.csv and manifest.json."""
    check_run_size(reps, seed, workers)
    from sim.scenario import loader

    loaded = loader.load(scenario)
    out = out or Path("reports") / loaded.name
    check_writable(out, force)
    with executor_for(scheduler) as executor:
        result = _with_progress(f"{loaded.name}", reps, lambda done: simulate(
            loaded, reps, seed, workers=workers, executor=executor, on_done=done))
    command = f"ringsim run {shlex.quote(str(scenario))} --reps {reps} --seed {seed}"
    written = write_run(result, out, command, force=force)
    out_console.print(headline_table(result))
    out_console.print(f"wrote {', '.join(str(p) for p in written)}")


@app.command()
def compare(
    base: Path = typer.Argument(..., help="The base scenario, e.g. scenarios/timeline.toml"),
    variants: list[Path] = typer.Argument(..., help="One or more variant scenarios."),
    reps: int = typer.Option(100, "--reps", help="Replications per scenario."),
    seed: int = typer.Option(1, "--seed", help="Root random seed, shared by all scenarios (paired runs)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/compare-<base>)."),
    workers: int = typer.Option(1, "--workers", help="Worker processes."),
    force: bool = typer.Option(False, "--force", help="Replace the output folder if it exists."),
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Run a base and its variants with common random numbers; write paired differences."""
    check_run_size(reps, seed, workers)
    from sim.experiments.compare import check_comparable, compare_scenarios
    from sim.report.output import write_comparison
    from sim.scenario import loader

    loaded = [loader.load(p) for p in (base, *variants)]
    check_comparable(loaded)
    out = out or Path("reports") / f"compare-{loaded[0].name}"
    check_writable(out, force)
    with executor_for(scheduler) as executor:
        comparison = _with_progress(f"{len(loaded)} scenarios", reps * len(loaded), lambda done: compare_scenarios(
            loaded[0], loaded[1:], reps, seed, workers=workers, executor=executor, on_done=lambda _s, i: done(i)))
    command = (f"ringsim compare {' '.join(shlex.quote(str(p)) for p in (base, *variants))} "
               f"--reps {reps} --seed {seed}")
    written = write_comparison(comparison, out, command, force=force)
    out_console.print(change_table(comparison))
    out_console.print(f"wrote {len(written)} files under {out}/: comparison.json, comparison.csv, "
                      "and one folder per scenario")


@app.command()
def brief(
    scenarios: list[Path] = typer.Argument(None, help="Base scenario, then variants (default: the real timeline "
                                                      "against every shipped law, nationally, and platform choice)."),
    reps: int = typer.Option(20, "--reps", help="Replications per scenario (use 200 for figures you publish)."),
    seed: int = typer.Option(1, "--seed", help="Root random seed, shared by all scenarios (paired runs)."),
    year: str = typer.Option(None, "--year", help="Year of the headline numbers (default: the last year)."),
    out: Path = typer.Option(Path("reports/brief"), "--out", help="Output folder."),
    workers: int = EVERY_CORE_OPTION,
    targets: Path = typer.Option(DEFAULT_TARGETS, "--targets",
                                 help="Published figures to check the base against."),
    force: bool = typer.Option(False, "--force", help="Replace the output folder if it exists."),
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Write the policy brief: brief.html, brief.pdf, charts (PNG, SVG, CSV) and the runs behind them."""
    check_run_size(reps, seed, workers)
    from sim.experiments.calibration import load_targets
    from sim.experiments.compare import check_comparable, compare_scenarios
    from sim.files import write_folder
    from sim.report.brief import build_brief, default_scenarios
    from sim.scenario import loader

    paths = list(scenarios) if scenarios else default_scenarios()
    loaded = [loader.load(p) for p in paths]
    check_comparable(loaded)
    periods = list(_years(loaded[0]))
    year = year or periods[-1]
    if year not in periods:
        raise UsageError(f"--year {year}: must be one of the base's years ({periods[0]}-{periods[-1]})")
    known = load_targets(targets)
    check_writable(out, force)
    with executor_for(scheduler) as executor:
        comparison = _with_progress(f"brief: {len(loaded)} scenarios", reps * len(loaded), lambda done: (
            compare_scenarios(loaded[0], loaded[1:], reps, seed, workers=workers, executor=executor,
                              on_done=lambda _s, i: done(i))))
    command = (f"ringsim brief {' '.join(shlex.quote(str(p)) for p in paths)} --reps {reps} --seed {seed} "
               f"--year {year}")
    files = build_brief(comparison, year, known, command, targets_file=targets)
    write_folder(out, files, force)
    if comparison.variants:
        out_console.print(change_table(comparison, period=year))
    out_console.print(f"wrote {out}/brief.html, {out}/brief.pdf, {out}/charts/ (PNG, SVG, CSV) and {out}/runs/")


@app.command()
def calibrate(
    scenario: Path = typer.Argument(Path("scenarios/timeline.toml"), help="Scenario to check."),
    reps: int = typer.Option(200, "--reps", help="Replications."),
    seed: int = typer.Option(1, "--seed", help="Root random seed."),
    targets: Path = typer.Option(DEFAULT_TARGETS, "--targets",
                                 help="Published figures, with tolerances."),
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/calibrate-<scenario>)."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = typer.Option(False, "--force", help="Replace the output folder if it exists."),
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Simulated beside published figures; exit status 1 if any target fails its tolerance."""
    check_run_size(reps, seed, workers)
    from sim.experiments.calibration import applicable, load_targets, score
    from sim.files import write_folder
    from sim.report import charts
    from sim.report.brief import source_line
    from sim.report.output import run_files
    from sim.scenario import loader

    known = load_targets(targets)
    loaded = loader.load(scenario)
    out = out or Path("reports") / f"calibrate-{loaded.name}"
    check_writable(out, force)
    with executor_for(scheduler) as executor:
        result = _with_progress(f"calibrate {loaded.name}", reps, lambda done: simulate(
            loaded, reps, seed, workers=workers, executor=executor, on_done=done))
    if not applicable(known, result):
        raise UsageError(f"{scenario}: no target in {targets} falls inside its years")
    rows = score(known, result)
    chart = charts.calibration(rows, source_line([result]) + f"; targets: {targets}")
    command = f"ringsim calibrate {shlex.quote(str(scenario))} --reps {reps} --seed {seed}"
    write_folder(out, {"calibration.csv": chart.csv, "calibration.png": chart.png, "calibration.svg": chart.svg,
                       **run_files(result, command, prefix="run/")}, force)
    out_console.print(calibration_table(rows, result))
    failed = [r["id"] for r in rows if not r["passed"]]
    out_console.print(f"{len(rows) - len(failed)} of {len(rows)} targets pass; wrote {out}/calibration.csv, "
                      f"calibration.png, calibration.svg and run/")
    if failed:
        raise typer.Exit(1)


def calibration_table(rows: list[dict], result) -> Table:
    table = Table(title=f"{result.loaded.name} against the public record ({result.replications} replications, "
                        f"seed {result.seed})", title_justify="left")
    for column, justify in (("published figure", "left"), ("year", "left"), ("published", "right"),
                            ("simulated mean [95% CI]", "right"), ("95% of replications", "right"),
                            ("test", "left"), ("source", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(r["label"], r["period"], _cal(r["published"]),
                      f"{_cal(r['simulated_mean'])} [{_cal(r['ci95_low'])}, {_cal(r['ci95_high'])}]",
                      f"{_cal(r['range95_low'])}–{_cal(r['range95_high'])}",
                      ("pass" if r["passed"] else "FAIL") + f" ({r['rule']})", r["source"])
    return table


def _cal(x) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if abs(x) < 1 else number(x)


@app.command()
def trace(
    scenario: Path = typer.Argument(..., help="Scenario file, e.g. scenarios/national-2020.toml"),
    route: str = typer.Option(None, "--route", help="portal, emergency or legal (default: one story per route)."),
    n: int = typer.Option(1, "--n", help="Stories per route."),
    seed: int = typer.Option(1, "--seed", help="Root random seed."),
    year: str = typer.Option(None, "--year", help="Only cases opened in this year."),
    as_csv: bool = typer.Option(False, "--csv", help="Print the same events as CSV instead of stories."),
) -> None:
    """Follow single investigations from incident to outcome, in plain words with simulated dates."""
    check_run_size(1, seed, 1)
    from sim.experiments.trace import csv_text, stories
    from sim.scenario import loader

    loaded = loader.load(scenario)
    found = stories(loaded, seed, route=route, n=n, year=year)
    if as_csv:
        sys.stdout.write(csv_text(found))
        return
    if not found:
        out_console.print("no case took that route in this run; try another --year or --seed")
    for story in found:
        out_console.print(f"\n[bold]Case {story.case}[/bold], the {story.route} route", highlight=False)
        for when, text in story.lines:
            out_console.print(f"  {when:%Y-%m-%d %H:%M}  {text}", highlight=False)


@app.command()
def sweep(
    scenario: Path = typer.Argument(..., help="Scenario whose parameters to vary."),
    vary: list[str] = typer.Option(None, "--vary", help="PATH=LOW:HIGH[:STEPS] (repeat; default: every parameter "
                                                        "with a declared range, at its two ends)."),
    grid: bool = typer.Option(False, "--grid", help="Every combination of the --vary values, not one at a time."),
    reps: int = typer.Option(20, "--reps", help="Replications per point (the same seeds at every point)."),
    seed: int = typer.Option(1, "--seed", help="Root random seed."),
    metric: str = typer.Option("total.owners_disclosed_without_consent", "--metric", help="Metric for the charts."),
    year: str = typer.Option("all", "--year", help="Year for the charts (default: all years)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/sweep-<scenario>)."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = typer.Option(False, "--force", help="Discard a previous sweep in the folder and start again."),
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Vary parameters one at a time (or on a grid); write sweep.csv, a tornado and line charts. Resumable."""
    from sim.experiments import sweep as sweeping
    from sim.scenario import loader

    varies = [sweeping.parse_vary(v) for v in vary or []]
    if grid and len(varies) < 2:
        raise UsageError("--grid needs at least two --vary")
    base = loader.load(scenario)
    periods = (*_years(base), "all")
    if year not in periods:
        raise UsageError(f"--year {year}: must be 'all' or one of the scenario's years ({periods[0]}-{periods[-2]})")
    out = out or Path("reports") / f"sweep-{base.name}"
    varies = varies or sweeping.declared_unknowns(base)  # resolved once, for the plan, the run and the charts
    total = len(sweeping.plan(varies, grid))
    with executor_for(scheduler) as executor:
        records = _with_progress(f"sweep: {total} points", total, lambda done: sweeping.run(
            scenario, varies, grid, reps, seed, out, metric, workers=workers, executor=executor, force=force,
            on_point=done))
    source = (f"ringsim {sim.__version__}, scenario file {Path(base.path).name}; seed {seed}, "
              f"{reps} replications per point")
    from sim.report.sweep_charts import write_results

    written = write_results(out, records, varies, grid, metric, year, source)
    out_console.print(f"{total} points ({reps} replications each); wrote {out}/: {', '.join(written)}")


def _years(loaded) -> tuple[str, ...]:
    from sim.model.clock import Clock

    info = loaded.scenario.scenario
    return Clock(info.start, info.end).periods


CHANGE_HEADLINE = ("portal.owners_disclosed", "emergency.owners_disclosed", "legal.owners_disclosed",
                   "total.owners_disclosed_without_consent", "total.owners_never_notified")


def change_table(comparison, period: str = "all") -> Table:
    """Each variant's change against the base: mean [95% CI] of the paired difference, in `period`."""
    base = comparison.base
    when = "all years" if period == "all" else period
    table = Table(title=f"Change against {base.loaded.name} ({base.replications} paired replications, "
                        f"seed {base.seed}), {when}: mean [95% CI]", title_justify="left")
    table.add_column("variant", no_wrap=True)
    for name in CHANGE_HEADLINE:
        route, _, quantity = name.partition(".")
        table.add_column(f"{route}\n{quantity.replace('_', ' ')}", justify="right")
    for variant in comparison.variants:
        cells = []
        for name in CHANGE_HEADLINE:
            d = comparison.difference(variant, name, period)
            lo, hi = d["ci95"]
            cells.append(f"{_signed(d['mean'])}\n[{_signed(lo)}, {_signed(hi)}]")
        table.add_row(variant.loaded.name, *cells)
    return table


def _signed(x) -> str:
    if x is None:
        return "–"
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+,.1f}"


scenarios_app = typer.Typer(help="List, show, validate and compare scenario files.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
FOLDER_OPTION = typer.Option(Path("scenarios"), "--dir", help="Folder that holds the scenario library.")


@scenarios_app.command("list")
def scenarios_list(folder: Path = FOLDER_OPTION) -> None:
    """Every scenario in the library: name, file and one-line description."""
    from sim.scenario.catalog import entries

    table = Table(title=f"Scenarios in {folder}/", title_justify="left")
    for column in ("name", "file", "description"):
        table.add_column(column, overflow="fold")
    for entry in entries(folder):
        table.add_row(entry.name, str(entry.path), entry.description or f"[invalid] {entry.error}")
    out_console.print(table)


@scenarios_app.command("show")
def scenarios_show(scenario: str = typer.Argument(..., help="A file, or a scenario name from the library."),
                   folder: Path = FOLDER_OPTION) -> None:
    """Every resolved parameter of a scenario, with its source or note."""
    from sim.scenario.catalog import parameters, resolve

    loaded = resolve(scenario, folder)
    table = Table(title=f"{loaded.name}: {loaded.scenario.scenario.title} ({', '.join(p for p, _ in loaded.files)})",
                  title_justify="left")
    for column in ("parameter", "value", "source or note"):
        table.add_column(column, overflow="fold")
    for path, value, where in parameters(loaded):
        table.add_row(path, _show(value), where)
    out_console.print(table)


@scenarios_app.command("validate")
def scenarios_validate(files: list[Path] = typer.Argument(..., help="Scenario files to check.")) -> None:
    """Check scenario files; print one line each; exit 2 if any is invalid."""
    from sim.scenario import loader

    failed = 0
    for path in files:
        try:
            loaded = loader.load(path)
            out_console.print(f"ok: {path} ({loaded.name})", highlight=False)
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
        table.add_row(path, _show(va), _show(vb))
    out_console.print(table)


def _show(value) -> str:
    return "–" if value is None else str(value)


def headline_table(result: RunResult) -> Table:
    """Headline metrics (columns) by calendar year (rows): means, then the 95% CI of all years."""
    table = Table(title=f"{result.loaded.scenario.scenario.title}: mean of {result.replications} "
                        f"replications, seed {result.seed}", title_justify="left")
    table.add_column("year", no_wrap=True)
    for name in TERMINAL_HEADLINE:
        route, _, quantity = name.partition(".")
        table.add_column(f"{route}\n{quantity.replace('_', ' ')}", justify="right", max_width=17)
    for period in result.periods:
        label = "all years" if period == "all" else period
        table.add_row(label, *(number(result.summary(name, period)["mean"]) for name in TERMINAL_HEADLINE),
                      end_section=period == result.periods[-2])
    cis = [result.summary(name, "all")["ci95"] for name in TERMINAL_HEADLINE]
    table.add_row("95% CI", *(f"{number(lo)}–{number(hi)}" if lo is not None else "–" for lo, hi in cis))
    return table


TERMINAL_HEADLINE = tuple(n for n in HEADLINE if n not in ("legal.content_disclosures", "total.owners_disclosed"))


def _with_progress(label: str, total: int, work):
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True,
                  disable=not err_console.is_terminal) as progress:
        task = progress.add_task(label, total=total)
        return work(lambda _i: progress.advance(task))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning every user error into one line."""
    argv = sys.argv[1:] if argv is None else argv
    command = typer.main.get_command(app)
    if not argv:
        argv = ["--help"]
    try:
        status = command.main(args=argv, prog_name="ringsim", standalone_mode=False)
        if isinstance(status, int) and status:
            sys.exit(status)
    except RingsimError as err:
        _fail(str(err))
    except TyperException as err:
        _fail(" ".join(err.format_message().split()))
    except typer.Exit as err:
        sys.exit(err.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted; nothing was written")


def _fail(message: str) -> None:
    print(f"ringsim: error: {message}", file=sys.stderr)
    sys.exit(2)
