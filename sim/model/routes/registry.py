"""The routes, declared once: what every stage downstream knows of each route.

A route's entry names it, says how charts label and colour it, how its cases can end,
which metrics it counts (in the order the output contract lists them), and whether its
disclosures need the owner's consent or a judge's warrant. The metric catalogue, the
"without consent" totals, the charts' panels, the brief, the app and the trace all read
`ROUTES`; none of them lists the routes again. Adding a route is adding an entry here
and a module beside this one (README, "Extending ringsim").

Nothing here imports the route modules: they import their own entry (`ROUTE`).
"""

from __future__ import annotations

import attrs

COUNT, LEVEL, MEAN = "count", "level", "mean"


@attrs.frozen(slots=True)
class RouteMetric:
    """One metric a route counts: `{route}.{suffix}`."""

    suffix: str
    description: str
    kind: str = COUNT


@attrs.frozen(slots=True)
class Route:
    """One route by which footage can reach police."""

    name: str  # the metric prefix, the trace's route column, the CLI's --route
    label: str  # a chart panel's title
    choice: str  # the app's words for it, where a user picks a route
    colour: str  # a colour of the house palette (`sim.report.charts.PALETTE`)
    case: str  # one case on this route, in words ("portal request")
    endings: tuple[str, ...]  # how a case can end (each a metric `{route}.ended_{ending}`)
    metrics: tuple[RouteMetric, ...]  # its metrics before the endings, in the output contract's order
    needs_consent: bool  # does footage leave only with the owner's consent?
    needs_warrant: bool  # does footage leave only under a judge's warrant?
    obtained: str  # how police obtained the video, in a sentence ("with their consent")
    change_words: str  # its owners disclosed, in a class's words (terminal table, students' CSV)
    projector: str  # the same, short, in lines for a projector panel

    @property
    def owners_disclosed(self) -> str:
        """The metric of owners whose video left by this route (every route counts it)."""
        return f"{self.name}.owners_disclosed"

    @property
    def end(self) -> dict[str, int]:
        """Each ending's code (its index in `endings`), for arrays of endings."""
        return {ending: i for i, ending in enumerate(self.endings)}

    def ended(self, ending: str) -> str:
        """The metric counting cases that ended so."""
        return f"{self.name}.ended_{ending}"

    @property
    def catalogue(self) -> tuple[tuple[str, str, str], ...]:
        """(name, kind, description) of every metric of the route: its own, then one per ending."""
        plural = f"{self.case}s"
        return (*((f"{self.name}.{m.suffix}", m.kind, m.description) for m in self.metrics),
                *((self.ended(e), COUNT, f"{plural} that ended: {e.replace('_', ' ')}") for e in self.endings))


def _m(suffix: str, description: str, kind: str = COUNT) -> RouteMetric:
    return RouteMetric(suffix, description, kind)


PORTAL = Route(
    name="portal", label="portal (owner consents)", choice="Portal: police ask owners (consent)", colour="blue",
    case="portal request",
    endings=("rejected_no_case_number", "rejected_by_moderation", "no_owner_notified", "expired_without_footage",
             "closed_with_footage"),
    metrics=(
        _m("requests", "portal requests made by enrolled agencies"),
        _m("requests_posted", "requests that passed the policy gate"),
        _m("owners_notified", "owners asked for video"),
        _m("owners_consented", "owners who agreed within the response window"),
        _m("requests_with_footage", "requests answered with at least one clip"),
        _m("clips_disclosed", "clips shared with police"),
        _m("owners_disclosed", "owners whose video left, counted per request"),
        _m("days_to_disclosure_mean", "days from request to the first shared clip", MEAN),
    ),
    needs_consent=True, needs_warrant=False, obtained="with their consent",
    change_words="owners who shared video through the portal (with consent)",
    projector="shared through\nthe portal\n(with consent)",
)
EMERGENCY = Route(
    name="emergency", label="emergency (neither consent nor warrant)",
    choice="Emergency: the company decides alone", colour="vermillion", case="emergency form",
    endings=("denied", "granted_no_footage", "disclosed"),
    metrics=(
        _m("requests", "emergency forms filed with the company"),
        _m("granted", "forms the company granted"),
        _m("granted_other_claims", "granted forms that claimed no imminent danger of death or serious injury"),
        _m("disclosures", "granted forms for which footage existed and was handed over"),
        _m("owners_disclosed", "owners whose video left through the emergency route"),
        _m("review_wait_days_mean", "days a form waited for a reviewer", MEAN),
        _m("days_to_disclosure_mean", "days from form to disclosure", MEAN),
        _m("ratified", "disclosures whose follow-up warrant a court granted (where a law requires one)"),
        _m("ratification_refused", "disclosures whose follow-up warrant a court refused"),
        _m("destroyed_unratified", "disclosures destroyed because the follow-up warrant was refused"),
    ),
    needs_consent=False, needs_warrant=False, obtained="with neither",
    change_words="owners whose video left on an emergency form (no consent)",
    projector="left on an\nemergency form\n(no consent)",
)
LEGAL = Route(
    name="legal", label="legal process (search warrant)", choice="Legal process: warrant, subpoena, court order",
    colour="green", case="legal demand",
    # "refused_by_court" first: a demand can end before it reaches the company.
    endings=("refused_by_court", "rejected_after_pushback", "no_records", "records_only", "content_disclosed"),
    metrics=(
        _m("demands", "legal demands served on the company"),
        _m("warrants", "search warrants"),
        _m("subpoenas", "subpoenas"),
        _m("court_orders", "court orders"),
        _m("preservation_requests", "preservation requests ahead of a demand"),
        _m("demands_with_data", "demands for which the company produced any data"),
        _m("content_disclosures", "demands answered with video content"),
        _m("owners_disclosed", "owners whose video left through legal process"),
        _m("owners_notified", "owners (the account holders) told of a demand for their data"),
        _m("pushbacks", "demands the company objected to as overbroad"),
        _m("escalations_from_portal", "warrants sought after a portal request yielded nothing"),
        _m("days_to_disclosure_mean", "days from demand to disclosure", MEAN),
    ),
    # Video leaves legal process only under a warrant: subpoenas and court orders reach account records.
    needs_consent=False, needs_warrant=True, obtained="under a search warrant",
    change_words="owners whose video left under legal process (no consent)",
    projector="left under\nlegal process\n(no consent)",
)

# In the output contract's order (the metric catalogue lists each route's metrics in turn).
ROUTES: tuple[Route, ...] = (PORTAL, EMERGENCY, LEGAL)


def route_names() -> tuple[str, ...]:
    """The routes' names, read when called (a test may add a route for a while)."""
    return tuple(r.name for r in ROUTES)


def by_name(name: str) -> Route:
    """The route called `name`."""
    return next(r for r in ROUTES if r.name == name)


def owners_metrics() -> dict[str, str]:
    """Each route's name and its metric of owners whose video left, in the registry's order."""
    return {r.name: r.owners_disclosed for r in ROUTES}


def without_consent() -> tuple[Route, ...]:
    """The routes whose disclosures need no consent: their owners make up the "without consent" totals."""
    return tuple(r for r in ROUTES if not r.needs_consent)


def in_sentence_order() -> tuple[Route, ...]:
    """The routes as a sentence names them: with consent first, then under a warrant, then with neither."""
    return tuple(sorted(ROUTES, key=lambda r: (not r.needs_consent, not r.needs_warrant)))
