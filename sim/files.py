"""Output files written all at once or not at all: a folder (`write_folder`) or one file (`write_atomic`).

Ground floor: every stage may import it. A folder is written into a hidden staging
folder beside the destination (`.NAME.staging-PID.XXXX`) and switched into place only
when complete, so a failed or interrupted run leaves nothing half written.

What a reader sees while a folder is replaced: on Linux the new folder and the old one
trade places in one `renameat2(RENAME_EXCHANGE)` call, so a reader finds the old folder
or the new one, whole, never neither and never a mix. Where that call is missing (other
systems, some file systems) the old folder is first renamed aside and the new one
renamed in: for that instant a reader may find no folder, but still never a mix.

Staging left by a run that was killed outright (SIGKILL, power loss) is recognised by
its process id: the next write beside it removes staging whose process is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
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
    # The folder is made beside `out`: its nearest existing ancestor must take new entries.
    ancestor = (out.parent if str(out.parent) else Path(".")).absolute()
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{out}: cannot create ({ancestor} is not a folder)")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: cannot create ({ancestor} is not writable)")


def write_folder(out: Path, files: dict[str, str | bytes | Iterator[str]], force: bool) -> list[Path]:
    """Create `out` holding exactly `files`, all at once or not at all.

    A file's content is text, bytes, or an iterator of text chunks (written as produced).
    """
    out = Path(out)
    check_writable(out, force)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-{os.getpid()}.", dir=parent))
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
    """Put the finished `staging` at `out`; whatever was there ends in `staging` and is removed."""
    with contextlib.suppress(OSError):
        os.chmod(staging, 0o755)
    if not out.exists() and not out.is_symlink():
        os.replace(staging, out)
        return
    if not _exchange(staging, out):
        aside = Path(f"{staging}.old")
        os.replace(out, aside)
        os.replace(staging, out)
        os.replace(aside, staging)
    _remove(staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    renameat2 = getattr(_LIBC, "renameat2", None) if _LIBC is not None else None
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # the file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if ctypes.util.find_library("c") else None
_STAGING = re.compile(r"^\..+\.(?:staging|tmp)-(\d+)\.[^.]+(?:\.old)?$")


def remove_stale_staging(folder: Path) -> list[Path]:
    """Remove hidden staging in `folder` left by runs whose process no longer exists."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            match = _STAGING.match(entry.name)
            if match and not _alive(int(match[1])):
                _remove(entry)
                removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temporary name beside `path`, then rename: a reader sees all of it or none."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}.", dir=path.parent)
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
