"""Where a bill stands: its status, the date of that status, and the source that says so.

A law's scenario file states them in `[scenario]` (`status`, `status_date`,
`status_source`); the brief's law rows print them in words ("in committee, 13 Apr
2026"). `status_date` is the date of the last recorded action its source shows (for a
bill in committee that may be a postponed hearing, not the day it was referred), as of
the day the source was read. A status needs its date and its source, and a date or a
source needs a status: a reader who sees "enacted" must be able to check it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from sim.errors import FieldValueError

# In the order a bill moves; the words the brief prints.
STATUSES = ("introduced", "in_committee", "passed_chamber", "enacted")
WORDS = {"introduced": "introduced", "in_committee": "in committee", "passed_chamber": "passed one chamber",
         "enacted": "enacted"}


def known_status(instance, attribute, value) -> None:
    """A status is one of STATUSES, or "" (the file states none: not a bill)."""
    if value and value not in STATUSES:
        raise FieldValueError(attribute.name, value, f"must be one of {', '.join(STATUSES)}")


def check_status(status: str, date: dt.date | None, source: str) -> None:
    """Refuse a status without its date and source, or a date or source without a status."""
    if status and date is None:
        raise FieldValueError("status_date", None, f"a status ({status!r}) needs the date it took effect")
    if status and not source.strip():
        raise FieldValueError("status_source", source, f"a status ({status!r}) needs its source")
    if not status and (date is not None or source.strip()):
        raise FieldValueError("status", status, "status_date and status_source need a status: one of "
                                                + ", ".join(STATUSES))


def status_words(info) -> str:
    """A scenario's `[scenario]` status in words with its date ("in committee, 13 Apr 2026"), or ""."""
    return words(info.status, info.status_date)


def words(status: str, date: dt.date | None) -> str:
    """A status and its date in words; "" without a known status and date."""
    if status not in WORDS or not isinstance(date, dt.date):
        return ""
    return f"{WORDS[status]}, {date.day} {date:%b %Y}"


def own_state_laws(folder: Path, state: str) -> list[Path]:
    """Law files under `folder` written for `state` alone (as proposed or passed), not national what-ifs:
    what a state's brief adds to answer "what would this bill change here"."""
    found = []
    for path in sorted(folder.glob("*.toml")):
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("timeline", [])
        if entries and all(entry.get("states") == [state] for entry in entries):
            found.append(path)
    return found
