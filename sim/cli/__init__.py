"""The `ringsim` command line: thin wrappers over `sim.simulate` and the writers.

Every user error (bad scenario, bad argument, existing output) is printed as one line,
`ringsim: error: ...`, with exit status 2 and no traceback.
"""

from __future__ import annotations

import signal
import sys
import threading

import typer
from typer.exceptions import TyperException

from sim.cli import explore, posterior, runs, serve  # noqa: F401  (registers the commands on `app`)
from sim.cli.app import app
from sim.cli.tables import change_table, headline_table  # noqa: F401  (part of the module's API)
from sim.errors import RingsimError, printable


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning every user error into one line."""
    argv = sys.argv[1:] if argv is None else argv
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
    command = typer.main.get_command(app)
    if not argv:
        argv = ["--help"]
    try:
        status = command.main(args=argv, prog_name="ringsim", standalone_mode=False)
        if status == 130:  # typer returns Ctrl-C (KeyboardInterrupt) as a bare exit status
            _interrupted()
        if isinstance(status, int) and status:
            sys.exit(status)
    except RingsimError as err:
        _fail(str(err))
    except TyperException as err:
        _fail(" ".join(err.format_message().split()))
    except typer.Exit as err:
        sys.exit(err.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _interrupted()


def _interrupted() -> None:
    _fail("interrupted; no output was replaced or left half-written (a sweep or posterior build resumes where "
          "it stopped)", 130)


def _interrupt(signum, _frame) -> None:
    """SIGTERM (and SIGHUP) unwind like Ctrl-C: workers stopped, staging removed, one line."""
    raise KeyboardInterrupt


def _fail(message: str, status: int = 2) -> None:
    print(f"ringsim: error: {printable(message)}", file=sys.stderr)
    sys.exit(status)
