"""ringsim: a discrete-event simulation of how police obtain footage from home cameras.

The public entry points are `simulate()` (one scenario) and `compare_scenarios()` (a
base and its variants, paired); the command line (`ringsim`) wraps them.
"""

from sim.version import __version__

__all__ = ["Comparison", "RunResult", "compare_scenarios", "simulate", "__version__"]
_LAZY = {"Comparison": "sim.experiments.compare", "compare_scenarios": "sim.experiments.compare",
         "RunResult": "sim.experiments.runner", "simulate": "sim.experiments.runner"}


def __getattr__(name: str):
    """The entry points, imported when first used: `import sim` stays light, so the command line
    sets its signal handlers before numpy and scipy load."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
