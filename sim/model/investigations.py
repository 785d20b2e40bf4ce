"""Investigations that may reach the platform, drawn in bulk one calendar year at a time.

Everything random about an investigation is drawn here, when it is created, before any
policy is consulted: its time, agency, incident, the request it would make, and the
uniform numbers that will decide each later step on every route (common random
numbers: a reform and the baseline see the same world). Owners near a would-be portal
request are counted here; the portal sorts them into groups per request and draws
single owners (`sim.model.owners`) only when a posted request has willing ones.
Investigations that could never touch the platform (a non-enrolled agency that would
not serve legal process) are thinned away as they are drawn, which is exact for a
Poisson process. Values only a few routes use are kept as uniforms until a route asks
(`Batch.column`).
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.model.owners import Owners
from sim.model.population import Agencies
from sim.scenario.clock import Clock

ORDINARY, IMMINENT = 0, 1


@attrs.define(slots=True)
class Batch:
    """Struct of arrays: one row per investigation, sorted by time, plus the owners near each.

    Every route reads `arrays` in bulk; the queued routes copy out the rows they keep
    (`sim.model.cases.Cases`). A value only some routes need (a court's delay, a
    reviewer's time, how old the footage is) is kept as its uniform in `deferred` and
    made by its distribution's quantile function only for the rows that ask
    (`column`): most investigations never reach a court.
    """

    arrays: dict  # column name -> numpy array (the per-investigation draws, "day", "agency", ...)
    state_array: np.ndarray
    owners: Owners
    year: str = ""
    deferred: dict = attrs.field(factory=dict)  # column name -> (distribution, uniforms)

    def column(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Column `name` at `rows`, made from its uniforms there if it is deferred."""
        if name in self.deferred:
            distribution, u = self.deferred[name]
            return distribution.quantile(u[rows])
        return self.arrays[name][rows]

    def __len__(self) -> int:
        return len(self.state_array)

    def case_id(self, j: int) -> str:
        """A case number for traces, unique within a replication: year and order of opening."""
        return f"{self.year}-{j + 1:05d}"


# A draw from a scenario distribution is named as the field it comes from (`owners_per_warrant`
# from `legal.owners_per_warrant`, `owners_per_request` from `emergency.owners_per_request`).
PER_INVESTIGATION = (
    "u_route", "u_case_missing", "u_moderation", "u_escalate", "requested_area",
    "requested_window", "request_delay", "area_consent", "u_process", "court_days",
    "u_judge", "legal_review_days", "u_pushback", "u_identified", "u_preserve", "u_gag",
    "u_target_paid", "u_target_e2ee", "target_retention", "owners_per_warrant",
    "emergency_review_days", "u_grant", "u_ratify", "owners_per_request", "u_denied_to_legal",
    "u_only_data", "u_call", "u_reroute", "u_portal_use",
    "camera_state", "rules",  # added by sim.model.jurisdiction.place_cameras
)


def draw_year(scenario, agencies: Agencies, clock: Clock, period: int,
              arrivals: np.random.Generator, owners: np.random.Generator,
              review: np.random.Generator, courts: np.random.Generator,
              owner_streams: tuple[np.random.Generator, ...]) -> Batch:
    """All platform-relevant investigations opened in calendar period `period`.

    `owner_streams` are this year's owners' own streams (`Owners`: draws, counts, story).
    """
    inv = scenario.investigations
    edges = clock.period_edges()
    lo, hi = edges[period], edges[period + 1]
    t_ord, a_ord, u_route_ord, enrolled_ord, i_ord = _ordinary(scenario, agencies, clock, lo, hi, arrivals)

    # Imminent-danger investigations (kidnapping, self-harm, ...) from any agency.
    t_imm = _poisson_times(inv.imminent_rate_per_agency_year, agencies.size.size, lo, hi, clock, arrivals)
    a_imm = _weighted_choice(agencies.size, t_imm.size, arrivals)
    i_imm = _categorical(np.array([t.share for t in inv.imminent_types.values()]), t_imm.size, arrivals)
    u_route_imm = arrivals.random(t_imm.size)

    day = np.concatenate([t_ord, t_imm])
    order = np.argsort(day, kind="stable")
    agency = np.concatenate([a_ord, a_imm])[order]
    kind = np.concatenate([np.full(t_ord.size, ORDINARY), np.full(t_imm.size, IMMINENT)])[order]
    incident = np.concatenate([i_ord, i_imm])[order]
    enrolled = np.concatenate([enrolled_ord, agencies.enrolled_at(a_imm, t_imm)])[order]
    day = day[order]
    u, deferred = _per_case(scenario, np.concatenate([u_route_ord, u_route_imm])[order], arrivals, owners, review,
                            courts)

    # Owners near each would-be portal request (ordinary, enrolled agency).
    portal_capable = (kind == ORDINARY) & enrolled
    density = scenario.population.owners.cameras_per_sq_mi.at_ordinal(clock.ordinal_of(day))
    lam = np.where(portal_capable, density * u["requested_area"], 0.0)
    count = owners.poisson(lam)
    u["u_willing"] = owners.random(day.size)  # how many of them are willing (`sim.model.owners.willing_count`)

    state = agencies.state[agency]
    return Batch(
        arrays={**u, "day": day, "agency": agency, "state": state, "kind": kind, "incident": incident,
                "enrolled": enrolled},
        state_array=state, owners=Owners(count.astype(np.int64), *owner_streams), year=clock.periods[period],
        deferred=deferred,
    )


def _ordinary(scenario, agencies: Agencies, clock: Clock, lo: float, hi: float, arrivals: np.random.Generator):
    """Ordinary investigations in [lo, hi): days, agencies, route uniforms, enrolled or not, incident types.

    Poisson in time with a yearly-trending rate, agency by size. Agencies enrolled at
    some time this year draw all their cases; a case before the agency enrolled is kept
    only if it would serve legal process. Agencies not enrolled all year draw only such
    cases: their process thinned as it is drawn (exact for a Poisson process), so the
    cases that could never reach the platform are never made.
    """
    inv, p_legal = scenario.investigations, scenario.routes.legal_probability_not_enrolled
    enrolls = agencies.enroll_day < hi
    share = float(agencies.size[enrolls].sum() / agencies.size.sum())
    t_en = _poisson_times(inv.rate_per_agency_year, agencies.size.size * share, lo, hi, clock, arrivals)
    a_en = _weighted_choice(np.where(enrolls, agencies.size, 0.0), t_en.size, arrivals)
    u_route_en = arrivals.random(t_en.size)
    enrolled_en = agencies.enrolled_at(a_en, t_en)
    keep = enrolled_en | (u_route_en < p_legal.at_ordinal(clock.ordinal_of(t_en)))
    t_not = _poisson_times(inv.rate_per_agency_year, agencies.size.size * (1 - share), lo, hi, clock, arrivals,
                           thinned_by=p_legal)
    a_not = _weighted_choice(np.where(enrolls, 0.0, agencies.size), t_not.size, arrivals)
    # Routing sends every such case to legal process; its uniform is drawn as for any other.
    u_route_not = arrivals.random(t_not.size)
    t_ord, a_ord = np.concatenate([t_en[keep], t_not]), np.concatenate([a_en[keep], a_not])
    u_route_ord = np.concatenate([u_route_en[keep], u_route_not])
    enrolled_ord = np.concatenate([enrolled_en[keep], np.zeros(t_not.size, bool)])
    shares = np.array([t.share for t in inv.incident_types.values()])
    return t_ord, a_ord, u_route_ord, enrolled_ord, _categorical(shares, t_ord.size, arrivals)


def _per_case(scenario, u_route: np.ndarray, arrivals: np.random.Generator, owners: np.random.Generator,
              review: np.random.Generator, courts: np.random.Generator) -> tuple[dict, dict]:
    """Every case's own draws, stream by stream in a fixed order (uniforms now, distributions' quantiles
    deferred until a route needs them): the same case draws the same numbers whatever the policy."""
    inv, legal, own = scenario.investigations, scenario.legal, scenario.population.owners
    n = u_route.size
    u = {"u_route": u_route}
    for name in ("u_case_missing", "u_moderation", "u_escalate", "u_denied_to_legal"):
        u[name] = arrivals.random(n)
    u["requested_area"] = inv.requested_area_sq_mi.sample(arrivals, n)
    deferred = {"requested_window": (inv.requested_window_hours, arrivals.random(n)),
                "request_delay": (inv.request_delay_days, arrivals.random(n))}
    u["u_only_data"] = arrivals.random(n)  # drawn last on this stream: earlier draws keep their values
    u["u_call"] = arrivals.random(n)
    u["u_portal_use"] = arrivals.random(n)
    u["area_consent"] = own.area_consent_multiplier.sample(owners, n)
    for name in ("u_process", "u_judge", "u_pushback", "u_identified", "u_preserve", "u_gag",
                 "u_target_paid", "u_target_e2ee"):
        u[name] = courts.random(n)
    deferred |= {"court_days": (legal.court_days, courts.random(n)),
                 "legal_review_days": (legal.review_days, courts.random(n)),
                 "target_retention": (own.retention_choice_days, courts.random(n)),
                 "owners_per_warrant": (legal.owners_per_warrant, courts.random(n))}
    u["u_reroute"] = courts.random(n)  # drawn last on this stream: earlier draws keep their values
    deferred["emergency_review_days"] = (scenario.emergency.review_days, review.random(n))
    u["u_grant"] = review.random(n)
    u["u_ratify"] = review.random(n)
    deferred["owners_per_request"] = (scenario.emergency.owners_per_request, review.random(n))
    return u, deferred


def _poisson_times(rate_trend, n_agencies: float, lo: float, hi: float, clock: Clock,
                   rng: np.random.Generator, thinned_by=None) -> np.ndarray:
    """Arrival days in [lo, hi) of a Poisson process with a daily-trending national rate.

    The rate is read at each day's middle and held for the day; so is the chance of
    keeping a case, `thinned_by` (a trend), when the process is thinned as it is drawn.
    """
    starts = np.arange(lo, hi)
    widths = np.minimum(starts + 1, hi) - starts
    middle = clock.ordinal_of(starts + widths / 2)
    per_day = rate_trend.at_ordinal(middle) * n_agencies / 365.25
    if thinned_by is not None:
        per_day = per_day * thinned_by.at_ordinal(middle)
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
    # Building the table costs about as much as a binary search of twice as many draws.
    if not total > 0 or x.size < 2 * cumulative.size:
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
