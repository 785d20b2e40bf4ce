"""Which stories show the point: pick cases by how they ended, or because their route changed.

A class asks a question ("is the owner told afterwards?"); the first cases of a run may
not show the answer (a refused form hands nothing over). `CaseFilter` keeps only the
cases whose story has a given ending, or whose route changed: the portal was shut to
them or their agency chose not to ask owners (a substitution), or they moved from one
route to another (an empty-handed portal request, a refused emergency form, that became
a warrant). It reads the story's own lines, against the words the routes declare
(`ENDING_WORDS`, `NOT_PORTAL`), so it filters what a reader sees.
"""

from __future__ import annotations

import attrs

from sim.errors import UsageError
from sim.model.routes.disclosure import ENDING_WORDS, ending_line
from sim.model.routing import NOT_PORTAL

# Endings by the words a class uses: every route's own ending names, and a few shared ones.
ALIASES = {
    "disclosed": (("portal", "closed_with_footage"), ("emergency", "disclosed"), ("legal", "content_disclosed")),
    "refused": (("emergency", "denied"), ("legal", "refused_by_court")),
    "no-video": (("portal", "expired_without_footage"), ("emergency", "granted_no_footage"),
                 ("legal", "records_only")),
}
LINE_OF = {ending_line(route, end): (route, end) for route, end in ENDING_WORDS}


def ending_names() -> list[str]:
    """Every name --ending accepts, in the order help and errors list them."""
    own = sorted({end for _route, end in ENDING_WORDS})
    return [*ALIASES, *(name.replace("_", "-") for name in own if name.replace("_", "-") not in ALIASES)]


def endings_of(name: str) -> frozenset[tuple[str, str]]:
    """The (route, ending) pairs an --ending name stands for; a usage error naming the choices if none."""
    key = name.strip().lower().replace(" ", "-").replace("_", "-")
    if key in ALIASES:
        return frozenset(ALIASES[key])
    found = frozenset((route, end) for route, end in ENDING_WORDS if end.replace("_", "-") == key)
    if not found:
        raise UsageError(f"--ending {name}: must be one of {', '.join(ending_names())}")
    return found


@attrs.frozen(slots=True)
class CaseFilter:
    """What a story must show to be picked (no condition: every story)."""

    endings: frozenset[tuple[str, str]] | None = None
    changed: bool = False

    @classmethod
    def of(cls, ending: str | None = None, changed: bool = False, route: str | None = None) -> CaseFilter:
        """The filter for --ending and --changed; with --route, a shared ending name (disclosed) means that
        route's own ending (a portal request whose owners shared, not one that later became a warrant)."""
        endings = None if ending is None else endings_of(ending)
        if endings is not None and route is not None and any(r == route for r, _end in endings):
            endings = frozenset(e for e in endings if e[0] == route)
        return cls(endings, changed)

    @property
    def active(self) -> bool:
        return self.endings is not None or self.changed

    def keeps(self, texts: list[str], routes: list[str]) -> bool:
        """Does a story with these lines (and the route it is on at each) show what is asked?"""
        if self.endings is not None and not any(LINE_OF.get(t) in self.endings for t in texts):
            return False
        return not self.changed or route_changed(texts, routes)

    def describe(self) -> str:
        """In words, for a line that says nothing matched."""
        parts = []
        if self.endings is not None:
            parts.append("that ended " + " or ".join(sorted({ENDING_WORDS[e] for e in self.endings})))
        if self.changed:
            parts.append("whose route changed")
        return " and ".join(parts)


def route_changed(texts: list[str], routes: list[str]) -> bool:
    """The case left the route it would have taken: substituted when it opened, or moved later."""
    opened = texts[0] if texts else ""
    return any(reason in opened for reason in NOT_PORTAL.values()) or len(set(filter(None, routes))) > 1
