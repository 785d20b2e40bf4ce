"""Who takes part in portal requests where a law makes them an opt-in feature.

Nationally, owners take part unless they opt out (from 2020). A law such as New York
S9267 or California AB 2062 forbids turning such a feature on by default: then only
owners who switched it on are asked, a share `portal.opt_in_share` of the owners. Those
who opt in are taken to be among the owners who would not have opted out, so of the
owners a request would reach under opt-out, a share opt_in_share / (1 − opt_out_share)
is asked (the loader holds it at most 1).

Common random numbers: the owners a request reaches and the willing among them are first
counted as under opt-out (same draws, same stream positions), then thinned per request
by the binomial quantile of the request's own uniform (`u_opt_in`, from the cameras
stream). The willing owners kept are the first of the request's own block of uniforms,
so a request bound by opt-in takes no uniform from any other request: an opt-in rule in
one state changes no request about cameras elsewhere.
"""

from __future__ import annotations

import numpy as np

from sim.model.owners import willing_count
from sim.scenario.distributions import binomial_quantile


def opted_in(rule, arrays, rows, opt_out, notified, willing, consent, by):
    """The portal's owners of requests `rows` where the rules (`rule(path, rows)`) make requests opt-in:
    (notified, willing, which willing owners to keep, the share not asked for the story: opted out or not
    opted in)."""
    opt_in = rule("portal.participation", rows) == "opt_in"
    if not opt_in.any():
        return notified, willing, slice(None), opt_out
    share = np.where(opt_in, rule("portal.opt_in_share", rows), 0.0).astype(float)  # set wherever opt-in
    factor = opt_in_factor(share, opt_out)
    notified, willing, kept = thin_to_opted_in(opt_in, factor, arrays["u_opt_in"][rows], arrays["u_willing"][rows],
                                               notified, willing, consent, by)
    return notified, willing, kept, np.where(opt_in, 1 - (1 - opt_out) * factor, opt_out)


def opt_in_factor(opt_in_share: np.ndarray, opt_out: np.ndarray) -> np.ndarray:
    """Of the owners opt-out would reach, the share who opted in (opted-in owners are among those not opted out)."""
    return np.clip(np.divide(opt_in_share, 1.0 - opt_out, out=np.ones(np.shape(opt_out)), where=opt_out < 1), 0, 1)


def thin_to_opted_in(opt_in: np.ndarray, factor: np.ndarray, u_opt_in: np.ndarray, u_willing: np.ndarray,
                     notified: np.ndarray, willing: np.ndarray, consent: np.ndarray, by: np.ndarray):
    """Where `opt_in`, keep only owners who opted in: (notified, willing, which willing owners to keep).

    `by` gives each willing owner's request (ascending, one block per request, in the
    order the owners' uniforms were drawn).
    """
    notified, willing_kept = notified.copy(), willing.copy()
    rows = np.flatnonzero(opt_in)
    notified[rows] = binomial_quantile(u_opt_in[rows], notified[rows], np.broadcast_to(factor, opt_in.shape)[rows])
    consent_rows = np.broadcast_to(consent, opt_in.shape)[rows]
    willing_kept[rows] = np.minimum(willing_count(u_willing[rows], notified[rows], consent_rows), willing[rows])
    start = np.cumsum(willing) - willing
    rank = np.arange(by.size) - start[by]
    return notified, willing_kept, rank < willing_kept[by]
