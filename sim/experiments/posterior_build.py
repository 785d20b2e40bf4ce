"""Build the posterior file, resumably, and check it by leaving each target out in turn.

`build` runs the waves of `inference` on the calibrated scenario cut at the last
target year. Each chunk of simulations is saved in the work folder as it finishes, so
an interrupted build picks up where it stopped (same arguments; `--force` starts
again). It writes two data files beside the targets:

- `posterior.toml` and `posterior.csv`: the sample (one CSV row per draw) of the
  unknowns the published figures inform, and its provenance: command, seed, scenario
  and targets hashes, simulations run, the share of the cube not ruled out, MCMC
  acceptance and effective sample size;
- `posterior-design.toml` and `posterior-design.csv`: every design point and its
  simulated target values (one CSV row per simulation), so `ringsim calibrate
  --cross-validate` and the diagnostics re-fit the same emulators.

`cross_validate` leaves each target out, conditions on the rest, and predicts it.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np

from sim.errors import OutputError, ScenarioError, UsageError
from sim.experiments import inference, posterior_files
from sim.experiments.calibration import load_targets
from sim.experiments.workers import worker_pool
from sim.files import write_atomic
from sim.model.streams import replication_seeds
from sim.scenario import loader
from sim.scenario.paths import assign
from sim.scenario.unknowns import unknowns as declared_unknowns
from sim.version import __version__

CHUNK = 40  # simulations saved together: the most an interruption loses
WAVES = (300, 200)  # design points per wave: a space-filling first wave, then one inside the plausible region


def calibration_scenario(scenario: Path, targets) -> loader.LoadedScenario:
    """The scenario cut at the end of the last year any target names: what the build simulates."""
    last = max(int(t.period) for t in targets)
    return loader.load(scenario, overrides={"scenario.end": dt.date(last, 12, 31)})


def build(scenario: Path, targets_path: Path, seed: int, out: Path, work: Path, workers: int = 1,
          executor=None, force: bool = False, waves: tuple[int, ...] = WAVES, on_simulated=None,
          command: str = "") -> dict:
    """Run (or resume) the build; write `out` (posterior.toml) and its design file; return the provenance."""
    targets = load_targets(targets_path)
    base = loader.load(scenario)
    cal = calibration_scenario(scenario, targets)
    targets = tuple(t for t in targets if t.period in cal.years)
    found = declared_unknowns(base)
    if not found:
        raise UsageError(f"{scenario}: no parameter declares a range; there is nothing to infer")
    ident = {"model": design_identity(cal, found), "code": model_fingerprint(), "targets": _sha(targets_path),
             "seed": seed, "waves": list(waves)}
    _prepare(work, ident, force)
    seeds = replication_seeds(seed, sum(waves))
    rng = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(waves) + 2)]
    q_all, y_all, shares = [], [], []
    with worker_pool(workers, executor) as pool:
        for w, n in enumerate(waves):
            if w == 0:
                design = inference.latin_design(n, len(found), rng[0])
            else:  # the next wave where the current emulators put the posterior
                emulators = inference.Emulators.fit(np.vstack(q_all), np.vstack(y_all), seed)
                likelihood = inference.Likelihood(emulators, targets, np.ones(len(targets), bool))
                start, share = inference.non_implausible(likelihood, 400, rng[w])
                shares.append(share)
                design, _chain = inference.sample_posterior(likelihood, emulators.active(), start, rng[w],
                                                            steps=1500, keep=n)
            first = sum(waves[:w])
            q, y = _simulate_wave(work, w, cal, found, targets, design, seeds[first:first + n], pool,
                                  workers if executor is None else None, on_simulated)
            q_all.append(q)
            y_all.append(y)
    q, y = np.vstack(q_all), np.vstack(y_all)
    emulators = inference.Emulators.fit(q, y, seed)
    likelihood = inference.Likelihood(emulators, targets, np.ones(len(targets), bool))
    start, share = inference.non_implausible(likelihood, 400, rng[-2])
    shares.append(share)
    active = emulators.active()
    posterior_q, chain = inference.sample_posterior(likelihood, active, start, rng[-1])
    kept = [u for u, a in zip(found, active, strict=True) if a]
    draws = np.column_stack([u.ppf(posterior_q[:, k]) for k, u in enumerate(found) if active[k]])
    provenance = {
        "command": command, "seed": seed, "built": dt.date.today().isoformat(), "version": __version__,
        "base_file": base.files[0][0], "base_sha256": base.files[0][1],
        "targets_file": str(targets_path), "targets_sha256": _sha(targets_path),
        "targets": [t.id for t in targets], "calibration_horizon": f"{cal.years[0]}-{cal.years[-1]}",
        "simulations": int(len(q)), "waves": list(waves),
        "method": "history matching with Gaussian-process emulators (scikit-learn), then emcee on the emulated "
                  "likelihood; each target's tolerance is a discrepancy of log(1 + tolerance)/2",
        "non_implausible_share_by_wave": shares,
        "mcmc": chain,
        "emulator_noise_sd": dict(zip((t.id for t in targets), emulators.noise_sd.round(4).tolist(), strict=True)),
        "emulator_error_sd": dict(zip((t.id for t in targets), emulators.error_sd.round(4).tolist(), strict=True)),
        "left_at_prior": [u.path for u, a in zip(found, active, strict=True) if not a],
    }
    draws_sha = posterior_files.write_table(posterior_files.csv_beside(out), [u.path for u in kept], draws, 8)
    _write_toml(out, {"note": "posterior sample of the unknowns given the published figures; built by `ringsim "
                              "posterior`; each replication draws one row of the CSV beside (see "
                              "sim/experiments/uncertainty.py)",
                      "provenance": provenance, "parameters": [u.path for u in kept],
                      "draws": {"file": posterior_files.csv_beside(out).name, "sha256": draws_sha,
                                "rows": int(len(draws))}})
    design = design_path(out)
    header = [f"q:{u.path}" for u in found] + [f"y:{t.id}" for t in targets]
    design_sha = posterior_files.write_table(posterior_files.csv_beside(design), header, np.hstack([q, y]), 12)
    _write_toml(design, {"note": "design of the posterior build: each row of the CSV beside is one simulation, "
                                 "its unknowns' prior quantiles (q:) and its simulated target values (y:)",
                         "unknowns": [u.path for u in found], "targets": [t.id for t in targets], "seed": seed,
                         "table": {"file": posterior_files.csv_beside(design).name, "sha256": design_sha}})
    return provenance


def design_identity(cal: loader.LoadedScenario, found) -> str:
    """What the design's simulations depend on: the scenario with every unknown replaced by its prior.

    A stated value that is no prior's mode never enters a design simulation (the design
    sets every unknown), so editing it keeps the finished simulations: a rebuild after
    recording the posterior's medians as stated values only re-fits and re-samples.
    """
    tree = copy.deepcopy(cal.resolved)
    for u in found:
        prior = {"low": u.low, "high": u.high, "prior": u.prior, "mode": u.value if u.prior == "triangular" else None,
                 "shape": [round(v / u.value, 2) for _d, v in u.points] if u.kind == "trend" and u.value else None}
        assign(tree, u.path, prior)
    return hashlib.sha256(json.dumps(tree, sort_keys=True, default=str).encode()).hexdigest()


def model_fingerprint() -> str:
    """The simulation's own code (the model and the scenario stages): finished design
    simulations are reused only by the code that made them. A build once resumed on
    simulations an older model had made; this keeps that from happening again."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*(root / "model").rglob("*.py"), *(root / "scenario").rglob("*.py")]):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def design_path(posterior: Path) -> Path:
    return Path(posterior).with_name(Path(posterior).stem + "-design.toml")


def cross_validate(posterior: Path, targets_path: Path, steps: int = 1500) -> list[dict]:
    """Leave each target out, condition on the others, predict it: one row per target."""
    path = design_path(posterior)
    _raw, doc = posterior_files.read_toml(path, "no design file; build the posterior with `ringsim posterior`")
    by_id = {t.id: t for t in load_targets(targets_path)}
    missing = [i for i in doc["targets"] if i not in by_id]
    if missing:
        raise ScenarioError(str(targets_path), "target", f"the posterior was built on targets it lacks: {missing}")
    targets = tuple(by_id[i] for i in doc["targets"])
    header, table = posterior_files.read_table(path.parent / doc["table"]["file"], doc["table"]["sha256"])
    n_q = len(doc["unknowns"])
    q, y, seed = table[:, :n_q], table[:, n_q:], int(doc["seed"])
    emulators = inference.Emulators.fit(q, y, seed)
    active = emulators.active()
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(len(targets) + 1)[-1])
    cube = inference.candidate_cube(q.shape[1], rng)
    emulated = emulators.mean_sd(cube)  # once for every fold: each leaves out one target of the same emulators
    rows = []
    for i, t in enumerate(targets):
        use = np.ones(len(targets), bool)
        use[i] = False
        likelihood = inference.Likelihood(emulators, targets, use)
        start, _share = inference.non_implausible(likelihood, 200, rng, cube, emulated)
        sample, chain = inference.sample_posterior(likelihood, active, start, rng, steps=steps, keep=600)
        predicted = inference.predictive(emulators, sample, i, rng)
        low, mid, high = np.percentile(predicted, [5, 50, 95])
        rows.append({"id": t.id, "label": t.label, "period": t.period, "published": t.value,
                     "predicted_median": float(mid), "ui90_low": float(low), "ui90_high": float(high),
                     "inside_ui90": bool(t.inside(low, high)), "acceptance_fraction": chain["acceptance_fraction"]})
    return rows


def _simulate_wave(work, w, cal, found, targets, design, seeds, pool, pool_workers, on_simulated):
    """A wave's target values, chunk by chunk; finished chunks are read back, not re-run."""
    q_parts, y_parts = [], []
    for k, first in enumerate(range(0, len(design), CHUNK)):
        chunk = work / f"wave{w + 1}-{k:03d}.json"
        part = design[first:first + CHUNK]
        saved = json.loads(chunk.read_text(encoding="utf-8")) if chunk.exists() else None
        same = saved is not None and np.shape(saved["q"]) == part.shape and np.allclose(saved["q"], part)
        if same:  # the same points as before: read back, not re-run
            q_parts.append(np.array(saved["q"]))
            y_parts.append(np.array(saved["y"], dtype=float))
            if on_simulated is not None:
                on_simulated(len(part))
            continue
        y = inference.simulate_design(cal, found, targets, part, seeds[first:first + CHUNK], pool, pool_workers)
        write_atomic(chunk, json.dumps({"q": part.tolist(), "y": y.tolist()}))
        q_parts.append(part)
        y_parts.append(y)
        if on_simulated is not None:
            on_simulated(len(part))
    return np.vstack(q_parts), np.vstack(y_parts)


def _prepare(work: Path, ident: dict, force: bool) -> None:
    manifest = work / "build.json"
    if force and work.exists():
        for f in work.glob("*.json"):
            f.unlink()
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")) != ident:
        raise OutputError(f"{work}: holds a build with other arguments or files; pass --force to start again")
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{work}: cannot create ({err.strerror})") from None
    write_atomic(manifest, json.dumps(ident, indent=1))


def _write_toml(path: Path, doc: dict) -> None:
    import tomli_w

    write_atomic(Path(path), tomli_w.dumps(doc))


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
