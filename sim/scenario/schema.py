"""The typed shape of a scenario: population, investigations, routes and dated policy.

The dated policy's classes live in `sim.scenario.policy_rules` and are re-exported here.

Every class is a frozen attrs record built by the loader from TOML. Nothing here has
a default: every number the model uses must come from a scenario file, with its
source or note kept beside it by the loader.
"""

from __future__ import annotations

import datetime as dt

import attrs

from sim.errors import FieldValueError
from sim.scenario.clock import Clock
from sim.scenario.distributions import Distribution
from sim.scenario.law_status import check_status, known_status
from sim.scenario.policy_rules import (  # noqa: F401 - the dated rules, re-exported: importers name them here
    SCOPES,
    EmergencyPolicy,
    LegalPolicy,
    PlatformPolicy,
    Policy,
    PolicyChange,
    PortalPolicy,
)
from sim.scenario.trend import Trend
from sim.scenario.validators import (
    counts_in,
    in_range,
    increasing_trend,
    metric_names,
    only_false,
    probability,
    shares_sum_to_one,
    slug,
    state_table,
    support_in,
    text,
    trend_in,
)

frozen = attrs.frozen(slots=True, kw_only=True)


@frozen
class ScenarioInfo:
    """What the scenario is called, what it models, and the horizon it covers."""

    # Names output folders (reports/<name>), so a slug: never a path, never empty.
    name: str = attrs.field(validator=slug)
    # Text is data: shown as written (escaped for the terminal and the charts), one line,
    # no control characters, and short enough for a chart title or a table row.
    title: str = attrs.field(validator=text(200))
    description: str = attrs.field(validator=text(2_000, lines=True))
    start: dt.date
    end: dt.date
    start_label: str = attrs.field(default="initial policy", validator=text(200))  # in force on the first day
    # For a variant: why it changes what it changes, or why it changes nothing, in plain
    # words drawn from its text (the brief prints it beside the numbers).
    mechanism: str = attrs.field(default="", validator=text(4_000, lines=True))
    # For a variant: the metrics that show its own effect, when the headline need not move
    # (Vermont: emergency.destroyed_unratified). Checked against the metric catalogue when run.
    effects: tuple[str, ...] = attrs.field(default=(), validator=metric_names)
    # For a law's file: where the bill stands (introduced, in committee, passed a chamber,
    # enacted), since when, and who says so (sim.scenario.law_status; the brief's law rows).
    status: str = attrs.field(default="", validator=known_status)
    status_date: dt.date | None = None
    status_source: str = attrs.field(default="", validator=text(1_000))

    def __attrs_post_init__(self):
        check_status(self.status, self.status_date, self.status_source)
        for name in ("start", "end"):
            when = getattr(self, name)
            if not SUPPORTED_SPAN[0] <= when <= SUPPORTED_SPAN[1]:
                raise FieldValueError(name, when, f"must lie between {SUPPORTED_SPAN[0]} and {SUPPORTED_SPAN[1]}, "
                                                  "the span ringsim supports")
        if self.end < self.start:
            raise FieldValueError("end", self.end, f"must not be before start ({self.start})")
        if (self.end - self.start).days > MAX_HORIZON_YEARS * 366:
            raise FieldValueError("end", self.end, f"the horizon may span at most {MAX_HORIZON_YEARS} years")

    @property
    def clock(self) -> Clock:
        """The horizon's calendar: simulated days and the calendar years (periods) it spans."""
        return Clock(self.start, self.end)


MAX_HORIZON_YEARS = 50
# The dates a horizon may cover. From 2010: home cloud cameras and their police routes
# begin in the 2010s (Ring's founding as Doorbot, 2013; the portal, 2018), and an earlier
# start simulates a world the parameters do not describe. To 2050: every trend's last
# published point is at most a few years past today, after which values stay flat and
# enrollment compounds at its yearly growth; a quarter-century past that is already a
# long extrapolation, and the cost check (sim.scenario.cost) needs a bounded horizon.
SUPPORTED_SPAN = (dt.date(2010, 1, 1), dt.date(2050, 12, 31))

# --- population -----------------------------------------------------------------


@frozen
class AgencyParams:
    """US police agencies, their sizes, and their enrollment in the portal over time."""

    police_agencies: int = attrs.field(validator=in_range(1, 100_000))
    # Relative rate of investigations; rescaled to mean 1.
    size: Distribution = attrs.field(validator=support_in(0, 1e6))
    enrolled_cumulative: Trend = attrs.field(validator=[trend_in(0, 100_000), increasing_trend])
    fire_share_of_enrolled: float = attrs.field(validator=probability)
    enrollment_size_bias: float = attrs.field(validator=in_range(0, 3))
    # Yearly growth of enrollment after the trend's last point (the last published count).
    growth_after_last_count: float = attrs.field(validator=in_range(0, 1))
    axon_evidence_share: float = attrs.field(validator=probability)
    # Declared (the timeline sets it, sourced) so that the assumption is visible and checked:
    # fire departments make no requests in the model (`sim.model.population`), so only false runs.
    fire_requests_video: bool = attrs.field(validator=only_false("fire departments' requests for video are not "
                                                                 "modelled (they enrol, and make no requests)"))
    # The day of the year enrollment is counted for the mid-year levels; only its month
    # and day are used (the published count that fixes it is dated).
    count_date: dt.date = attrs.field()

    @count_date.validator
    def _every_year(self, _attribute, value):
        if (value.month, value.day) == (2, 29):
            raise FieldValueError("count_date", value, "must be a day every year has (not 29 February)")


@frozen
class OwnerParams:
    """Ring cameras in a requested area and what their owners have and decide."""

    cameras_per_sq_mi: Trend = attrs.field(validator=trend_in(0, 100_000))
    # Owners named by one emergency form or warrant are drawn, rounded, and at least this.
    min_per_disclosure: int = attrs.field(validator=in_range(1, 1_000))
    paid_storage_share: Trend = attrs.field(validator=trend_in(0, 1))
    e2ee_share_when_opt_in: Trend = attrs.field(validator=trend_in(0, 1))
    e2ee_share_when_default: float = attrs.field(validator=probability)
    e2ee_blocks_portal_sharing: bool
    opt_out_share: Trend = attrs.field(validator=trend_in(0, 1))
    audio_share: float = attrs.field(validator=probability)
    retention_choice_days: Distribution = attrs.field(validator=support_in(0, 3650))
    consent_probability: Trend = attrs.field(validator=trend_in(0, 1))
    nudge_consent_multiplier: float = attrs.field(validator=in_range(1, 10))
    # Public Request for Assistance posts sat in the app feed instead of an e-mail: only
    # some owners in the area saw one, and those who did answered at their own rate.
    public_post_reach: float = attrs.field(validator=probability)
    public_post_consent_multiplier: float = attrs.field(validator=in_range(0, 10))
    area_consent_multiplier: Distribution = attrs.field(validator=support_in(0, 100))
    response_delay_days: Distribution = attrs.field(validator=support_in(0, 365))
    clips_per_sharing_owner: Distribution = attrs.field(validator=support_in(0, 1000))


@frozen
class Population:
    agencies: AgencyParams
    owners: OwnerParams
    state_population: dict[str, int] = attrs.field(validator=state_table(1, 1_000_000_000))


# --- investigations and route choice ---------------------------------------------


@frozen
class IncidentType:
    """An ordinary (not imminent-danger) incident in which police seek home video."""

    share: float = attrs.field(validator=probability)
    direct_legal_probability: float = attrs.field(validator=probability)
    escalation_probability: float = attrs.field(validator=probability)


@frozen
class ImminentType:
    """An imminent-danger case (kidnapping, self-harm, ...) in which police may file the emergency form."""

    share: float = attrs.field(validator=probability)
    # Share of such cases that begin with a call for emergency services concerning the
    # camera's user or possessor (Illinois 5 ILCS 855/15(2) admits those).
    call_concerning_owner: float = attrs.field(validator=probability)


@frozen
class InvestigationParams:
    """How often investigations arise and what the request looks like."""

    rate_per_agency_year: Trend = attrs.field(validator=trend_in(0, 10_000))
    incident_types: dict[str, IncidentType] = attrs.field(validator=shares_sum_to_one)
    imminent_rate_per_agency_year: Trend = attrs.field(validator=trend_in(0, 100))
    imminent_types: dict[str, ImminentType] = attrs.field(validator=shares_sum_to_one)
    # Share of emergencies in which the camera's video is the only potential data
    # available (Illinois 5 ILCS 855/15(3) admits kidnapping cases only then).
    only_data_available_share: float = attrs.field(validator=probability)
    # Cameras named in a warrant or an emergency form are ones police know recorded the
    # event, so stored video is likelier than the population's paid-plan share.
    targeted_camera_paid_share: float = attrs.field(validator=probability)
    requested_area_sq_mi: Distribution = attrs.field(validator=support_in(0, 100))
    requested_window_hours: Distribution = attrs.field(validator=support_in(0, 24 * 365))
    request_delay_days: Distribution = attrs.field(validator=support_in(0, 3650))
    case_number_missing_probability: float = attrs.field(validator=probability)
    # Share of investigations whose cameras lie in another state than the asking agency's
    # (a state is drawn for them in proportion to population). It matters only to a law
    # scoped to owners in a state (`PolicyChange.scope`); 0 (every camera in the agency's
    # own state) unless a scenario states it, as the laws scoped to owners do.
    camera_elsewhere_share: float = attrs.field(default=0.0, validator=probability)


@frozen
class RouteChoice:
    """Where an investigation goes when its first-choice route is shut (substitution)."""

    legal_probability_not_enrolled: Trend = attrs.field(validator=trend_in(0, 1))
    # Two situations with their own unknowns: the portal open but the agency chose not
    # to make a request (a public post), and the portal shut to the agency.
    not_posted_to_legal: float = attrs.field(validator=probability)
    not_posted_to_emergency: float = attrs.field(validator=probability)
    closed_portal_to_legal: float = attrs.field(validator=probability)
    closed_portal_to_emergency: float = attrs.field(validator=probability)
    imminent_to_legal_without_emergency: float = attrs.field(validator=probability)
    denied_emergency_to_legal: float = attrs.field(validator=probability)
    # A subpoena or court order a law makes useless: the agency may seek a warrant for the
    # same records; that warrant asks for video too only at its own rate.
    unreachable_process_to_warrant: float = attrs.field(validator=probability)
    blocked_process_warrant_seeks_content: float = attrs.field(validator=probability)
    # Share of would-be portal requests an agency actually makes, by mode (e-mail: all):
    # a public post sits on the agency's profile; Community Requests need Axon Evidence.
    public_post_use_share: Trend = attrs.field(validator=trend_in(0, 1))
    community_request_use_share: float = attrs.field(validator=probability)

    def __attrs_post_init__(self):
        for situation in ("not_posted", "closed_portal"):
            to_legal, to_emergency = f"{situation}_to_legal", f"{situation}_to_emergency"
            if getattr(self, to_legal) + getattr(self, to_emergency) > 1:
                raise FieldValueError(to_emergency, getattr(self, to_emergency),
                                      f"{to_legal} + {to_emergency} must be <= 1")


@frozen
class EmergencyParams:
    """The company's review of emergency forms (process facts, not policy)."""

    review_days: Distribution = attrs.field(validator=support_in(0, 365))
    owners_per_request: Distribution = attrs.field(validator=support_in(0, 1000))


@frozen
class LegalParams:
    """Courts and the company's legal team (process facts, not policy)."""

    process_mix: dict[str, float] = attrs.field(validator=shares_sum_to_one)
    court_days: Distribution = attrs.field(validator=support_in(0, 5 * 365))
    judge_refusal_probability: dict[str, float] = attrs.field(validator=counts_in(0, 1))
    legal_staff: int = attrs.field(validator=in_range(1, 10_000))
    review_days: Distribution = attrs.field(validator=support_in(0, 365))
    account_identified_probability: float = attrs.field(validator=probability)
    preservation_probability: float = attrs.field(validator=probability)
    owners_per_warrant: Distribution = attrs.field(validator=support_in(0, 1000))

    def __attrs_post_init__(self):
        for name, mapping in (("process_mix", self.process_mix),
                              ("judge_refusal_probability", self.judge_refusal_probability)):
            if set(mapping) != set(PROCESS_TYPES):
                raise FieldValueError(name, sorted(mapping), f"keys must be {', '.join(PROCESS_TYPES)}")
        for kind, p in self.judge_refusal_probability.items():
            if not 0 <= p <= 1:
                raise FieldValueError(f"judge_refusal_probability.{kind}", p, "must be in [0, 1]")


PROCESS_TYPES = ("warrant", "subpoena", "court_order")

@frozen
class Scenario:
    """A whole, validated scenario: everything one replication needs."""

    scenario: ScenarioInfo
    population: Population
    investigations: InvestigationParams
    routes: RouteChoice
    emergency: EmergencyParams
    legal: LegalParams
    policy: Policy
    timeline: tuple[PolicyChange, ...]

