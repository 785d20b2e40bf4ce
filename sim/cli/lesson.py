"""`ringsim lesson`: each step of the classroom guide as one short command a teacher types in class.

The guide (`sim/guides/classroom.md`) and the teacher pack name these steps by minute;
each runs the full `ringsim trace` or `ringsim compare` command it stands for, printed
first so a class sees what ran. The steps are declared once, here: the guide's test
checks that every one is in the guide, with the command it runs.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from sim.cli.app import app, out_console
from sim.errors import UsageError

# Every compare of the lesson: same seed, same replications, the same uncertainty as the key.
_COMPARE = "--reps 100 --seed 1 --uncertainty posterior --chart --force"
STEPS: dict[str, dict[str, tuple[str, ...]]] = {
    "1": {
        "follow": ("trace national-2020 --route portal --ending disclosed",
                   "trace national-2020 --route legal --ending disclosed"),
        "run": (f"compare national-2020 classroom/portal-closed-2020 {_COMPARE} --out reports/class/portal",),
        "after": ("trace classroom/portal-closed-2020 --changed --from 2020-03-02 --route emergency",
                  "trace classroom/portal-closed-2020 --changed --from 2020-03-02 --route legal --ending disclosed"),
    },
    "2": {
        "follow": ("trace national-2020 --route emergency --ending disclosed --n 2",
                   "trace national-2020 --route emergency --ending refused"),
        "run": (f"compare national-2020 classroom/emergency-notice-2020 {_COMPARE} --out reports/class/emergency",),
        "after": ("trace classroom/emergency-notice-2020 --route emergency --ending disclosed",),
    },
    "3": {
        "follow": ("trace classroom/e2ee-default-2020 --route legal --ending no-video --n 2",),
        "run": (f"compare national-2020 classroom/e2ee-default-2020 {_COMPARE} --out reports/class/e2ee",),
        "half": (f"compare national-2020 classroom/e2ee-default-2020 {_COMPARE} "
                 "--set population.owners.e2ee_share_when_default=0.5 --out reports/class/e2ee-half",),
    },
}

# `ringsim lesson N show` opens the chart the exercise's run wrote, in the computer's picture viewer.
CHARTS = {"1": "reports/class/portal/chart.png", "2": "reports/class/emergency/chart.png",
          "3": "reports/class/e2ee/chart.png"}


def every_step() -> list[tuple[str, str]]:
    """(exercise, step) for every step, in the lesson's order."""
    return [(exercise, step) for exercise, steps in STEPS.items() for step in steps]


@app.command()
def lesson(
    exercise: str = typer.Argument(None, help="The guide's exercise: 1, 2 or 3 (none: list every step)."),
    step: str = typer.Argument(None, help="follow, run, show (open the run's chart), after (or half, in exercise 3)."),
) -> None:
    """One step of the classroom guide (sim/guides/classroom.md), e.g. `ringsim lesson 1 run`."""
    if exercise is None:
        for number, name in every_step():
            commands = "; ".join(f"ringsim {c}" for c in STEPS[number][name])
            out_console.print(f"ringsim lesson {number} {name}  runs  {commands}", highlight=False, markup=False)
            if name == "run":
                out_console.print(f"ringsim lesson {number} show  opens  {CHARTS[number]}", highlight=False,
                                  markup=False)
        return
    if exercise in CHARTS and step == "show":
        _show(Path(CHARTS[exercise]), exercise)
        return
    if exercise not in STEPS:
        raise UsageError(f"lesson {exercise}: the exercises are {', '.join(STEPS)}")
    if step not in STEPS[exercise]:
        raise UsageError(f"lesson {exercise} {step or ''}: the steps of exercise {exercise} are "
                         f"{', '.join([*STEPS[exercise], 'show'])}".replace("  ", " "))
    for command in STEPS[exercise][step]:
        out_console.print(f"\n$ ringsim {command}", style="bold", highlight=False, markup=False)
        status = _run(shlex.split(command))
        if status:
            raise typer.Exit(status)


def _show(chart: Path, exercise: str) -> None:
    """Open a chart in the picture viewer (the same as double-clicking it), or say how to make it."""
    if not chart.is_file():
        raise UsageError(f"{chart}: not made yet; run `ringsim lesson {exercise} run` first (in this folder)")
    # said first: a desktop without a picture viewer may print its own errors and still exit 0
    out_console.print(f"opening {chart} (if no window opens, open that file yourself: {chart.resolve()})",
                      highlight=False, markup=False)
    if typer.launch(str(chart.resolve())):
        raise UsageError(f"{chart}: this computer has no picture viewer to open it; open the file by hand")


def _run(args: list[str]) -> int:
    """Run one ringsim command in this process (its errors reach the caller's one-line handler)."""
    from sim.cli import _run as run_ringsim

    return run_ringsim(args) or 0
