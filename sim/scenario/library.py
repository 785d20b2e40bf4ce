"""The scenario library shipped beside the package (`scenarios/`), found from any folder.

`extends = "timeline"` names a file here, and the tools' defaults (the published
figures, the posterior, the brief's scenarios) come from here, so `ringsim brief` works
whatever the working folder. Paths are shown as `scenarios/...` when the working folder
is the repository (so commands and manifests read as typed), else in full.
"""

from __future__ import annotations

from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def library_path(relative: str | Path) -> Path:
    """The library's file or folder `relative`, as a user in the working folder would name it."""
    full = LIBRARY / relative
    local = Path("scenarios") / relative
    try:
        if local.exists() and local.resolve() == full.resolve():
            return local
    except OSError:
        pass
    return full
