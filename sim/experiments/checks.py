"""What is checked of loaded scenarios just before any replication runs, where the rule lives downstream.

A scenario's `effects` name metrics, and the metric catalogue lives with the model; a
posterior's draws must lie in the ranges the scenario declares, and the posterior is
read here, not at load. Both checks name the file to blame in one line.
"""

from __future__ import annotations

from sim.errors import ScenarioError
from sim.model.metrics import NAMES


def check_effects(loaded: list) -> None:
    """Every metric a scenario names as its own effect (`[scenario] effects`) is one the model counts.

    The scenario layer checks the names' form; the catalogue lives with the model, so the
    runner, through which every run passes, checks them against it (and `scenarios validate`).
    """
    for one in loaded:
        for i, name in enumerate(one.scenario.scenario.effects):
            if name not in NAMES:
                raise ScenarioError(one.origins.get("scenario.effects", one.path), f"scenario.effects[{i}]",
                                    "not a metric (see the metric list in any manifest.json)", name)


def check_draws(draws: list) -> None:
    """A posterior's every value lies in the range its scenario declares for that unknown, so a
    replication never gets a value the file does not allow (the posterior is blamed, not the scenario)."""
    for plan in draws:
        if plan.posterior is None:
            continue
        for u, column in zip(plan.unknowns, plan.columns, strict=True):
            if column < 0:
                continue
            values = plan.posterior.draws[:, column]
            outside = values[(values < u.low) | (values > u.high)]
            if outside.size:
                raise ScenarioError(plan.posterior.path, f"draws.{u.path}",
                                    f"outside the range [{u.low:g}, {u.high:g}] the scenario declares; rebuild the "
                                    "posterior with `ringsim posterior`", float(outside[0]))
