"""Writing a run's contract files, atomically: summary.json, replications.csv, manifest.json.

Files are written into a hidden temporary folder beside the destination and renamed
into place only when complete, so a failed or interrupted run leaves nothing half
written. Floats are formatted deterministically, so the same seed gives byte-identical
files whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import sim
from sim.errors import OutputError
from sim.metrics import CATALOGUE, NAMES
from sim.runner import RunResult

DEPENDENCIES = ("simpy", "attrs", "cattrs", "numpy", "scipy", "matplotlib", "typer", "rich", "jinja2", "fpdf2")
INTERVALS = ("ci95 is the 95% t-interval of the mean over replications; range95 is the "
             "2.5-97.5 percentile band of single replications (compare a published figure with it)")


def summary(result: RunResult) -> dict:
    """The summary.json document: every metric's statistics, whole horizon and per year."""
    years = result.periods[:-1]
    return {
        "scenario": result.loaded.name,
        "title": result.loaded.scenario.scenario.title,
        "seed": result.seed,
        "replications": result.replications,
        "version": sim.__version__,
        "intervals": INTERVALS,
        "metrics": {name: result.summary(name, "all") for name in NAMES},
        "by_period": {year: {name: result.summary(name, year) for name in NAMES} for year in years},
    }


def manifest(result: RunResult, command: str) -> dict:
    """What regenerates these numbers: files with hashes, parameters, seed, versions."""
    loaded = result.loaded
    return {
        "scenario": loaded.name,
        "files": [{"path": path, "sha256": digest} for path, digest in loaded.files],
        "seed": result.seed,
        "replications": result.replications,
        "command": command,
        "version": sim.__version__,
        "python": platform.python_version(),
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "parameters": loaded.resolved,
        "provenance": {path: prov.as_dict() for path, prov in sorted(loaded.provenance.items())},
        "metrics": {m.name: {"kind": m.kind, "description": m.description} for m in CATALOGUE},
    }


CSV_BLOCK = 512  # replications per chunk of replications.csv: bounds memory, not the output


def replications_csv(result: RunResult) -> Iterator[str]:
    """replications.csv in chunks of text, read block by block from the run's store."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["scenario", "replication", "period", *NAMES])
    for first in range(0, result.replications, CSV_BLOCK):
        block = result.store.replications_block(first, min(first + CSV_BLOCK, result.replications))
        for r, table in enumerate(block, start=first):
            for p, period in enumerate(result.periods):
                writer.writerow([result.loaded.name, r, period, *(fmt(v) for v in table[p])])
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


def write_comparison(comparison, out: Path, command: str, force: bool = False) -> list[Path]:
    """Each scenario's contract files in its own subfolder, plus comparison.json/.csv."""
    files: dict[str, str] = {}
    for result in (comparison.base, *comparison.variants):
        files.update(run_files(result, command, prefix=f"{result.loaded.name}/"))
    table = comparison.table()  # every paired difference, computed once for both files
    files["comparison.json"] = dump_json(comparison.document(table))
    files["comparison.csv"] = comparison.csv_text(table)
    return write_folder(out, files, force)


def check_writable(out: Path, force: bool) -> None:
    """Refuse an existing, non-empty output folder unless forced (checked before a long run too)."""
    out = Path(out)
    if out.exists() and not force and (not out.is_dir() or any(out.iterdir())):
        raise OutputError(f"{out}: already exists; pass --force to replace it")


def write_folder(out: Path, files: dict[str, str | bytes | Iterator[str]], force: bool) -> list[Path]:
    """Create `out` holding exactly `files`, all at once or not at all.

    A file's content is text, bytes, or an iterator of text chunks (written as produced).
    """
    out = Path(out)
    check_writable(out, force)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as err:
        raise OutputError(f"{out}: cannot create ({err.strerror})") from None
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(target, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as fh:
                if isinstance(content, (str, bytes)):
                    fh.write(content)
                else:
                    fh.writelines(content)
        _swap_into_place(staging, out)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{out}: cannot write ({err.strerror})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / name for name in files]


def _swap_into_place(staging: Path, out: Path) -> None:
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        old.rmdir()
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
    with contextlib.suppress(OSError):
        os.chmod(out, 0o755)


def dump_json(doc: dict) -> str:
    return json.dumps(_clean(doc), indent=2, ensure_ascii=False) + "\n"


def _clean(node):
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_clean(v) for v in node]
    if isinstance(node, float):
        return None if math.isnan(node) or math.isinf(node) else _round(node)
    return node


def _round(x: float) -> float:
    """12 significant digits: stable text, far below any statistical resolution."""
    return float(f"{x:.12g}")


def fmt(x: float) -> str:
    if math.isnan(x):
        return ""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.12g}"


def number(x: float | None) -> str:
    """A number for people: whole above 100 (with separators), one decimal below."""
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def signed(x: float | None) -> str:
    """A change for people: always signed, with a true minus sign."""
    if x is None:
        return "–"
    return ("+" if x > 0 else "−" if x < 0 else "±") + number(abs(x))


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
