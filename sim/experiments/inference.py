"""Conditioning the unknowns on every published figure at once: emulators, history matching, MCMC.

Why this method: the calibration horizon (2018-2022) costs about a second per
simulation, so the 10^4 simulations of ABC are hours on two cores, while a Gaussian
process emulator learns each target's response from a few hundred. The steps:

1. **Design.** A Latin hypercube (scipy.stats.qmc) over the unknowns' quantile cube,
   where every prior is uniform: quantile q of an unknown is its value `ppf(q)`.
2. **Simulate** each design point once (one replication, its own seed), on the
   calibrated scenario cut at the last target year.
3. **Emulate** each target's log value with a scikit-learn Gaussian process (ARD
   squared-exponential plus white noise: the white part learns the simulation noise).
4. **History match.** Rule out the parts of the cube where some target's
   implausibility |z - E f| / sd exceeds 3; the next wave's design points are drawn
   from what is left, so the emulators sharpen where the posterior lies.
5. **Sample** the posterior over the quantile cube with emcee's affine-invariant
   ensemble, with a likelihood from the emulators and each target's argued tolerance
   (as a discrepancy of tolerance/2 on the log scale, a 95% band of the tolerance).

Unknowns every emulator ignores (an ARD length scale longer than the cube many times
over) are left out of the posterior: each replication then draws them from their
prior, as it would anyway. Every random number comes from a Generator spawned from the
build's seed; emcee is given its own RandomState, seeded from that Generator.
"""

from __future__ import annotations

import math
import os
import warnings

import attrs
import numpy as np
from scipy import stats as sps
from scipy.stats import qmc

from sim.model.metrics import INDEX

IMPLAUSIBLE = 3.0  # Pukelsheim's three-sigma rule, the usual cut in history matching
INACTIVE_LENGTH = 20.0  # an ARD length scale (in cube units) beyond which an input does nothing
TINY = 1e-9
BOUNDS = ("lower_bound", "upper_bound")  # target kinds that give a window, not a point


def target_value(target, table: np.ndarray, periods: tuple[str, ...]) -> float:
    """One replication's value of a target: a sum of metrics, or a ratio of sums."""
    row = table[periods.index(target.period)]
    top = sum(row[INDEX[m]] for m in target.metrics)
    if not target.per:
        return float(top)
    bottom = sum(row[INDEX[m]] for m in target.per)
    return float(top / bottom) if bottom > 0 else float("nan")


def latin_design(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    return qmc.LatinHypercube(d=dims, seed=rng).random(n)


def simulate_design(loaded, unknowns, targets, design: np.ndarray, seeds, pool, pool_workers=None) -> np.ndarray:
    """Each design point's target values (one replication each, seed `seeds[j]`): (points, targets)."""
    from sim.experiments.runner import run_checked
    from sim.experiments.uncertainty import Draws

    result = run_checked([loaded], len(design), 0, pool, pool_workers, draws=[Draws.design(unknowns, design)],
                         seeds=seeds)[0]
    return np.array([[target_value(t, table, result.periods) for t in targets] for table in result.tables])


@attrs.define
class Emulators:
    """One Gaussian process per target, on the log of its single-replication value."""

    gps: list
    noise_sd: np.ndarray  # simulation noise per target (log scale), learnt by the white kernel
    error_sd: np.ndarray  # the emulator's own error per target (log scale), from held-out points

    @classmethod
    def fit(cls, q: np.ndarray, y: np.ndarray, seed: int, jobs: int | None = None) -> Emulators:
        """One emulator per target, fitted side by side on `jobs` processes (by default, every core).

        Each fit depends only on its target's values and its own seed, so the emulators
        are the same whatever the number of processes.
        """
        from joblib import Parallel, delayed

        logs = np.log(np.maximum(y, TINY))
        jobs = jobs or min(os.cpu_count() or 1, y.shape[1])
        gps = Parallel(n_jobs=jobs)(delayed(_fit_one)(q, logs[:, i], seed + i) for i in range(y.shape[1]))
        noise = [math.sqrt(gp.kernel_.k2.noise_level) * float(np.atleast_1d(gp._y_train_std)[0]) for gp in gps]
        emulators = cls(list(gps), np.array(noise), np.zeros(y.shape[1]))
        emulators.error_sd = emulators._held_out_error(q, logs, seed)
        return emulators

    def _held_out_error(self, q, logs, seed) -> np.ndarray:
        """RMSE of each emulator on a fifth of the points it was not fitted on, beyond the noise."""
        from sklearn.base import clone

        rng = np.random.default_rng(seed)
        held = rng.random(len(q)) < 0.2
        errors = []
        for i, gp in enumerate(self.gps):
            ok = np.isfinite(logs[:, i])
            refit = clone(gp).set_params(kernel=gp.kernel_, optimizer=None)
            refit.fit(q[ok & ~held], logs[ok & ~held, i])
            resid = refit.predict(q[ok & held]) - logs[ok & held, i]
            excess = max(float(np.mean(resid ** 2)) - self.noise_sd[i] ** 2, 0.0)
            errors.append(math.sqrt(excess))
        return np.array(errors)

    def mean(self, q: np.ndarray) -> np.ndarray:
        """Emulated log values, (points, targets)."""
        return np.column_stack([gp.predict(q) for gp in self.gps])

    def mean_sd(self, q: np.ndarray, chunk: int = 4000) -> tuple[np.ndarray, np.ndarray]:
        """Emulated log values and the emulator's own sd (noise excluded), for history matching."""
        means, sds = [], []
        for start in range(0, len(q), chunk):
            part = q[start:start + chunk]
            m, s = zip(*(gp.predict(part, return_std=True) for gp in self.gps), strict=True)
            means.append(np.column_stack(m))
            total = np.column_stack(s) ** 2 - self.noise_sd ** 2
            sds.append(np.sqrt(np.maximum(total, 0.0)))
        return np.vstack(means), np.vstack(sds)

    def active(self) -> np.ndarray:
        """Inputs some emulator responds to (an ARD length scale shorter than INACTIVE_LENGTH)."""
        scales = np.array([np.atleast_1d(gp.kernel_.k1.k2.length_scale) for gp in self.gps])
        return scales.min(axis=0) < INACTIVE_LENGTH


@attrs.frozen(slots=True)
class Likelihood:
    """log p(published figures | quantile point), through the emulators; targets may be left out."""

    emulators: Emulators
    targets: tuple
    use: np.ndarray  # bool per target: condition on it?

    def discrepancy_sd(self) -> np.ndarray:
        return np.array([math.log1p(t.tolerance) / 2 for t in self.targets])

    def __call__(self, q: np.ndarray) -> np.ndarray:
        q = np.atleast_2d(q)
        inside = np.all((q >= 0) & (q < 1), axis=1)
        out = np.full(len(q), -np.inf)
        if not inside.any():
            return out
        mu = self.emulators.mean(q[inside])
        total = 0.0
        em = self.emulators
        for i, t in enumerate(self.targets):
            if not self.use[i]:
                continue
            if t.kind in BOUNDS:  # the mean must lie in the bound's window (`bound_window`)
                mean_log = mu[:, i] + em.noise_sd[i] ** 2 / 2  # a lognormal's mean, on the log scale
                s = em.error_sd[i] + 0.02
                low, high = bound_window(t)
                if low is not None:
                    total = total + sps.norm.logcdf((mean_log - low) / s)
                total = total + sps.norm.logcdf((high - mean_log) / s)
            else:
                sd = math.sqrt(self.discrepancy_sd()[i] ** 2 + em.noise_sd[i] ** 2 + em.error_sd[i] ** 2)
                total = total + sps.norm.logpdf(math.log(max(t.value, TINY)), mu[:, i], sd)
        out[inside] = total
        return out

    def implausibility(self, q: np.ndarray, emulated: tuple | None = None) -> np.ndarray:
        """Largest implausibility over the targets used, per point (lower bounds count below their floor).

        `emulated` is `emulators.mean_sd(q)` when already known (it is the costly part).
        """
        mu, sd_em = emulated if emulated is not None else self.emulators.mean_sd(q)
        worst = np.zeros(len(q))
        for i, t in enumerate(self.targets):
            if not self.use[i]:
                continue
            sd = np.sqrt(self.discrepancy_sd()[i] ** 2 + self.emulators.noise_sd[i] ** 2 + sd_em[:, i] ** 2)
            z = math.log(max(t.value, TINY))
            gap = (np.maximum(z - mu[:, i], 0.0) if t.kind == "lower_bound" else
                   np.maximum(mu[:, i] - z, 0.0) if t.kind == "upper_bound" else np.abs(z - mu[:, i]))
            worst = np.maximum(worst, gap / sd)
        return worst


def bound_window(target) -> tuple[float | None, float]:
    """The log-scale window a bound's mean must lie in: a floor "more than X" admits
    [X, X(1 + tolerance)]; a ceiling "fewer than X" admits [X(1 - tolerance), X], with no
    floor when the tolerance is 1 or more (any count below the figure fits its words)."""
    if target.kind == "lower_bound":
        return math.log(target.value), math.log(target.value * (1 + target.tolerance))
    low = None if target.tolerance >= 1 else math.log(target.value * (1 - target.tolerance))
    return low, math.log(target.value)


def _fit_one(q: np.ndarray, logs: np.ndarray, seed: int):
    """One target's Gaussian process (ARD squared-exponential plus white noise) on its finite log values."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    ok = np.isfinite(logs)
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(q.shape[1], 0.5), (0.02, 1e3))
              + WhiteKernel(1e-2, (1e-8, 1.0)))
    gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bound warnings on irrelevant inputs' length scales
        gp.fit(q[ok], logs[ok])
    return gp


def candidate_cube(dims: int, rng: np.random.Generator, candidates: int = 2**14) -> np.ndarray:
    return qmc.Sobol(d=dims, seed=rng).random(candidates)


def non_implausible(likelihood: Likelihood, n: int, rng: np.random.Generator, cube: np.ndarray | None = None,
                    emulated: tuple | None = None):
    """`n` points of the quantile cube not ruled out, and the share of the cube that is not.

    `cube` (candidate points) and `emulated` (their `mean_sd`) may be given to reuse them.
    """
    if cube is None:
        cube = candidate_cube(len(likelihood.emulators.active()), rng)
    keep = likelihood.implausibility(cube, emulated) < IMPLAUSIBLE
    share = float(keep.mean())
    pool = cube[keep] if keep.any() else cube
    return pool[rng.choice(len(pool), size=min(n, len(pool)), replace=False)], share


def sample_posterior(likelihood: Likelihood, dims: np.ndarray, start: np.ndarray, rng: np.random.Generator,
                     steps: int = 3000, keep: int = 1000) -> tuple[np.ndarray, dict]:
    """emcee over the active dimensions `dims` (the others stay at their prior: uniform quantiles).

    `start` holds non-implausible points to start the walkers from. Returns (keep, all
    dims) quantile points and diagnostics: acceptance fraction and effective sample size.
    """
    import logging

    import emcee

    logging.getLogger("emcee").setLevel(logging.ERROR)  # short-chain notes: the ESS below says it plainly
    d = int(dims.sum())
    walkers = max(2 * d + 2, 32)
    base = np.full(len(dims), 0.5)

    def log_prob(x):
        q = np.tile(base, (len(x), 1))
        q[:, dims] = x
        return likelihood(q)

    chosen = rng.choice(len(start), size=walkers, replace=len(start) < walkers)
    p0 = np.clip(start[chosen][:, dims] + rng.normal(0, 0.01, (walkers, d)), 1e-4, 1 - 1e-4)
    sampler = emcee.EnsembleSampler(walkers, d, log_prob, vectorize=True)
    sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
    sampler.run_mcmc(p0, steps, progress=False)
    burn = steps // 3
    chain = sampler.get_chain(discard=burn, flat=True)
    tau = sampler.get_autocorr_time(discard=burn, quiet=True)
    ess = float(chain.shape[0] / np.nanmax(tau)) if np.isfinite(tau).any() else float("nan")
    picked = chain[rng.choice(len(chain), size=min(keep, len(chain)), replace=False)]
    q = rng.random((len(picked), len(dims)))  # inactive inputs: fresh prior draws
    q[:, dims] = picked
    return q, {"walkers": walkers, "steps": steps, "burn_in": burn,
               "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
               "autocorrelation_steps": float(np.nanmax(tau)), "effective_sample_size": ess}


def predictive(emulators: Emulators, q: np.ndarray, target_index: int, rng: np.random.Generator) -> np.ndarray:
    """Single-replication values of one target at posterior points, as the emulator predicts them."""
    mu = emulators.gps[target_index].predict(q)
    sd = math.hypot(emulators.noise_sd[target_index], emulators.error_sd[target_index])
    return np.exp(mu + rng.normal(0.0, sd, len(q)))
