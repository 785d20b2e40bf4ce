"""The `ringsim` command line: thin wrappers over `sim.simulate` and the writers.

Every user error (bad scenario, bad argument, existing output) is printed as one line,
`ringsim: error: ...`, with exit status 2 and no traceback.
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from sim.cli import explore, posterior, runs  # noqa: F401  (registers the commands on `app`)
from sim.cli.app import app
from sim.cli.tables import change_table, headline_table  # noqa: F401  (part of the module's API)
from sim.errors import RingsimError


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
