"""The `ringsim` command line: thin wrappers over `sim.simulate` and the writers.

Every user error (bad scenario, bad argument, existing output) is printed as one line,
`ringsim: error: ...`, with exit status 2 and no traceback.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.exceptions import TyperException

import sim
from sim.errors import RingsimError
from sim.metrics import HEADLINE
from sim.output import write_run
from sim.runner import RunResult, check_run_size, simulate

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
) -> None:
    """Run a scenario and write summary.json, replications.csv and manifest.json."""
    check_run_size(reps, seed, workers)
    from sim import loader

    loaded = loader.load(scenario)
    out = out or Path("reports") / loaded.name
    result = _with_progress(f"{loaded.name}", reps, lambda done: simulate(
        loaded, reps, seed, workers=workers, on_done=done))
    command = f"ringsim run {shlex.quote(str(scenario))} --reps {reps} --seed {seed}"
    written = write_run(result, out, command, force=force)
    out_console.print(headline_table(result))
    out_console.print(f"wrote {', '.join(str(p) for p in written)}")


def headline_table(result: RunResult) -> Table:
    """Headline metrics (columns) by calendar year (rows): means, then the 95% CI of all years."""
    table = Table(title=f"{result.loaded.scenario.scenario.title}: mean of {result.replications} "
                        f"replications, seed {result.seed}", title_justify="left")
    table.add_column("year", no_wrap=True)
    for name in TERMINAL_HEADLINE:
        route, _, quantity = name.partition(".")
        table.add_column(f"{route}\n{quantity.replace('_', ' ')}", justify="right", max_width=14)
    for period in result.periods:
        label = "all years" if period == "all" else period
        table.add_row(label, *(_num(result.summary(name, period)["mean"]) for name in TERMINAL_HEADLINE),
                      end_section=period == result.periods[-2])
    cis = [result.summary(name, "all")["ci95"] for name in TERMINAL_HEADLINE]
    table.add_row("95% CI", *(f"{_num(lo)}–{_num(hi)}" if lo is not None else "–" for lo, hi in cis))
    return table


TERMINAL_HEADLINE = tuple(n for n in HEADLINE if n not in ("legal.content_disclosures", "total.owners_disclosed"))


def _num(x) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


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
        command.main(args=argv, prog_name="ringsim", standalone_mode=False)
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
