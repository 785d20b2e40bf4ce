"""Investigations that may reach the platform, drawn in bulk one calendar year at a time.

Everything random about an investigation is drawn here, when it is created, before any
policy is consulted: its time, agency, incident, the request it would make, and the
uniform numbers that will decide each later step on every route (common random
numbers: a reform and the baseline see the same world). Owners near a would-be portal
request are counted here; their own draws (`Owners`) are made only when a posted
request needs them. Investigations that could never touch the platform
(a non-enrolled agency that would not serve legal process) are thinned away here, which
is exact for a Poisson process.
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.model.population import Agencies
from sim.scenario.clock import Clock

# Each owner's uniforms (`Owners.uniforms`), in order: float32, as many as 32-bit
# halves of the stream's 64-bit draws. A value with a distribution (response delay,
# retention, clips) is made by its quantile function from a 48-bit uniform built of two
# columns (`Owners.fine`), only for the owners that reach it: 24 bits would cut the
# distribution's tail at its 1 - 6e-8 quantile.
OWNER_COLUMNS = ("u_area", "u_opt_out", "u_reach", "u_consent", "u_paid", "u_e2ee", "u_audio",
                 "u_delay", "u_delay_low", "u_retention", "u_retention_low", "u_clips", "u_clips_low")
OWNER = {name: i for i, name in enumerate(OWNER_COLUMNS)}
# Uniforms per owner: an even count, so every owner starts on a whole 64-bit draw (one spare).
OWNER_WIDTH = 14
_DRAWS_PER_OWNER = OWNER_WIDTH // 2


@attrs.define(slots=True)
class Owners:
    """The camera owners near each would-be portal request, drawn only when asked for.

    Owners are numbered through the year in request order; owner k's uniforms are
    64-bit draws 7k to 7k + 6 of the year's owner stream (`Streams.jumpable`), so drawing
    the owners of the posted requests alone gives each the numbers it would have had
    in a full draw, whatever the policy posts (common random numbers).
    """

    count: np.ndarray  # owners per request (0 if it could not be a portal request)
    first: np.ndarray  # each request's first owner, numbered through the year
    bits: np.random.PCG64  # the year's owner stream
    _start: dict = attrs.field(init=False)  # `bits` before any draw
    _draws: np.random.Generator = attrs.field(init=False)
    _at: int = 0  # the owner `bits` draws next

    def __attrs_post_init__(self):
        self._start = self.bits.state
        self._draws = np.random.Generator(self.bits)

    @classmethod
    def number(cls, count: np.ndarray, bits: np.random.PCG64) -> Owners:
        count = count.astype(np.int64)
        return cls(count=count, first=np.cumsum(count) - count, bits=bits)

    def uniforms(self, rows: np.ndarray) -> np.ndarray:
        """(owners of `rows`, OWNER_WIDTH) uniforms: each row's owners together, rows in the order given (ascending)."""
        count, first = self.count[rows], self.first[rows]
        count, first = count[count > 0], first[count > 0]
        out = np.empty((int(count.sum()), OWNER_WIDTH), dtype=np.float32)
        if not count.size:
            return out
        # One call per run of requests whose owners follow one another in the year; the
        # owners between runs are jumped over, not drawn (measured faster than drawing
        # short gaps and gathering).
        run_start = np.flatnonzero(np.concatenate([[True], first[1:] != (first + count)[:-1]]))
        at = 0
        for owner, size in zip(first[run_start].tolist(), np.add.reduceat(count, run_start).tolist(), strict=True):
            self._draw(owner, out[at:at + size])
            at += size
        return out

    def _draw(self, owner: int, out: np.ndarray) -> None:
        """Fill `out` with the uniforms of owners `owner`, `owner + 1`, ... (jumping ahead to `owner`)."""
        if owner < self._at:  # back to the start, then forward
            self.bits.state, self._at = self._start, 0
        if owner > self._at:
            self.bits.advance((owner - self._at) * _DRAWS_PER_OWNER)
        self._draws.random(dtype=np.float32, out=out)
        self._at = owner + len(out)

    @staticmethod
    def fine(uniforms: np.ndarray, column: str) -> np.ndarray:
        """The 48-bit uniform (float64) of `column`: its float32 column, refined by the next."""
        i = OWNER[column]
        return uniforms[:, i].astype(np.float64) + uniforms[:, i + 1].astype(np.float64) * 2.0**-24


ORDINARY, IMMINENT = 0, 1


@attrs.define(slots=True)
class Batch:
    """Struct of arrays: one row per investigation, sorted by time, plus the owners near each.

    Every route reads `arrays` in bulk; the queued routes copy out the rows they keep
    (`sim.model.cases.Cases`).
    """

    arrays: dict  # column name -> numpy array (the per-investigation draws, "day", "agency", ...)
    state_array: np.ndarray
    owners: Owners
    year: str = ""

    def __len__(self) -> int:
        return len(self.state_array)

    def case_id(self, j: int) -> str:
        """A case number for traces, unique within a replication: year and order of opening."""
        return f"{self.year}-{j + 1:05d}"


PER_INVESTIGATION = (
    "u_route", "u_case_missing", "u_moderation", "u_escalate", "requested_area",
    "requested_window", "request_delay", "area_consent", "u_process", "court_days",
    "u_judge", "legal_review_days", "u_pushback", "u_identified", "u_preserve", "u_gag",
    "u_target_paid", "u_target_e2ee", "target_retention", "owners_per_warrant",
    "emergency_review_days", "u_grant", "u_ratify", "owners_per_emergency", "u_denied_to_legal",
    "u_only_data", "u_call", "u_reroute", "u_portal_use",
)


def draw_year(scenario, agencies: Agencies, clock: Clock, period: int,
              arrivals: np.random.Generator, owners: np.random.Generator,
              review: np.random.Generator, courts: np.random.Generator, owner_bits: np.random.PCG64) -> Batch:
    """All platform-relevant investigations opened in calendar period `period`.

    `owner_bits` is the stream of this year's owners (`Owners`).
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

    state = agencies.state[agency]
    return Batch(
        arrays={**u, "day": day, "agency": agency, "state": state, "kind": kind, "incident": incident,
                "enrolled": enrolled},
        state_array=state, owners=Owners.number(count, owner_bits), year=clock.periods[period],
    )


def _poisson_times(rate_trend, n_agencies: int, lo: float, hi: float, clock: Clock,
                   rng: np.random.Generator) -> np.ndarray:
    """Arrival days in [lo, hi) of a Poisson process with a daily-trending national rate."""
    starts = np.arange(lo, hi)
    widths = np.minimum(starts + 1, hi) - starts
    per_day = rate_trend.at_ordinal(clock.ordinal_of(starts + widths / 2)) * n_agencies / 365.25
    counts = rng.poisson(per_day * widths)
    return np.repeat(starts, counts) + np.repeat(widths, counts) * rng.random(counts.sum())


def _weighted_choice(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n indices drawn with probability proportional to `weights` (by inverse CDF: one uniform each)."""
    cumulative = np.cumsum(weights)
    return np.minimum(guided_search(cumulative, rng.random(n) * cumulative[-1]), weights.size - 1)


def guided_search(cumulative: np.ndarray, x: np.ndarray) -> np.ndarray:
    """`np.searchsorted(cumulative, x, side="right")`, exactly, for a long nondecreasing `cumulative`.

    A guide table (Chen and Asau's indexed search) gives each draw a start within a
    bucket of the range; a short forward scan finishes it. That is O(1) per draw instead
    of a binary search whose every step misses the cache (here: 17,000 agencies).
    """
    buckets = 4 * cumulative.size  # measured: four per entry leaves under half a scan step per draw
    total = float(cumulative[-1])
    if not total > 0 or x.size < 64:
        return np.searchsorted(cumulative, x, side="right")
    guide = np.searchsorted(cumulative, np.arange(buckets) * (total / buckets), side="right")
    # One bucket lower than x's own: its lower edge is surely at or below x, whatever the rounding.
    bucket = np.clip((x * (buckets / total)).astype(np.int64) - 1, 0, buckets - 1)
    padded = np.append(cumulative, np.inf)
    found = guide[bucket]
    todo = np.flatnonzero(padded[found] <= x)
    while todo.size:
        found[todo] += 1
        todo = todo[padded[found[todo]] <= x[todo]]
    return found


def _categorical(probabilities: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    idx = np.searchsorted(np.cumsum(probabilities / probabilities.sum()), rng.random(n), side="right")
    return np.minimum(idx, probabilities.size - 1)
