"""Whom a dated policy entry binds: agencies in its states, or the company as to owners there.

Most laws bind a state's agencies, whatever camera they ask about (Illinois 5 ILCS 855/5:
"any agency of this State"). Some bind the company as to its users in the state, whoever
asks (Hawaii SB 888, California AB 2062, New York S9267): an out-of-state agency's request
about a camera in the state is bound, and the state's own agencies' requests about
cameras elsewhere are not. The two coincide for every case whose camera lies in the
asking agency's own state, which is almost every case (`investigations.camera_elsewhere_share`).

The policy book therefore has one column of rules per *jurisdiction*: (agency's state,
camera's state). The first columns are the states themselves (camera in the agency's
state); a column for a pair of different states is added only where an entry scoped to
owners names one of the two, so a scenario without such an entry has exactly today's
columns and rules.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.structure import StructureFailure

# Fields with a neutral default that a variant may state though its base does not (the real
# timeline cannot gain them without refitting its posterior): a law scoped to owners states it.
STATED_LATER = frozenset({"investigations.camera_elsewhere_share", "policy.portal.participation",
                          "policy.portal.opt_in_share", "policy.emergency.notice_delay_days",
                          "policy.legal.gag_order_lapse_days"})

# Policy fields about owners' own choices: a state entry that sets one binds owners there.
OWNER_FIELDS = ("portal.participation", "portal.opt_in_share")


def jurisdictions(timeline, states: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(agency state, camera state) index pairs: each state with itself, then the pairs an owners' entry needs."""
    named = set()
    for change in timeline:
        if change.scope == "owners" and change.states is not None:
            named |= set(change.states)
    columns = [(i, i) for i in range(len(states))]
    if named:
        columns += [(a, c) for a in range(len(states)) for c in range(len(states))
                    if a != c and (states[a] in named or states[c] in named)]
    return tuple(columns)


def binds(change, column: tuple[int, int], states: tuple[str, ...]) -> bool:
    """Does timeline entry `change` bind the cases of jurisdiction `column`?"""
    if change.states is None:
        return True
    agency, camera = column
    return states[camera if change.scope == "owners" else agency] in change.states


def key_table(columns: tuple[tuple[int, int], ...], n_states: int) -> np.ndarray:
    """(agency state, camera state) -> the column of rules its cases follow."""
    table = np.repeat(np.arange(n_states)[:, None], n_states, axis=1)  # a pair without a column: the agency's
    for k, (a, c) in enumerate(columns):
        table[a, c] = k
    return table


def check_owner_fields(timeline) -> None:
    """A state entry that sets an owner's choice (opt-in) binds owners in the state: it must say `scope = "owners"`."""
    for i, change in enumerate(timeline):
        if change.states is None or change.scope == "owners":
            continue
        for field in OWNER_FIELDS:
            if field in change.set:
                raise StructureFailure(f"timeline[{i}].scope", f"an entry for some states that sets {field} binds "
                                       "owners in those states: say scope = \"owners\"")


def check_participation(policy, max_opt_out: float, where: str) -> None:
    """Opt-in needs its share; those who opt in are taken from owners who would not opt out: at most their share."""
    portal = policy.portal
    if portal.participation != "opt_in":
        return
    if portal.opt_in_share is None:
        raise StructureFailure(f"{where}.portal.opt_in_share", "participation = \"opt_in\" needs the share of "
                               "owners who opt in")
    if portal.opt_in_share > 1 - max_opt_out + 1e-12:
        raise StructureFailure(f"{where}.portal.opt_in_share",
                               f"must be at most {1 - max_opt_out:g}, the share of owners who do not opt out "
                               "(population.owners.opt_out_share at its highest): the model takes those who opt "
                               "in from among them")
