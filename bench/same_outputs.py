"""Are two commits' outputs byte-identical? A check for changes that must not change behaviour.

    python bench/same_outputs.py OLD [NEW] [--uncertainty none]   # NEW defaults to the working tree

Each commit is checked out into a temporary git worktree and runs, from there, the
same `run`, `compare` and `brief` commands with the current environment's Python.
Every output file is compared byte for byte, except the parts that name a version or
a path: in `manifest.json` the `version`, `dependencies` and `python` fields; in the
brief, the PDF and HTML (they embed the run's date and chart renderings) are left out,
its CSVs are compared. Prints one line per file and exits 1 on any difference.

    python bench/same_outputs.py OLD --renamed legal.users_notified=legal.owners_notified

An intended rename of a metric is allowed with `--renamed OLD_NAME=NEW_NAME` (repeat it
for several): the old commit's outputs are read with the old name replaced by the new
one, and the new manifests' `metric_aliases` (which list the renames) are set aside.
The renames allowed are printed with the verdict.

`--new-metrics a.b,c.d` names metrics the newer commit adds: their keys (JSON) and columns
(CSV) are left out of both sides before comparing, so an added metric is not a difference.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ["run", "scenarios/national-2020.toml", "--reps", "4", "--seed", "3", "--out", "{out}/run"],
    ["run", "scenarios/timeline.toml", "--reps", "2", "--seed", "5", "--out", "{out}/timeline", "--workers", "2"],
    ["compare", "scenarios/timeline.toml", "scenarios/laws/hawaii-sb888-national.toml",
     "scenarios/platform/e2ee-default.toml", "--reps", "3", "--seed", "2", "--out", "{out}/compare"],
    ["brief", "scenarios/timeline.toml", "scenarios/laws/vermont-h602-national.toml",
     "scenarios/eras/no-portal-ever.toml", "--reps", "3", "--seed", "1", "--out", "{out}/brief", "--workers", "2"],
)
VOLATILE = ("version", "dependencies", "python")
SKIP_SUFFIXES = (".pdf", ".html", ".png", ".svg")


def produce(source: Path, out: Path, extra: list[str]) -> None:
    """Run every command from `source` (a checkout), writing under `out`."""
    for args in COMMANDS:
        argv = [sys.executable, "-m", "sim", *(a.format(out=out) for a in args), *extra]
        done = subprocess.run(argv, cwd=source, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{source}: {' '.join(args)} failed:\n{done.stderr}")


def comparable(path: Path, renames: dict[str, str], old: bool, added: frozenset = frozenset()) -> bytes:
    """The file's bytes as compared: with the old names renamed (old side), volatile manifest fields and
    `added` metrics left out."""
    data = path.read_bytes()
    if old:
        for before, after in renames.items():
            data = data.replace(before.encode(), after.encode())
    if path.name == "manifest.json":
        doc = _without(json.loads(data), added)
        for key in VOLATILE + (("metric_aliases",) if renames else ()):
            doc.pop(key, None)
        return json.dumps(doc, sort_keys=True).encode()
    if added and path.suffix == ".json":
        return json.dumps(_without(json.loads(data), added), sort_keys=True).encode()
    if added and path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode())))
        keep = [i for i, name in enumerate(rows[0] if rows else []) if name not in added]
        kept = [[row[i] for i in keep if i < len(row)] for k, row in enumerate(rows) if k == 0 or not set(row) & added]
        return "\n".join(",".join(row) for row in kept).encode()
    return data


def _without(node, added: frozenset):
    """A JSON tree without the keys in `added` (and without list items that are one of them)."""
    if isinstance(node, dict):
        return {k: _without(v, added) for k, v in node.items() if k not in added}
    if isinstance(node, list):
        return [_without(v, added) for v in node if not (isinstance(v, str) and v in added)]
    return node


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new", nargs="?", default=None, help="a commit (default: the working tree)")
    parser.add_argument("--uncertainty", choices=("posterior", "none"), default=None,
                        help="pass to every command; `none` compares the model alone, when the two commits' "
                             "posterior files differ")
    parser.add_argument("--renamed", action="append", default=[], metavar="OLD=NEW",
                        help="a metric renamed on purpose (with an alias): compare OLD's outputs under NEW")
    parser.add_argument("--new-metrics", default="", help="comma-separated metrics only the newer commit has")
    args = parser.parse_args()
    renames = dict(pair.split("=", 1) for pair in args.renamed)
    added = frozenset(filter(None, args.new_metrics.split(",")))
    extra = ["--uncertainty", args.uncertainty] if args.uncertainty else []
    with tempfile.TemporaryDirectory(prefix="same-outputs-") as tmp:
        tmp = Path(tmp)
        trees = {}
        for label, commit in (("old", args.old), ("new", args.new)):
            if commit is None:
                trees[label] = ROOT
                continue
            trees[label] = tmp / f"tree-{label}"
            subprocess.run(["git", "worktree", "add", "--detach", str(trees[label]), commit],
                           cwd=ROOT, check=True, capture_output=True)
        try:
            for label, tree in trees.items():
                produce(tree, tmp / label, extra)
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
        old_files = sorted(p.relative_to(tmp / "old") for p in (tmp / "old").rglob("*") if p.is_file())
        new_files = sorted(p.relative_to(tmp / "new") for p in (tmp / "new").rglob("*") if p.is_file())
        differ = 0
        if old_files != new_files:
            print("file lists differ:", sorted(set(old_files) ^ set(new_files)))
            differ += 1
        for rel in old_files:
            if rel.suffix in SKIP_SUFFIXES or rel not in new_files:
                continue
            a, b = tmp / "old" / rel, tmp / "new" / rel
            same = (comparable(a, renames, True, added) == comparable(b, renames, False, added)
                    if renames or added or rel.name == "manifest.json" else filecmp.cmp(a, b, shallow=False))
            print(f"{'same   ' if same else 'DIFFERS'} {rel}")
            differ += not same
    print(f"{len(old_files)} files, {differ} differ (commands: {len(COMMANDS)}; "
          f"python bench/same_outputs.py {args.old} {args.new or ''})".rstrip())
    if renames:
        print("renames allowed: " + "; ".join(f"{a} -> {b}" for a, b in renames.items()))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
