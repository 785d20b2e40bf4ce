"""The teacher's answer key: its tables are the lesson's own comparisons, as students see them.

`sim/guides/answer-key.md` holds one table per exercise, whose rows are the measures of
`comparison-summary.csv` (before, after, change). `key_tables` reads them from a folder
the lesson's `ringsim lesson N run` commands wrote; `rewrite` puts them into the key's
text; `python -m sim.report.answer_key` runs those commands in a fresh folder and
rewrites the key (after a model change, then review the words around the tables).
A test runs the same commands and checks the key equals what they give.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import tempfile
from pathlib import Path

KEY = Path(__file__).resolve().parents[1] / "guides" / "answer-key.md"
FOLDERS = {"1": "portal", "2": "emergency", "3": "e2ee"}  # the exercise's `ringsim lesson N run` output
MINUS = "\u2212"
_ROW = re.compile(r"^\| ((?:owners|of those)[^|]*?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", flags=re.M)
_SECTION = re.compile(r"## Exercise (\d):.*?\n(.*?)(?=\n## |\Z)", flags=re.S)


def as_read(number: str) -> str:
    """A number of the students' CSV as the key prints it: one minus sign (U+2212)."""
    return number.replace("-", MINUS)


def key_tables(folder: Path) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Exercise -> measure -> (before, after, change), from the lesson's output under `folder`."""
    tables = {}
    for number, name in FOLDERS.items():
        with (Path(folder) / "reports" / "class" / name / "comparison-summary.csv").open(encoding="utf-8") as f:
            tables[number] = {r["measure"]: tuple(as_read(r[c]) for c in ("before", "after", "change"))
                              for r in csv.DictReader(f)}
    return tables


def key_rows(text: str) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Exercise -> measure -> (before, after, change), as the key's text states them."""
    return {number: {m[1]: (m[2].strip(), m[3].strip(), m[4].strip()) for m in _ROW.finditer(section)
                     if m[2].strip() != "before"}
            for number, section in _SECTION.findall(text)}


def rewrite(text: str, tables: dict[str, dict[str, tuple[str, str, str]]]) -> str:
    """The key's text with every table row set to `tables` (rows it does not list are kept)."""
    def section(match: re.Match) -> str:
        rows = tables.get(match[1], {})

        def row(m: re.Match) -> str:
            return f"| {m[1]} | {' | '.join(rows[m[1]])} |" if m[1] in rows else m[0]

        return _ROW.sub(row, match[0])

    return _SECTION.sub(section, text)


def regenerate() -> Path:
    """Run every exercise's `ringsim lesson N run` in a fresh folder and rewrite the key; return the folder."""
    here = Path(tempfile.mkdtemp(prefix="answer-key-"))
    for number in FOLDERS:  # as a teacher runs them: the command line, in its own process
        subprocess.run([sys.executable, "-m", "sim", "lesson", number, "run"], cwd=here, check=True,
                       stdout=subprocess.DEVNULL)
    KEY.write_text(rewrite(KEY.read_text(encoding="utf-8"), key_tables(here)), encoding="utf-8")
    return here


if __name__ == "__main__":
    print(f"rewrote {KEY} from the runs in {regenerate()}")
