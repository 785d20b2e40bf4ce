"""The posterior's files: a small TOML of provenance beside a CSV of draws, one row per draw.

A rebuild's diff then shows what moved: the TOML says how the sample was made, and
the CSV has a header naming each column and one line per draw, so `git diff` reads
row by row instead of one number per line. The TOML records the CSV's name and
sha256; a CSV that does not match it is refused, so the TOML's own hash (printed in
every manifest) stands for both files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from pathlib import Path

import numpy as np

from sim.errors import ScenarioError
from sim.files import write_atomic
from sim.scenario.reading import read_limited


def write_table(path: Path, header: list[str], rows: np.ndarray, digits: int) -> str:
    """Write `rows` under `header` as CSV (numbers to `digits` significant figures); return its sha256."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[f"{x:.{digits}g}" for x in row] for row in np.asarray(rows, dtype=float)])
    text = out.getvalue()
    write_atomic(path, text)
    return hashlib.sha256(text.encode()).hexdigest()


def read_table(path: Path, sha256: str | None = None) -> tuple[list[str], np.ndarray]:
    """A CSV written by `write_table`: its header and its numbers; checked against `sha256` if given."""
    raw = read_limited(path, str(path))
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise ScenarioError(str(path), "", "does not match the sha256 its TOML records; rebuild with "
                                           "`ringsim posterior`")
    try:
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
        header, values = rows[0], np.array(rows[1:], dtype=float)
    except (UnicodeDecodeError, IndexError, ValueError) as err:
        raise ScenarioError(str(path), "", f"not a table of numbers under a header ({err})") from None
    if values.ndim != 2 or values.shape[1] != len(header) or not len(values) or not np.isfinite(values).all():
        raise ScenarioError(str(path), "", "must be a table of finite numbers, one column per header name")
    return header, values


def read_toml(path: Path, missing: str) -> tuple[bytes, dict]:
    """A posterior TOML's bytes and document; `missing` is the message when there is no such file."""
    if not Path(path).exists():
        raise ScenarioError(str(path), "", missing)
    raw = read_limited(Path(path), str(path))
    try:
        return raw, tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ScenarioError(str(path), "", f"not valid TOML: {err}") from None


def csv_beside(toml_path: Path) -> Path:
    """The CSV that goes with a posterior TOML: same folder, same stem."""
    return Path(toml_path).with_suffix(".csv")
