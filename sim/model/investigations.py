"""Investigations that may reach the platform, drawn in bulk one calendar year at a time.

Everything random about an investigation is drawn here, when it is created, before any
policy is consulted: its time, agency, incident, the request it would make, and the
uniform numbers that will decide each later step on every route (common random
numbers: a reform and the baseline see the same world). Owners near a would-be portal
request are counted here; their own draws (`OwnerSlots`) are made block by block, only
when a posted request needs them. Investigations that could never touch the platform
(a non-enrolled agency that would not serve legal process) are thinned away here, which
is exact for a Poisson process.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from sim.model.population import Agencies
from sim.scenario.clock import Clock

# Rows of an owner block (`OwnerSlots.block`), in order: one column per owner.
SLOT_COLUMNS = ("u_area", "u_opt_out", "u_paid", "u_e2ee", "u_consent", "u_audio", "u_reach",
                "response_delay", "retention_choice", "clips")
SLOT = {name: i for i, name in enumerate(SLOT_COLUMNS)}
# Owners per block of draws. Not a model parameter: it fixes which random numbers an
# owner gets, never their distribution, and bounds a replication's working memory
# (a block is about 2.4 MB of float32) whatever the year's number of owners.
OWNER_BLOCK = 1 << 16


@attrs.define(slots=True)
class OwnerSlots:
    """The owners near each would-be portal request, drawn lazily in blocks.

    Requests are cut into blocks of consecutive rows holding about `OWNER_BLOCK`
    owners; block b has its own stream, addressed by (year, b). A block is drawn only
    when a posted request in it needs its owners, and it is the same block whatever the
    policy posts (common random numbers).
    """

    count: np.ndarray  # owners per request (0 if it could not be a portal request)
    block_of: np.ndarray  # each request's block
    offset: np.ndarray  # each request's first owner within its block
    block_size: np.ndarray  # owners per block
    draw: Callable[[int, int], np.ndarray]  # (block, owners) -> (len(SLOT_COLUMNS), owners)
    _cached: tuple = (-1, None)

    @classmethod
    def cut(cls, count: np.ndarray, draw: Callable[[int, int], np.ndarray]) -> OwnerSlots:
        first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        block_of = first // OWNER_BLOCK
        blocks = int(block_of[-1]) + 1 if count.size else 0
        block_first = np.full(blocks, np.iinfo(np.int64).max)
        np.minimum.at(block_first, block_of, first)
        block_size = np.bincount(block_of, weights=count, minlength=blocks).astype(np.int64)
        return cls(count=count.astype(np.int64), block_of=block_of, offset=first - block_first[block_of],
                   block_size=block_size, draw=draw)

    def block(self, b: int) -> np.ndarray:
        """Block b's owner draws (the last block drawn is kept: callers go in row order)."""
        if self._cached[0] != b:
            self._cached = (b, self.draw(b, int(self.block_size[b])))
        return self._cached[1]

ORDINARY, IMMINENT = 0, 1


@attrs.define(slots=True)
class Batch:
    """Struct of arrays: one row per investigation, sorted by time, plus the owners near each.

    Bulk steps read `arrays`. A route that runs as a simpy process reads its case's
    values as Python scalars from `case(j)`, extracted only for the few rows that need
    them (a year's rows as Python floats would be ~40 MB).
    """

    arrays: dict  # column name -> numpy array (the per-investigation draws, "day", "agency", ...)
    state_array: np.ndarray
    owners: OwnerSlots
    year: str = ""
    cases: dict = attrs.Factory(dict)  # row -> {column: value}, for rows that run as processes

    def __len__(self) -> int:
        return len(self.state_array)

    def case_id(self, j: int) -> str:
        """A case number for traces, unique within a replication: year and order of opening."""
        return f"{self.year}-{j + 1:05d}"

    def prefill(self, rows: np.ndarray) -> None:
        """Extract the scalar values of `rows` in one go (before their processes start)."""
        columns = [self.arrays[name][rows].tolist() for name in CASE_COLUMNS]
        for j, values in zip(rows.tolist(), zip(*columns, strict=True), strict=True):
            self.cases[j] = dict(zip(CASE_COLUMNS, values, strict=True))

    def case(self, j: int) -> dict:
        """Row j's values as Python scalars: per-investigation draws, "day" and "state"."""
        if j not in self.cases:
            self.prefill(np.array([j]))
        return self.cases[j]


PER_INVESTIGATION = (
    "u_route", "u_case_missing", "u_moderation", "u_escalate", "requested_area",
    "requested_window", "request_delay", "area_consent", "u_process", "court_days",
    "u_judge", "legal_review_days", "u_pushback", "u_identified", "u_preserve", "u_gag",
    "u_target_paid", "u_target_e2ee", "target_retention", "owners_per_warrant",
    "emergency_review_days", "u_grant", "u_ratify", "owners_per_emergency", "u_denied_to_legal",
    "u_only_data", "u_call", "u_reroute", "u_portal_use",
)
CASE_COLUMNS = (*PER_INVESTIGATION, "day", "state")


def draw_year(scenario, agencies: Agencies, clock: Clock, period: int,
              arrivals: np.random.Generator, owners: np.random.Generator,
              review: np.random.Generator, courts: np.random.Generator,
              owner_block: Callable[[int], np.random.Generator]) -> Batch:
    """All platform-relevant investigations opened in calendar period `period`.

    `owner_block(b)` is the stream of this year's owner block b.
    """
    inv, routes = scenario.investigations, scenario.routes
    edges = clock.period_edges()
    lo, hi = edges[period], edges[period + 1]

    # Ordinary investigations: Poisson in time with a yearly-trending rate, agency by size.
    t_ord = _poisson_times(inv.rate_per_agency_year, agencies.size.size, lo, hi, clock, arrivals)
    a_ord = _weighted_choice(agencies.size, t_ord.size, arrivals)
    u_route_ord = arrivals.random(t_ord.size)
    enrolled_ord = agencies.enrolled_at(a_ord, t_ord)
    p_legal = routes.legal_probability_not_enrolled.at_ordinal(clock.ordinal_of(t_ord))
    keep = enrolled_ord | (u_route_ord < p_legal)
    t_ord, a_ord, u_route_ord, enrolled_ord = t_ord[keep], a_ord[keep], u_route_ord[keep], enrolled_ord[keep]
    shares = np.array([t.share for t in inv.incident_types.values()])
    i_ord = _categorical(shares, t_ord.size, arrivals)

    # Imminent-danger investigations (kidnapping, self-harm, ...) from any agency.
    t_imm = _poisson_times(inv.imminent_rate_per_agency_year, agencies.size.size, lo, hi, clock, arrivals)
    a_imm = _weighted_choice(agencies.size, t_imm.size, arrivals)
    i_imm = _categorical(np.array([t.share for t in inv.imminent_types.values()]), t_imm.size, arrivals)
    u_route_imm = arrivals.random(t_imm.size)

    day = np.concatenate([t_ord, t_imm])
    order = np.argsort(day, kind="stable")
    n = day.size
    agency = np.concatenate([a_ord, a_imm])[order]
    kind = np.concatenate([np.full(t_ord.size, ORDINARY), np.full(t_imm.size, IMMINENT)])[order]
    incident = np.concatenate([i_ord, i_imm])[order]
    enrolled = np.concatenate([enrolled_ord, agencies.enrolled_at(a_imm, t_imm)])[order]
    u_route = np.concatenate([u_route_ord, u_route_imm])[order]
    day = day[order]

    u = {"u_route": u_route}
    for name in ("u_case_missing", "u_moderation", "u_escalate", "u_denied_to_legal"):
        u[name] = arrivals.random(n)
    u["requested_area"] = inv.requested_area_sq_mi.sample(arrivals, n)
    u["requested_window"] = inv.requested_window_hours.sample(arrivals, n)
    u["request_delay"] = inv.request_delay_days.sample(arrivals, n)
    u["u_only_data"] = arrivals.random(n)  # drawn last on this stream: earlier draws keep their values
    u["u_call"] = arrivals.random(n)
    u["u_portal_use"] = arrivals.random(n)
    u["area_consent"] = scenario.population.owners.area_consent_multiplier.sample(owners, n)
    legal, own = scenario.legal, scenario.population.owners
    for name in ("u_process", "u_judge", "u_pushback", "u_identified", "u_preserve", "u_gag",
                 "u_target_paid", "u_target_e2ee"):
        u[name] = courts.random(n)
    u["court_days"] = legal.court_days.sample(courts, n)
    u["legal_review_days"] = legal.review_days.sample(courts, n)
    u["target_retention"] = own.retention_choice_days.sample(courts, n)
    u["owners_per_warrant"] = legal.owners_per_warrant.sample(courts, n)
    u["u_reroute"] = courts.random(n)  # drawn last on this stream: earlier draws keep their values
    u["emergency_review_days"] = scenario.emergency.review_days.sample(review, n)
    u["u_grant"] = review.random(n)
    u["u_ratify"] = review.random(n)
    u["owners_per_emergency"] = scenario.emergency.owners_per_request.sample(review, n)

    # Owners near each would-be portal request (ordinary, enrolled agency).
    portal_capable = (kind == ORDINARY) & enrolled
    density = own.cameras_per_sq_mi.at_ordinal(clock.ordinal_of(day))
    lam = np.where(portal_capable, density * u["requested_area"], 0.0)
    count = owners.poisson(lam)
    slots = OwnerSlots.cut(count, lambda b, size: _draw_slots(size, own, owner_block(b)))

    state = agencies.state[agency]
    return Batch(
        arrays={**u, "day": day, "agency": agency, "state": state, "kind": kind, "incident": incident,
                "enrolled": enrolled},
        state_array=state, owners=slots, year=clock.periods[period],
    )


def _draw_slots(total: int, own, rng: np.random.Generator) -> np.ndarray:
    """One block of owners: a row per SLOT_COLUMNS entry (contiguous, for bulk comparisons)."""
    slots = np.empty((len(SLOT_COLUMNS), total), dtype=np.float32)
    rng.random(dtype=np.float32, out=slots[: SLOT["u_reach"] + 1])  # the seven uniforms, in one call
    slots[SLOT["response_delay"]] = own.response_delay_days.sample(rng, total)
    slots[SLOT["retention_choice"]] = own.retention_choice_days.sample(rng, total)
    slots[SLOT["clips"]] = np.maximum(1.0, np.round(own.clips_per_sharing_owner.sample(rng, total)))
    return slots


def _poisson_times(rate_trend, n_agencies: int, lo: float, hi: float, clock: Clock,
                   rng: np.random.Generator) -> np.ndarray:
    """Arrival days in [lo, hi) of a Poisson process with a daily-trending national rate."""
    starts = np.arange(lo, hi)
    widths = np.minimum(starts + 1, hi) - starts
    per_day = rate_trend.at_ordinal(clock.ordinal_of(starts + widths / 2)) * n_agencies / 365.25
    counts = rng.poisson(per_day * widths)
    return np.repeat(starts, counts) + np.repeat(widths, counts) * rng.random(counts.sum())


def _weighted_choice(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(weights)
    idx = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return np.minimum(idx, weights.size - 1)


def _categorical(probabilities: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    idx = np.searchsorted(np.cumsum(probabilities / probabilities.sum()), rng.random(n), side="right")
    return np.minimum(idx, probabilities.size - 1)
