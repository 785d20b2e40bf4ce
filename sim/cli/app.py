"""The `ringsim` application object, its consoles, the options several commands share, and progress.

Commands live in `sim.cli.runs` (run, compare, brief, calibrate) and `sim.cli.explore`
(trace, sweep, scenarios); `sim.cli.main` runs them and turns every user error into one line.
"""

from __future__ import annotations

import os

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

import sim

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
IN_FLIGHT_OPTION = typer.Option(
    None, "--in-flight", min=1, max=1_000_000, show_default="4 per worker, or per thread of the --scheduler cluster",
    help="Most replications submitted and not yet collected (each holds its results in memory).")
FORCE_OPTION = typer.Option(False, "--force", help="Replace the output folder if it exists.")
SEED_OPTION = typer.Option(1, "--seed", help="Root random seed (same seed, same numbers).")
PAIRED_SEED_OPTION = typer.Option(1, "--seed", help="Root random seed, shared by all scenarios (paired runs).")
UNCERTAINTY_OPTION = typer.Option(
    None, "--uncertainty", show_default="posterior where scenarios/calibration/posterior.toml exists",
    help="posterior: each replication draws the unknowns from the posterior, so intervals count what is unknown; "
         "none: every parameter keeps its stated value, so intervals count chance only.")
PRECISION_OPTION = typer.Option(
    None, "--precision", metavar="REL",
    help="Add replications (from --reps, in batches) until the 95% interval of the headline number (owners whose "
         "video left without consent) is at most REL of it, e.g. 0.05: of the level for one scenario, of every "
         "variant's change for several. The outputs record how many it took.")
STATE_OPTION = typer.Option(None, "--state", metavar="XX",
                            help="Report one state (its agencies), e.g. IL; every state is in the files anyway.")
MAX_REPS_OPTION = typer.Option(2000, "--max-reps", help="With --precision: never run more replications than this.")
SETTLE_OPTION = typer.Option(
    None, "--settle-up-to", metavar="N",
    help="Where a verdict (fewer, more, no clear change) is not settled, add replications to the baseline and "
         "that alternative, doubling, up to N (default: twice --reps; --reps itself turns it off).",
    show_default="2 x --reps")
EVERY_CORE_OPTION = typer.Option(os.cpu_count() or 1, "--workers", help="Worker processes (default: every core; "
                                 "the numbers are the same whatever the count).", show_default="every core")


def _print_version(value: bool) -> None:
    if value:
        out_console.print(f"ringsim {sim.__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Simulate how police obtain footage from home security cameras, and what a policy changes."""


def with_progress(label: str, total: int, work):
    """Run `work(done)`, showing progress: a bar with the time left on a terminal, else (a log,
    a pipe, CI) one line on stderr at every tenth of the work, so a long run is never silent."""
    if not err_console.is_terminal:
        return work(_progress_lines(label, total))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        return work(lambda _i: progress.advance(task))


def _progress_lines(label: str, total: int):
    import sys
    import time

    start, state = time.monotonic(), {"done": 0, "next": max(1, total // 10)}

    def done(_i) -> None:
        state["done"] += 1
        if state["done"] >= state["next"] and state["done"] < total:
            state["next"] += max(1, total // 10)
            elapsed = time.monotonic() - start
            left = elapsed * (total - state["done"]) / state["done"]
            print(f"{label}: {state['done']:,} of up to {total:,} replications, {_clock(elapsed)} so far, "
                  f"about {_clock(left)} left", file=sys.stderr, flush=True)

    return done


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def say_overrides(loaded: list) -> None:
    """Once every input is checked, just before a run: the effects each scenario names are metrics, and
    one line on stderr per same-day timeline entry a variant overrides (the rule is printed, never silent)."""
    import sys

    from sim.errors import printable
    from sim.experiments.checks import check_effects

    check_effects(loaded)
    seen = set()
    for one in loaded:
        for line in one.policy_book.overrides:
            if line not in seen:
                seen.add(line)
                print(f"ringsim: note: {printable(line)}", file=sys.stderr)


def shown(text) -> str:
    """Scenario text as data in a rich table or line: markup escaped, control characters shown escaped."""
    from rich.markup import escape

    from sim.errors import printable

    return escape(printable(str(text)))


def check_posterior_file(uncertainty: str | None) -> None:
    """The posterior the run would read is a regular file (a FIFO would block, a folder would fail late)."""
    import stat

    from sim.errors import UsageError
    from sim.experiments.uncertainty import DEFAULT_POSTERIOR

    if uncertainty == "none":
        return
    try:
        mode = os.stat(DEFAULT_POSTERIOR).st_mode
    except FileNotFoundError:
        return  # no posterior: stated values (or a clear error when one is asked for)
    except OSError as err:
        raise UsageError(f"{DEFAULT_POSTERIOR}: cannot read ({err.strerror})") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise UsageError(f"{DEFAULT_POSTERIOR}: {kind}, not a posterior file; replace it (`ringsim posterior`) "
                         "or pass --uncertainty none")
