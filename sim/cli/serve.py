"""`ringsim app`: the playground page on this machine (Shiny for Python, served by uvicorn)."""

from __future__ import annotations

import os
import socket

import typer

from sim.cli.app import app, out_console
from sim.errors import UsageError


@app.command("app")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every network; "
                                                         "the page has no login, so only on a network you trust)."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    max_runs: int = typer.Option(os.cpu_count() or 1, "--max-runs", show_default="the number of cores",
                                 help="Runs at once; further requests wait in a queue the page shows."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", show_default="every core",
                                help="Worker processes shared by every run."),
) -> None:
    """Start the playground page: what-ifs, single cases and new scenario files, in a browser.

    Prints the address to open; opens nothing by itself. Ctrl-C stops it.
    """
    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port}: must be between 1 and 65535")
    if not 1 <= max_runs <= 64:
        raise UsageError(f"--max-runs {max_runs}: must be between 1 and 64")
    if not 1 <= workers <= 256:
        raise UsageError(f"--workers {workers}: must be between 1 and 256")
    _check_free(host, port)
    import uvicorn

    from sim.web.page import make_app
    from sim.web.service import Service

    service = Service(max_runs=max_runs, workers=workers)
    try:
        service.warm()
        shown = "localhost" if host in ("127.0.0.1", "::1") else host
        out_console.print(f"ringsim playground: open http://{shown}:{port}/ in a browser (Ctrl-C stops it)")
        uvicorn.run(make_app(service), host=host, port=port, log_level="warning", lifespan="on")
    finally:
        service.close()


def _check_free(host: str, port: int) -> None:
    """A clear line instead of uvicorn's traceback when the port is taken or the address is wrong."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UsageError(f"--host {host}: not an address of this machine") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise UsageError(f"--host {host} --port {port}: cannot listen there ({err.strerror}); "
                             "try another --port") from None
