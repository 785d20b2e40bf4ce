"""What the page offers: library scenarios to start from or stack, policy levers, and the base's unknowns.

Levers name existing policy fields with the bounds the schema already enforces; they
carry no model numbers. Unknowns come from the base scenario's own `range`s, so a
slider spans exactly the declared range and is labelled with the parameter's note.
"""

from __future__ import annotations

import functools
import re
import tomllib

import attrs

from sim.scenario import law_status
from sim.scenario.library import LIBRARY

GROUPS = ("laws", "platform", "eras", "classroom")
BASES = ("timeline", "eras/no-portal-ever", "eras/portal-never-ended")


@attrs.frozen(slots=True)
class Choice:
    """A library scenario: its library name (`laws/illinois-hb2553`), group and words."""

    name: str
    group: str
    title: str
    description: str
    status: str = ""  # a bill's status in words ("in committee, 19 Feb 2026"), for laws that state one

    @property
    def shown(self) -> str:
        """The title as a list shows it: with a bill's status, so a reader sees where it stands."""
        return f"{self.title}: {self.status}" if self.status else self.title


@functools.cache
def library() -> dict[str, Choice]:
    """Every library scenario a what-if can start from or stack, by library name, in folder order."""
    found = {}
    for group in GROUPS:
        for path in sorted((LIBRARY / group).glob("*.toml")):
            info = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {})
            name = f"{group}/{path.stem}"
            found[name] = Choice(name, group, str(info.get("title", name)), str(info.get("description", "")),
                                 law_status.words(info.get("status", ""), info.get("status_date")))
    path = LIBRARY / "timeline.toml"
    info = tomllib.loads(path.read_text(encoding="utf-8"))["scenario"]
    found = {"timeline": Choice("timeline", "", info["title"], info["description"]), **found}
    return found


@attrs.frozen(slots=True)
class Lever:
    """A policy field the page can change: its path under `policy`, words, and allowed values."""

    path: str  # e.g. "portal.open" (a timeline entry's `set` key)
    label: str
    kind: str  # "bool", "choice", "number"
    help: str
    options: tuple[str, ...] = ()
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    words: tuple[tuple[str, str], ...] = ()  # an option's words on the page (a choice's value stays the field's)

    @property
    def option_words(self) -> dict[str, str]:
        """Each option (a choice's field value) as the page names it."""
        return {o: dict(self.words).get(o, o) for o in self.options}

    @property
    def key(self) -> str:
        """An input id: letters, digits and underscores only."""
        return "lever_" + self.path.replace(".", "__")

    def parse(self, text: str):
        """The lever's value from its text in a link or form; ValueError with the reason otherwise."""
        if self.kind == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError("must be true or false")
            return text.lower() == "true"
        if self.kind == "choice":
            if text not in self.options:
                raise ValueError(f"must be one of {', '.join(self.options)}")
            return text
        value = plain_number(text)
        if value is None:
            raise ValueError("must be a number written in ASCII digits, e.g. 0.5")
        if not self.low <= value <= self.high:
            raise ValueError(f"must be in [{self.low:g}, {self.high:g}]")
        return int(value) if self.step >= 1 and value == int(value) else value


LEVERS = (
    Lever("portal.open", "Portal open", "bool", "Police can ask owners for video through the company's portal."),
    Lever("portal.mode", "How police ask owners", "choice",
          "By e-mail: a private e-mail to every owner nearby (2018–21); by public post: a post in the Neighbors "
          "feed, seen only by owners who look (2021–24); Community Requests: moderated, through Axon Evidence "
          "(2025–).",
          options=("email", "public_post", "community_requests"),
          words=(("email", "by e-mail to each owner"), ("public_post", "by public post in the Neighbors feed"),
                 ("community_requests", "by Community Request (through Axon)"))),
    Lever("portal.nudging_language", "Requests worded to nudge owners", "bool",
          "Request wording that encourages sharing (raises consent by an unknown factor)."),
    Lever("emergency.open", "Emergency route open", "bool",
          "The company may hand over video without consent or a warrant when it judges an emergency."),
    Lever("emergency.grant_probability", "Emergency forms granted (share)", "number",
          "Share of emergency forms the company grants.", low=0.0, high=1.0, step=0.01),
    Lever("emergency.notify_owner", "Owner told after an emergency disclosure", "bool",
          "The company tells the owner after it hands over video on an emergency form."),
    Lever("emergency.court_ratification_required", "Warrant application required after an emergency disclosure",
          "bool", "Police must apply for a warrant after an emergency disclosure (as Illinois requires, within 72 "
          "hours, and Vermont's H.602 would, within 48)."),
    Lever("emergency.ratification_hours", "Hours to seek that warrant", "number",
          "Deadline for the follow-up warrant application.", low=1, high=168, step=1),
    Lever("emergency.destroy_if_not_ratified", "Destroy video if the court refuses", "bool",
          "Footage whose follow-up warrant is refused must be destroyed."),
    Lever("platform.e2ee_default", "End-to-end encryption on by default", "bool",
          "Most owners keep it on; the company cannot read such video, so it cannot hand it over."),
    Lever("platform.retention_days", "Retention limit (days)", "number",
          "Video is deleted after this many days for every owner (sets a fixed retention).",
          low=1, high=180, step=1),
)
LEVER_BY_PATH = {lever.path: lever for lever in LEVERS}


NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
WHOLE = re.compile(r"[-+]?[0-9]+")


def plain_number(text: str) -> float | None:
    """A finite decimal number in ASCII digits (no '1_0', no other scripts' digits, no inf or nan), else None."""
    return float(text) if NUMBER.fullmatch(text) and abs(float(text)) < float("inf") else None


def plain_whole(text: str) -> int | None:
    """A whole number in ASCII digits (Python's int() also takes '1_0' and Arabic-Indic digits), else None."""
    return int(text) if WHOLE.fullmatch(text) else None


SECTION_WORDS = {"investigations": "Investigations", "legal": "Legal process", "emergency": "Emergency route",
                 "portal": "Portal", "agencies": "Police agencies", "owners": "Camera owners",
                 "routes": "Where cases go", "imminent_types": "Imminent danger"}


def unknown_label(path: str) -> str:
    """An unknown's slider label in words: its section, then its name ("Camera owners: consent probability")."""
    parts = [p for p in path.split(".") if p not in ("policy", "population")]
    name = parts[-1].replace("_", " ")
    if len(parts) >= 3 and parts[-3] == "imminent_types":
        return f"{SECTION_WORDS['imminent_types']}, {parts[-2].replace('_', ' ')}: {name}"
    section = SECTION_WORDS.get(parts[0], parts[0].replace("_", " ").capitalize()) if len(parts) > 1 else ""
    return f"{section}: {name}" if section else name.capitalize()
