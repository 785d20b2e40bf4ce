"""The `ringsim` command line: thin wrappers over `sim.simulate` and the writers.

Every user error (bad scenario, bad argument, existing output) is printed as one line,
`ringsim: error: ...`, with exit status 2 and no traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

from sim.errors import RingsimError, UsageError, printable

# The commands, typer and the model are imported inside `main`, after the signal handlers
# are set: Ctrl-C in the first second (while numpy and scipy load) is one line too.


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning every user error into one line."""
    argv = sys.argv[1:] if argv is None else argv
    _text_never_fails()
    try:
        os.getcwd()
    except OSError as err:
        _fail(f"the working folder cannot be read ({err.strerror}); it may have been deleted: change to a "
              "folder that exists")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
    try:
        status = _run(argv or ["--help"])
        if status == 130:  # typer returns Ctrl-C (KeyboardInterrupt) as a bare exit status
            _interrupted()
        if isinstance(status, int) and status:
            sys.exit(status)
    except KeyboardInterrupt:
        _interrupted()
    except RingsimError as err:
        _fail(str(err))
    except OSError as err:  # the environment: a full disk under stdout, a folder gone, a name too long
        if err.filename:
            _fail(f"{err.filename}: {err.strerror or err}")
        _fail(f"cannot write the terminal output ({err.strerror or err})", drop_stdout=True)
    _flush_stdout()


def _run(argv: list[str]):
    """The typer app on `argv`; its own usage errors become UsageError, its Abort a KeyboardInterrupt."""
    import typer
    from typer.exceptions import TyperException

    from sim.cli import explore, lesson, posterior, runs, serve  # noqa: F401  (registers the commands on `app`)
    from sim.cli.app import app

    command = typer.main.get_command(app)
    try:
        return command.main(args=argv, prog_name="ringsim", standalone_mode=False)
    except TyperException as err:
        raise UsageError(" ".join(err.format_message().split())) from None
    except typer.Exit as err:
        sys.exit(err.exit_code)
    except typer.Abort:
        raise KeyboardInterrupt from None


def __getattr__(name: str):
    """`change_table` and `headline_table` stay part of the module's API, imported when first asked for."""
    if name in ("change_table", "headline_table"):
        from sim.cli import tables

        return getattr(tables, name)
    raise AttributeError(name)


def _text_never_fails() -> None:
    """Output in any encoding: a character the terminal cannot show is written escaped (PYTHONIOENCODING=ascii)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")


def _flush_stdout() -> None:
    """Flush now, so a failure (stdout on a full disk) is one line, not Python's complaint at exit."""
    try:
        sys.stdout.flush()
    except OSError as err:
        _fail(f"cannot write the terminal output ({err.strerror})", drop_stdout=True)


def _interrupted() -> None:
    _fail("interrupted; no output was replaced or left half-written (a sweep or posterior build resumes where "
          "it stopped)", 130)


def _interrupt(signum, _frame) -> None:
    """SIGTERM (and SIGHUP) unwind like Ctrl-C: workers stopped, staging removed, one line."""
    raise KeyboardInterrupt


def _fail(message: str, status: int = 2, drop_stdout: bool = False) -> None:
    with contextlib.suppress(OSError):
        print(f"ringsim: error: {printable(message)}", file=sys.stderr, flush=True)
    if drop_stdout:  # stdout holds what a full disk refused: send it nowhere, so exit does not fail again
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(status)
