"""What we do not know, in every run: each replication draws its unknowns from the posterior.

`scenarios/calibration/posterior.toml` and `posterior.csv` are data: a sample of
parameter sets (one CSV row each) conditioned on the published figures, and its
provenance (`ringsim posterior` writes both). With `--uncertainty posterior`, replication i of every scenario takes the
same posterior row, chosen by a stream of replication i's own seed, so variants stay
paired (common random numbers). For one scenario:

- an unknown of the calibrated base file takes its value from that row;
- an unknown that a variant declares itself (a law's unknown, with its own range) is
  drawn from its prior, at a quantile fixed by the replication and the parameter's
  path, so the same law in two files draws alike;
- what a variant or a sweep point sets to a plain value is no unknown: it is kept.

With `--uncertainty none` every parameter keeps its stated value and intervals count
chance only.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import attrs
import numpy as np

from sim.errors import ScenarioError, UsageError
from sim.model.streams import Streams
from sim.scenario import loader
from sim.scenario.library import LIBRARY, library_path
from sim.scenario.paths import TIMELINE_PATH
from sim.scenario.unknowns import Unknown, unknowns

DEFAULT_POSTERIOR = library_path("calibration/posterior.toml")
MODES = ("posterior", "none")


@attrs.frozen(slots=True)
class Posterior:
    """A sample of the unknowns given the published figures: one row per draw."""

    path: str
    sha256: str
    base_file: str  # the scenario file it was conditioned on, as named when built
    base_sha256: str
    parameters: tuple[str, ...]
    draws: np.ndarray  # (draws, parameters): values, trend levels for trends
    provenance: dict

    def column(self, path: str) -> np.ndarray:
        return self.draws[:, self.parameters.index(path)]


def load_posterior(path: str | Path = DEFAULT_POSTERIOR) -> Posterior:
    """The posterior: its TOML of provenance and the CSV of draws beside it (`posterior_files`)."""
    from sim.experiments import posterior_files

    path = Path(path)
    raw, doc = posterior_files.read_toml(path, "no posterior file; build one with `ringsim posterior`")
    try:
        parameters = tuple(doc["parameters"])
        draws_file, draws_sha = doc["draws"]["file"], doc["draws"]["sha256"]
        base = doc["provenance"]["base_file"], doc["provenance"]["base_sha256"]
    except (KeyError, TypeError, ValueError) as err:
        raise ScenarioError(str(path), "", f"not a posterior file ({err})") from None
    header, draws = posterior_files.read_table(path.parent / draws_file, draws_sha)
    if tuple(header) != parameters:
        raise ScenarioError(str(path.parent / draws_file), "", "its header must name the posterior's parameters")
    return Posterior(str(path), hashlib.sha256(raw).hexdigest(), base[0], base[1], parameters, draws,
                     doc["provenance"])


def resolve_mode(mode: str | None, posterior: str | Path | Posterior | None = None
                 ) -> tuple[str, Posterior | None]:
    """The mode a run uses: the one asked for, else `auto` wherever a posterior file exists
    (each scenario then draws from the posterior if it extends the posterior's base, and
    keeps stated values if it is a scenario of its own).

    `posterior` is the file to read (or an already loaded posterior); by default the
    library's, found from the working folder or else beside the package.
    """
    if mode is not None and mode not in MODES:
        raise UsageError(f"--uncertainty {mode}: must be one of {', '.join(MODES)}")
    if posterior is None:
        posterior = DEFAULT_POSTERIOR
    if isinstance(posterior, Posterior):
        return ("none", None) if mode == "none" else (mode or "auto", posterior)
    if mode == "none" or (mode is None and not Path(posterior).exists()):
        return "none", None
    return mode or "auto", load_posterior(posterior)


@attrs.frozen(slots=True)
class Draws:
    """How one scenario's replications get their unknowns: which come from the posterior, which from priors."""

    mode: str
    unknowns: tuple[Unknown, ...]
    columns: tuple[int, ...]  # per unknown: its posterior column, or -1 for a prior draw
    posterior: Posterior | None
    rows: np.ndarray | None = None  # a design: replication i takes row i (values), no draw

    @classmethod
    def design(cls, found: list[Unknown], quantiles: np.ndarray) -> Draws:
        """Replication i sets the unknowns `found` at the prior quantiles `quantiles[i]` (a design, not a draw)."""
        values = np.column_stack([u.ppf(quantiles[:, k]) for k, u in enumerate(found)]) if found else \
            np.empty((len(quantiles), 0))
        return cls("design", tuple(found), (-1,) * len(found), None, values)

    @classmethod
    def plan(cls, loaded: loader.LoadedScenario, mode: str, posterior: Posterior | None) -> Draws:
        if mode == "none":
            return cls(mode, (), (), None)
        base_file = next((shown for shown, digest in loaded.files if digest == posterior.base_sha256), None)
        if base_file is None:
            base = (LIBRARY.parent / posterior.base_file).resolve()
            extends_base = any(Path(shown).resolve() == base for shown, _digest in loaded.files)
            if mode == "auto" and not extends_base:
                return cls("none", (), (), None)  # a scenario of its own: the posterior says nothing about it
            if extends_base:
                raise UsageError(f"{loaded.path}: {posterior.base_file} has changed since the posterior "
                                 f"({posterior.path}) was built; rebuild it with `ringsim posterior`, or pass "
                                 "--uncertainty none")
            raise UsageError(f"{loaded.path}: the posterior ({posterior.path}) was built on {posterior.base_file} "
                             "as it was then, which this scenario does not extend; rebuild it with "
                             "`ringsim posterior`, or pass --uncertainty none")
        chosen = loader.set_outside(loaded, base_file)
        found = unknowns(loaded)
        columns = []
        for u in found:
            own = u.path in chosen or _timeline_entry(u.path) in chosen
            columns.append(posterior.parameters.index(u.path) if u.path in posterior.parameters and not own else -1)
        return cls("posterior", tuple(found), tuple(columns), posterior)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(u.path for u in self.unknowns)

    def values(self, index: int, seed: np.random.SeedSequence) -> tuple[dict, np.ndarray]:
        """Replication `index`'s settings (path -> override value) and its numbers, in `names` order.

        A draw uses only the replication's `seed`; a design takes its row `index`.
        """
        if not self.unknowns:
            return {}, np.empty(0)
        if self.rows is not None:
            return self._settings(self.rows[index]), self.rows[index]
        streams = Streams(seed)
        row = int(streams.generator("parameters").integers(len(self.posterior.draws)))
        drawn = np.empty(len(self.unknowns))
        for k, (u, column) in enumerate(zip(self.unknowns, self.columns, strict=True)):
            if column >= 0:
                drawn[k] = self.posterior.draws[row, column]
            else:
                q = streams.generator("parameters", 1, zlib.crc32(u.path.encode())).random()
                drawn[k] = float(u.ppf(q))
        return self._settings(drawn), drawn

    def _settings(self, values: np.ndarray) -> dict:
        return {u.path: u.setting(x) for u, x in zip(self.unknowns, values, strict=True)}


def _timeline_entry(path: str) -> str:
    match = TIMELINE_PATH.match(path)
    return f"timeline[{match[1]}]" if match else ""
