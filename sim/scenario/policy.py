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
import numpy as np

from sim.scenario.scope import binds, check_owner_fields, check_participation, jurisdictions, key_table
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
    overrides: tuple[str, ...] = ()  # same-day entries of a variant that override its base's, in words
    # Rules per jurisdiction (agency's state, camera's state): the states themselves first, then
    # the pairs a law scoped to owners needs (sim.scenario.scope); `Epoch.policies` follows them.
    columns: tuple[tuple[int, int], ...] = ()
    _keys: Any = attrs.field(default=None, eq=False, repr=False)

    def rule_keys(self, agency_state: np.ndarray, camera_state: np.ndarray) -> np.ndarray:
        """The column of rules each case follows, from its agency's state and its camera's state."""
        if len(self.columns) == len(self.states):
            return agency_state
        return self._keys[agency_state, camera_state]

    @classmethod
    def build(cls, scenario, own_entries: set[int], files: dict[int, str] | None = None) -> PolicyBook:
        """The epochs of `scenario`; `files` names the file of each timeline entry (for same-day rules)."""
        from sim.scenario.schema import Policy

        info = scenario.scenario
        states = tuple(sorted(scenario.population.state_population))
        index = {s: i for i, s in enumerate(states)}
        check_owner_fields(scenario.timeline)
        columns = jurisdictions(scenario.timeline, states)
        current = [scenario.policy] * len(columns)
        _check_policy(scenario, scenario.policy, "policy")
        epochs = [Epoch(info.start, (info.start_label,), tuple(current))]
        order = sorted(range(len(scenario.timeline)), key=lambda i: scenario.timeline[i].date)
        overrides = same_day(scenario.timeline, order, files or {})
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
            targets = [k for k, column in enumerate(columns) if binds(change, column, states)]
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
        return cls(states=states, epochs=tuple(epochs), overrides=overrides, columns=columns,
                   keys=key_table(columns, len(states)))

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
    check_participation(policy, max(scenario.population.owners.opt_out_share.values()), where)
    known = set(scenario.investigations.imminent_types) | set(scenario.investigations.incident_types)
    for name in policy.emergency.qualifying_incidents:
        if name not in known:
            raise StructureFailure(
                f"{where}.emergency.qualifying_incidents", f"unknown incident type {name!r}"
            )


def same_day(timeline, order: list[int], files: dict[int, str]) -> tuple[str, ...]:
    """Entries of one date that set one field differently for a state both bind.

    The rule: within one file they contradict each other and the scenario is refused; an
    entry of a variant overrides an entry of the file it extends (that is how a variant
    rewrites its base's history), and the book keeps a line saying so, which every command
    prints. File order never decides in silence.
    """
    notes = []
    for k, i in enumerate(order):
        first = timeline[i]
        for j in order[k + 1:]:
            second = timeline[j]
            if second.date != first.date:
                break
            if first.states is not None and second.states is not None and not set(first.states) & set(second.states):
                continue
            for field in {**second.set, **second.scale}:
                if field not in first.set and field not in first.scale:
                    continue
                if field in first.set and field in second.set and first.set[field] == second.set[field]:
                    continue
                a, b = sorted((i, j))
                whom = _whom(first.states, second.states)
                if files.get(a) == files.get(b):
                    raise StructureFailure(
                        f"timeline[{b}].{'set' if field in timeline[b].set else 'scale'}.{field}",
                        f"contradicts timeline[{a}], which {_change_words(timeline[a], field)} on the same date "
                        f"({first.date}) for {whom}; give one entry another date, or the same value")
                notes.append(f"{files.get(b)}: timeline[{b}] overrides timeline[{a}] of {files.get(a)} on "
                             f"{first.date} for {whom}: {field} {_change_sign(timeline[b], field)}, not "
                             f"{_change_sign(timeline[a], field)} (a variant's entry wins over its base's on the same "
                             "date)")
    return tuple(notes)


def _change_words(entry, field: str) -> str:
    """What one entry does to a field: sets it to a value, or scales it by a factor."""
    if field in entry.set:
        return f"sets it to {entry.set[field]!r}"
    return f"scales it by {entry.scale[field]!r}"


def _change_sign(entry, field: str) -> str:
    """The same, as a formula: `= value` or `× factor`."""
    return f"= {entry.set[field]!r}" if field in entry.set else f"× {entry.scale[field]!r}"


def _whom(a, b) -> str:
    if a is None and b is None:
        return "every state"
    common = sorted(set(a or b) & set(b or a))
    return ", ".join(common[:5]) + (" and more" if len(common) > 5 else "")
