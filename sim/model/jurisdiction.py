"""Where each investigation's cameras are, and so which column of rules binds it (sim.scenario.scope).

Most investigations ask about cameras in the asking agency's own state; a share
(`investigations.camera_elsewhere_share`, 0 unless a scenario states it) ask about cameras
in another state, drawn in proportion to population. A law bound to owners in a state
reaches those cases by the camera's state; a law bound to agencies by the agency's.

The draws come from a stream of their own ("cameras"), so placing cameras moves no
other draw: with the share at 0 every case follows its agency's state, as before.
The same stream gives each would-be portal request the uniform that thins its owners
where requests are opt-in (`sim.model.participation`).
"""

from __future__ import annotations

import numpy as np


def place_cameras(world, batch, rng: np.random.Generator) -> None:
    """Add `camera_state`, `rules` (the column of rules) and `u_opt_in` to the batch's arrays."""
    a, n = batch.arrays, len(batch)
    agency_state = batch.state_array
    elsewhere = rng.random(n) < world.scenario.investigations.camera_elsewhere_share
    u_state = rng.random(n)
    a["u_opt_in"] = rng.random(n)
    camera_state = agency_state.copy()
    if elsewhere.any():
        camera_state[elsewhere] = other_state(world.state_weights, agency_state[elsewhere], u_state[elsewhere])
    a["camera_state"] = camera_state
    a["rules"] = world.book.rule_keys(agency_state, camera_state)


def other_state(weights: np.ndarray, own: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A state other than `own` for each case, in proportion to `weights`, by inverse CDF from `u`."""
    cumulative = np.cumsum(weights)
    # Spread u over the total without the own state's weight, then step over the own state's block.
    x = u * (cumulative[-1] - weights[own])
    start_of_own = cumulative[own] - weights[own]
    x = np.where(x >= start_of_own, x + weights[own], x)
    return np.minimum(np.searchsorted(cumulative, x, side="right"), weights.size - 1)
