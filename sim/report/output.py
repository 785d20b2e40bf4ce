"""Writing a run's contract files, atomically: summary.json, replications.csv, manifest.json.

Files are written into a hidden temporary folder beside the destination and renamed
into place only when complete, so a failed or interrupted run leaves nothing half
written. Floats are formatted deterministically, so the same seed gives byte-identical
files whatever the number of workers.
"""

from __future__ import annotations

import csv
import io
import platform
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import sim
from sim.experiments.runner import RunResult
from sim.files import write_folder
from sim.formatting import change, count, dump_json, fmt
from sim.model.metrics import ALIASES, CATALOGUE, CHANGE_WORDS, NAMES, STATE_METRICS
from sim.report.findings import clear, verdict_words

DEPENDENCIES = ("simpy", "attrs", "cattrs", "numpy", "scipy", "matplotlib", "typer", "rich", "jinja2", "fpdf2",
                "scikit-learn", "emcee", "SALib", "tomli-w")
INTERVALS = ("ci95 is the 95% t-interval of the mean over replications (Monte Carlo error only); ui90 and "
             "range95 are the 5-95 and 2.5-97.5 percentile bands of single replications; with uncertainty "
             "'posterior' each replication drew its unknowns, so ui90 counts what is unknown as well as chance")


def summary(result: RunResult) -> dict:
    """The summary.json document: every metric's statistics, whole horizon and per year."""
    years = result.periods[:-1]
    return {
        "scenario": result.loaded.name,
        "title": result.loaded.scenario.scenario.title,
        "seed": result.seed,
        "replications": result.replications,
        "version": sim.__version__,
        "uncertainty": result.uncertainty,
        "posterior": _posterior(result),
        "intervals": INTERVALS,
        "metrics": {name: result.summary(name, "all") for name in NAMES},
        "by_period": {year: {name: result.summary(name, year) for name in NAMES} for year in years},
        "by_state": {
            "note": "the state of the agency that asked (the owner's camera is almost always in the same "
                    "place); each state's counts sum to the nation's",
            **{state: {period: {name: result.state_summary(name, state, period) for name in STATE_METRICS}
                       for period in result.periods} for state in result.states}},
    }


def _posterior(result: RunResult) -> dict | None:
    posterior = result.draws.posterior
    if posterior is None:
        return None
    return {"path": posterior.path, "sha256": posterior.sha256, "draws": len(posterior.draws),
            "drawn_from_posterior": [u.path for u, c in zip(result.draws.unknowns, result.draws.columns, strict=True)
                                     if c >= 0],
            "drawn_from_prior": [u.path for u, c in zip(result.draws.unknowns, result.draws.columns, strict=True)
                                 if c < 0]}


def manifest(result: RunResult, command: str) -> dict:
    """What regenerates these numbers: files with hashes, parameters, seed, versions."""
    loaded = result.loaded
    return {
        "scenario": loaded.name,
        "files": [{"path": path, "sha256": digest} for path, digest in loaded.files],
        "seed": result.seed,
        "replications": result.replications,
        "command": command,
        "uncertainty": result.uncertainty,
        "posterior": _posterior(result),
        "version": sim.__version__,
        "python": platform.python_version(),
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "parameters": loaded.resolved,
        "provenance": {path: prov.as_dict() for path, prov in sorted(loaded.provenance.items())},
        "metrics": {m.name: {"kind": m.kind, "description": m.description} for m in CATALOGUE},
        "metric_aliases": dict(ALIASES),  # old name -> the name it now has
        **({"precision": result.precision} if result.precision else {}),
    }


CSV_BLOCK = 512  # replications per chunk of replications.csv: bounds memory, not the output


def replications_csv(result: RunResult) -> Iterator[str]:
    """replications.csv in chunks of text, read block by block from the run's store."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    params = result.draws.names
    writer.writerow(["scenario", "replication", "period", *NAMES, *(f"param.{p}" for p in params)])
    for first in range(0, result.replications, CSV_BLOCK):
        block = result.store.replications_block(first, min(first + CSV_BLOCK, result.replications))
        for r, table in enumerate(block, start=first):
            drawn = [fmt(v) for v in result.parameter_values[r]]
            for p, period in enumerate(result.periods):
                writer.writerow([result.loaded.name, r, period, *(fmt(v) for v in table[p]), *drawn])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()


def run_files(result: RunResult, command: str, prefix: str = "") -> dict[str, str | Iterator[str]]:
    """The three contract files of one run, keyed by their path inside the output folder.

    replications.csv is a stream of chunks, produced while it is written.
    """
    return {
        f"{prefix}summary.json": dump_json(summary(result)),
        f"{prefix}replications.csv": replications_csv(result),
        f"{prefix}manifest.json": dump_json(manifest(result, command)),
    }


def write_run(result: RunResult, out: Path, command: str, force: bool = False) -> list[Path]:
    """Write the three contract files into `out` atomically; return their paths."""
    return write_folder(out, run_files(result, command), force)


def write_comparison(comparison, out: Path, command: str, force: bool = False,
                     extra: dict[str, str | bytes] | None = None) -> list[Path]:
    """Each scenario's contract files in its own subfolder, plus comparison.json/.csv, the
    students' comparison-summary.csv, and any `extra` files (a chart)."""
    files: dict[str, str] = {}
    for result in (comparison.base, *comparison.variants):
        files.update(run_files(result, command, prefix=f"{result.loaded.name}/"))
    table = comparison.table()  # every paired difference, computed once for both files
    files["comparison.json"] = dump_json(comparison.document(table))
    files["comparison.csv"] = comparison.csv_text(table)
    files["comparison-summary.csv"] = summary_csv(comparison, table)
    files["comparison-by-state.csv"] = comparison.state_csv_text()
    files.update(extra or {})
    return write_folder(out, files, force)


def summary_csv(comparison, table: dict) -> str:
    """The students' table: the headline changes in plain words, rounded, one row per variant,
    measure and year (the whole horizon too, when it spans more than one year)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["variant", "measure", "year", "before", "after", "change", "change_low_90", "change_high_90",
                     "clear_change", "verdict"])
    periods = comparison.base.periods
    periods = periods[:-1] if len(periods) == 2 else periods  # one year: its "all" row would repeat it
    for variant in comparison.variants:
        for period in periods:
            for name, words in CHANGE_WORDS.items():
                d = comparison.change(variant, name, period)  # with the brief's verdict, so the words agree
                writer.writerow([variant.loaded.name, words, "all years" if period == "all" else period,
                                 *(_as_read(count, x) for x in (d["base_mean"], d["variant_mean"])),
                                 *(_as_read(change, x) for x in (d["mean"], *d["ui90"])),
                                 "yes" if clear(d) else "no", verdict_words(d, d["n"])])
    return buf.getvalue()


def _as_read(words, x) -> str:
    """A count or a change as people read it (two significant figures, no fraction of a person, U+2212)."""
    return "" if x is None else words(x)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
