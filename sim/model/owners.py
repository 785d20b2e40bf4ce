"""The camera owners near each would-be portal request: counted per request, drawn one by one only if willing.

An owner near a request is notified or not (outside the area the portal allows, opted
out, never saw a public post) and, if notified, willing to consent or not. Every one of
those chances is the same for all owners of one request, so the owners of a request fall
into these groups as a multinomial draw. The portal counts them per request
(`notified_count`, `willing_count`, `not_notified_why`) and draws single owners
only for the willing (about 3% of the owners near a posted request): their response
delay, retention, plan, encryption, clips and audio (`Owners.uniforms`).

Common random numbers:
- The notified counts come first, from the year's `counts` stream. A reform of consent
  alone notifies the same owners; one that changes who is notified (the area allowed,
  opt-out, a public post) or which requests are posted redraws that year's notified
  counts from the first request it changes.
- Of the notified, the willing count is the binomial quantile of the request's own
  uniform (`u_willing`, drawn with the investigation), so a reform that raises the
  chance to consent only adds willing owners to a request, never takes one away.
- The willing owners' own uniforms are read in turn from the `draws` stream. A reform
  that changes no request's willing count (retention, encryption, plans, another route)
  gives every owner the same numbers; one that does reshuffles them from the first
  request it changes. Drawing every owner by position (PCG64 jumps) kept owners
  paired through such reforms too, but cost more than the rest of the portal together.
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.scenario.distributions import binomial_quantile

# Each willing owner's uniforms, in order: float32, as many as 32-bit halves of the
# stream's 64-bit draws. A value with a distribution (response delay, retention,
# clips) is made by its quantile function from a 48-bit uniform built of two columns
# (`Owners.fine`): 24 bits would cut the distribution's tail at its 1 - 6e-8 quantile.
OWNER_COLUMNS = ("u_paid", "u_e2ee", "u_audio", "u_delay", "u_delay_low", "u_retention", "u_retention_low",
                 "u_clips", "u_clips_low")
OWNER = {name: i for i, name in enumerate(OWNER_COLUMNS)}
OWNER_WIDTH = 10  # even: every owner starts on a whole 64-bit draw (one spare)


@attrs.frozen(slots=True)
class Owners:
    """How many camera owners are near each investigation's would-be portal request, and their streams.

    Three streams of the year, each its own child of the replication's seed:
    `draws` for the willing owners' uniforms, `counts` for the notified counts, `story`
    for the counts only a trace tells (so tracing moves no number).
    """

    count: np.ndarray  # owners per request (0 if it could not be a portal request)
    draws: np.random.Generator
    counts: np.random.Generator
    story: np.random.Generator

    def uniforms(self, willing: int) -> np.ndarray:
        """(willing, OWNER_WIDTH) uniforms of the next `willing` willing owners."""
        return self.draws.random((willing, OWNER_WIDTH), dtype=np.float32)

    @staticmethod
    def fine(uniforms: np.ndarray, column: str) -> np.ndarray:
        """The 48-bit uniform (float64) of `column`: its float32 column, refined by the next."""
        i = OWNER[column]
        return uniforms[:, i].astype(np.float64) + uniforms[:, i + 1].astype(np.float64) * 2.0**-24


def notified_count(rng: np.random.Generator, count: np.ndarray, notified: np.ndarray) -> np.ndarray:
    """Owners of each request who are notified (in the area, not opted out, reached): Binomial(count, notified)."""
    return rng.binomial(count, notified)


def willing_count(u_willing: np.ndarray, notified: np.ndarray, consent: np.ndarray) -> np.ndarray:
    """Notified owners of each request willing to consent: Binomial(notified, consent), by inverse CDF
    from the request's own uniform (one uniform each, so a higher chance never takes one away)."""
    return binomial_quantile(u_willing, notified, consent)


def not_notified_why(rng: np.random.Generator, rest, area, opt_out, reach) -> tuple[np.ndarray, ...]:
    """Of `rest` owners not notified: how many were outside the area, opted out, never saw the post.

    Their chances, among the not notified: 1 − area; area × opt_out; area × (1 − opt_out) × (1 − reach).
    """
    outside = rng.binomial(rest, _share(1 - area, 1 - area * (1 - opt_out) * reach))
    opted_out = rng.binomial(rest - outside, _share(opt_out, opt_out + (1 - opt_out) * (1 - reach)))
    return outside, opted_out, rest - outside - opted_out


def _share(part, whole) -> np.ndarray:
    """part / whole in [0, 1] (0 where whole is 0: then no owner is left to fall in the part)."""
    part, whole = np.broadcast_arrays(np.asarray(part, float), np.asarray(whole, float))
    return np.clip(np.divide(part, whole, out=np.zeros(part.shape), where=whole > 0), 0.0, 1.0)
