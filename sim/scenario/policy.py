"""Dated policy: the rules in force on each date, for each state.

A scenario's base `[policy]` holds from the first day. Each `[[timeline]]` entry sets
some policy fields from its date on, for every state or only for those it lists (a
state law binds only that state's agencies). The book is computed and validated whole
at load time; the model then applies each epoch at its simulated instant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from sim.scenario.structure import CONVERTER, StructureFailure, structure


@attrs.frozen(slots=True)
class Epoch:
    """From `date` on (until the next epoch), state i follows `policies[i]`."""

    date: dt.date
    labels: tuple[str, ...]
    policies: tuple[Any, ...]  # sim.scenario.Policy, one per state, in `PolicyBook.states` order


@attrs.frozen(slots=True)
class PolicyBook:
    states: tuple[str, ...]
    epochs: tuple[Epoch, ...]

    @classmethod
    def build(cls, scenario, own_entries: set[int]) -> PolicyBook:
        from sim.scenario.schema import Policy

        info = scenario.scenario
        states = tuple(sorted(scenario.population.state_population))
        index = {s: i for i, s in enumerate(states)}
        current = [scenario.policy] * len(states)
        _check_policy(scenario, scenario.policy, "policy")
        epochs = [Epoch(info.start, (info.start_label,), tuple(current))]
        order = sorted(range(len(scenario.timeline)), key=lambda i: scenario.timeline[i].date)
        for i in order:
            change = scenario.timeline[i]
            where = f"timeline[{i}]"
            if i in own_entries and not (info.start <= change.date <= info.end):
                raise StructureFailure(
                    f"{where}.date", f"outside the horizon {info.start} to {info.end}"
                )
            if change.date > info.end:
                continue
            for s in change.states or ():
                if s not in index:
                    raise StructureFailure(f"{where}.states", f"unknown state {s!r}")
            targets = [index[s] for s in change.states] if change.states is not None else range(len(states))
            changed: dict[int, Any] = {}
            for t in targets:
                old = current[t]
                if id(old) not in changed:
                    changed[id(old)] = _apply(old, change.set, f"{where}.set", Policy, change.scale)
                    _check_policy(scenario, changed[id(old)], f"{where}.set")
                current[t] = changed[id(old)]
            date = max(change.date, info.start)
            if epochs[-1].date == date:
                epochs[-1] = Epoch(date, (*epochs[-1].labels, change.label), tuple(current))
            else:
                epochs.append(Epoch(date, (change.label,), tuple(current)))
        return cls(states=states, epochs=tuple(epochs))

    def policy_on(self, date: dt.date, state: str):
        """The policy in force for `state` on `date` (for reports and tests)."""
        epoch = self.epochs[0]
        for e in self.epochs:
            if e.date <= date:
                epoch = e
        return epoch.policies[self.states.index(state)]


def _apply(policy, changes: dict[str, Any], where: str, cls, scale: dict[str, float] | None = None):
    """`policy` with the fields `changes` names set, and the rates `scale` names multiplied by their factors."""
    tree = CONVERTER.unstructure(policy)
    scaled_where = where.rsplit(".", 1)[0] + ".scale"
    edits = [(d, v, where, False) for d, v in changes.items()]
    edits += [(d, f, scaled_where, True) for d, f in (scale or {}).items()]
    for dotted, value, place, scales in edits:
        node = tree
        keys = dotted.split(".")
        for key in keys[:-1]:
            if not isinstance(node, dict) or key not in node:
                raise StructureFailure(f"{place}.{dotted}", "no such policy field")
            node = node[key]
        key = keys[-1]
        if not isinstance(node, dict) or key not in node:
            raise StructureFailure(f"{place}.{dotted}", "no such policy field")
        if isinstance(node[key], dict):
            raise StructureFailure(f"{place}.{dotted}", "names a section, not a field")
        if not scales:
            node[key] = value
        elif isinstance(node[key], bool) or not isinstance(node[key], (int, float)):
            raise StructureFailure(f"{place}.{dotted}", "a factor scales a number, not a yes/no or a list")
        elif dotted in changes:
            raise StructureFailure(f"{place}.{dotted}", "both set and scaled in one entry; say one")
        else:
            node[key] = node[key] * value
    return structure(tree, cls, where)


def _check_policy(scenario, policy, where: str) -> None:
    known = set(scenario.investigations.imminent_types) | set(scenario.investigations.incident_types)
    for name in policy.emergency.qualifying_incidents:
        if name not in known:
            raise StructureFailure(
                f"{where}.emergency.qualifying_incidents", f"unknown incident type {name!r}"
            )
