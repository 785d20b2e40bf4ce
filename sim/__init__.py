"""ringsim: a discrete-event simulation of how police obtain footage from home cameras.

The public entry points are `simulate()` (one scenario) and `compare_scenarios()` (a
base and its variants, paired); the command line (`ringsim`) wraps them.
"""

from sim.experiments.compare import Comparison, compare_scenarios  # noqa: E402
from sim.experiments.runner import RunResult, simulate  # noqa: E402
from sim.version import __version__  # noqa: E402

__all__ = ["Comparison", "RunResult", "compare_scenarios", "simulate", "__version__"]
