"""Output files written all at once or not at all: a folder (`write_folder`) or one file (`write_atomic`).

Ground floor: every stage may import it. A folder is written into a hidden temporary
folder beside the destination and renamed into place only when complete, so a failed
or interrupted run leaves nothing half written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sim.errors import OutputError


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


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temporary name beside `path`, then rename: a reader sees all of it or none."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if isinstance(content, str):
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
        else:
            with os.fdopen(handle, "wb") as fh:
                fh.write(content)
        os.chmod(temp, 0o644)  # mkstemp makes files private; these are ordinary outputs
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
