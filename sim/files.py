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

`--force` replaces only what ringsim wrote. Every folder written here carries a mark,
`.ringsim`, listing the files ringsim put in it. A folder is replaced only when it is
empty, or carries the mark and holds nothing else (a folder written before the mark
existed counts when it has ringsim's manifest and only output kinds of file), and never
when it holds an input of the run or the working folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sim.errors import OutputError


def check_writable(out: Path, force: bool, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse an existing, non-empty output folder unless forced, and with force anything
    ringsim did not write (checked before a long run, and again when writing)."""
    out = Path(out)
    if len(os.fsencode(out.name)) > MAX_NAME_BYTES:
        raise OutputError(f"{out.name[:40]}...: a folder name may have at most {MAX_NAME_BYTES} bytes (it has "
                          f"{len(os.fsencode(out.name))}; the file system allows 255 with room for staging)")
    if out.exists() or out.is_symlink():
        empty = out.is_dir() and not out.is_symlink() and not any(out.iterdir())
        if not empty and not force:
            raise OutputError(f"{out}: already exists; pass --force to replace it")
        if not empty:
            reason = foreign_reason(out, inputs)
            if reason:
                raise OutputError(f"{out}: {reason}; --force replaces only a folder ringsim wrote (choose another "
                                  "--out, or move it away yourself)")
    # The folder is made beside `out`: its nearest existing ancestor must take new entries.
    ancestor = (out.parent if str(out.parent) else Path(".")).absolute()
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{out}: cannot create ({ancestor} is not a folder)")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: cannot create ({ancestor} is not writable)")


MARK = ".ringsim"
MAX_NAME_BYTES = 200  # 255 on common file systems, less the staging prefix and suffix
LEGACY_KINDS = {".json", ".csv", ".png", ".svg", ".html", ".pdf"}
MAX_OWNED_ENTRIES = 200_000


def foreign_reason(out: Path, inputs: Iterable[str | Path] = ()) -> str | None:
    """Why an existing `out` is not ringsim's to replace, or None when it is."""
    if out.is_symlink() or not out.is_dir():
        return "is not a folder ringsim wrote"
    here = out.resolve()
    needed = [(Path(p), str(p)) for p in inputs]
    with contextlib.suppress(OSError):
        needed.append((Path.cwd(), "the working folder"))
    for path, shown in needed:
        with contextlib.suppress(OSError, RuntimeError):
            if here == path.resolve() or here in path.resolve().parents:
                return f"holds {shown}, which this run needs"
    files = _files(out)
    if files is None:
        return f"holds more than {MAX_OWNED_ENTRIES:,} entries"
    listed = _listed(out)
    if listed is None:
        return f"was not written by ringsim (it has no {MARK} mark)"
    extra = sorted(f for f in files if f != MARK and f not in listed)
    if extra:
        return f"holds {extra[0]}, which ringsim did not write"
    return None


def _files(out: Path) -> list[str] | None:
    """Every file (and symlink) under `out`, as a relative POSIX path; None past the limit."""
    found = []
    for root, dirs, names in os.walk(out):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            found.append(Path(root, name).relative_to(out).as_posix())
        if len(found) > MAX_OWNED_ENTRIES:
            return None
    return found


def _listed(out: Path) -> set[str] | None:
    """The files ringsim wrote into `out`, by its mark; else by a manifest of an older ringsim."""
    try:
        mark = json.loads(read_regular(out / MARK, 10_000_000))
        if isinstance(mark, dict) and mark.get("written_by") == "ringsim" and isinstance(mark.get("files"), list):
            return {str(f) for f in mark["files"]}
    except (OSError, ValueError):
        pass
    for manifest in (*out.glob("manifest.json"), *out.glob("sweep.json"), *out.glob("*/manifest.json"),
                     *out.glob("*/*/manifest.json")):  # a run, a sweep, a comparison or calibration, a brief
        with contextlib.suppress(OSError, ValueError):
            doc = json.loads(read_regular(manifest, 50_000_000))
            if isinstance(doc, dict) and (str(doc.get("command", "")).startswith("ringsim ")
                                          or {"scenario", "vary", "seed"} <= set(doc)):
                files = _files(out) or []
                return {f for f in files if Path(f).suffix in LEGACY_KINDS}
    return None


def read_regular(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit`: a FIFO, device or folder raises OSError at once (no hang)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes", str(path))
    return raw


def mark(files: Iterable[str]) -> str:
    """The `.ringsim` mark of a folder holding `files`."""
    return json.dumps({"written_by": "ringsim", "files": sorted(set(files) - {MARK})}, indent=1) + "\n"


def write_folder(out: Path, files: dict[str, str | bytes | Iterator[str]], force: bool,
                 inputs: Iterable[str | Path] = ()) -> list[Path]:
    """Create `out` holding exactly `files` (and its `.ringsim` mark), all at once or not at all.

    A file's content is text, bytes, or an iterator of text chunks (written as produced).
    """
    out = Path(out)
    check_writable(out, force, inputs)
    files = {**files, MARK: mark(files)}
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
        replace_with(staging, out, force, inputs)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{out}: cannot write ({err.strerror})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / name for name in files if name != MARK]


def replace_with(staging: Path, out: Path, force: bool, inputs: Iterable[str | Path] = ()) -> None:
    """Switch the finished folder `staging` into place at `out`, checking `out` once more first
    (it may have appeared, or changed hands, while the new output was made)."""
    check_writable(out, force, inputs)
    _swap_into_place(staging, out)


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
