"""A Dask distributed cluster as the runner's executor (`--scheduler ADDRESS`), connected within a bound.

The address is checked for its form first, so `--scheduler 'not a url'` is one line at
once. Connecting then has CONNECT_SECONDS: a server that accepts the connection but is
not a Dask scheduler (it never completes the handshake) is refused when they run out,
as is one that refuses. A client that failed to connect is never closed through
Dask's own finaliser, which would wait ten more seconds and print a traceback.
"""

from __future__ import annotations

import contextlib
import re
import threading

from sim.errors import UsageError

CONNECT_SECONDS = 5
ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?/?$")


@contextlib.contextmanager
def executor_for(scheduler: str | None):
    """A Dask distributed cluster's executor for `--scheduler ADDRESS`, or None (run locally).

    Results come back by replication index, so a cluster gives byte-identical output.
    Workers need ringsim installed (the same version) to unpickle the tasks.
    """
    if not scheduler:
        yield None
        return
    if not ADDRESS.fullmatch(scheduler):
        raise UsageError(f"--scheduler {scheduler}: not an address; expected one such as tcp://10.0.0.5:8786")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'ringsim[cluster]'") from None
    client = _connect(scheduler)
    try:
        yield client.get_executor()
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=CONNECT_SECONDS)


def _connect(scheduler: str):
    """A connected client, or a one-line UsageError within about CONNECT_SECONDS."""
    made, outcome = [], {}

    def attempt() -> None:
        try:
            outcome["client"] = _client_class()(scheduler, timeout=f"{CONNECT_SECONDS}s", set_as_default=False,
                                                made=made)
        except BaseException as err:  # noqa: BLE001 - whatever Dask raises becomes one line below
            outcome["error"] = err

    thread = threading.Thread(target=attempt, daemon=True, name="ringsim-scheduler-connect")
    thread.start()
    thread.join(CONNECT_SECONDS + 2)
    if "client" in outcome:
        return outcome["client"]
    err = outcome.get("error")
    if err is None:
        reason = f"no Dask scheduler answered within {CONNECT_SECONDS} s"
    elif isinstance(err, (OSError, TimeoutError, ValueError)):
        reason = " ".join(str(err).split()) or type(err).__name__
    else:  # a server that answers, but not in Dask's protocol (an HTTP server, say)
        reason = f"the server there does not speak Dask's protocol ({type(err).__name__})"
    raise UsageError(f"--scheduler {scheduler}: cannot connect ({reason})")


_CLASS = []


def _client_class():
    """distributed.Client, minus the finaliser that a failed connection would hang in."""
    if not _CLASS:
        from distributed import Client

        class QuietClient(Client):
            def __init__(self, *args, made: list, **kwargs):
                made.append(self)
                super().__init__(*args, **kwargs)

            def __del__(self):  # closed explicitly when connected; never waited on when not
                pass

        _CLASS.append(QuietClient)
    return _CLASS[0]
