"""ringsim: a discrete-event simulation of how police obtain footage from home cameras.

The public entry point is `simulate()`; the command line (`ringsim`) wraps it.
"""

__version__ = "0.1.0"

from sim.runner import RunResult, simulate  # noqa: E402

__all__ = ["RunResult", "simulate", "__version__"]
