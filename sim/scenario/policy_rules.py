"""The dated policy of a scenario: what each route's rules say, and the timeline entries that change them.

`Policy` holds the rules in force on the first day; each `PolicyChange` (a `[[timeline]]`
entry) sets or scales some of them from its date, for every state or only some, bound
to agencies there or to owners of cameras there (`scope`). Fields a law file may set
that the real timeline does not state have defaults that keep today's behaviour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from sim.errors import FieldValueError
from sim.scenario.validators import in_range, non_empty_or_none, one_of, probability, text

frozen = attrs.frozen(slots=True, kw_only=True)
SCOPES = ("agencies", "owners")


@frozen
class PortalPolicy:
    """Rules of the consent route: who may ask, for what, and how owners are asked."""

    open: bool
    mode: str = attrs.field(validator=one_of("email", "public_post", "community_requests"))
    eligible_agencies: str = attrs.field(validator=one_of("enrolled", "axon_customers"))
    max_area_sq_mi: float = attrs.field(validator=in_range(0.001, 100))
    max_window_hours: float = attrs.field(validator=in_range(0.1, 24 * 365))
    case_number_required: bool
    moderation_rejection_probability: float = attrs.field(validator=probability)
    nudging_language: bool
    owner_opt_out_available: bool
    response_window_days: float = attrs.field(validator=in_range(0.01, 365))
    # Who is asked: owners who have not opted out (national since 2020), or, where a law
    # makes requests an opt-in feature, only owners who switched it on: `opt_in_share` of
    # the owners, taken to be among those who would not have opted out (sim.model.participation).
    participation: str = attrs.field(default="opt_out", validator=one_of("opt_out", "opt_in"))
    opt_in_share: float | None = attrs.field(default=None, validator=attrs.validators.optional(probability))

    def open_to(self, axon_customer: bool) -> bool:
        """May an enrolled agency (an Axon customer or not) post requests under these rules?"""
        return self.open and (self.eligible_agencies == "enrolled" or axon_customer)


@frozen
class EmergencyPolicy:
    """Rules of the company's emergency route, decided without the owner."""

    open: bool
    # The company's standard: a good-faith determination of imminent danger of death or
    # serious physical injury. Claims of such danger are granted at `grant_probability`;
    # a form about any other case (a burglary pushed off a shut portal) at its own rate.
    grant_probability: float = attrs.field(validator=probability)
    other_claim_grant_probability: float = attrs.field(validator=probability)
    reviewers: int = attrs.field(validator=in_range(1, 10_000))
    notify_owner: bool
    # The incidents police may file a form about, ordinary or imminent: police may file
    # about any case; a law may narrow the list.
    qualifying_incidents: tuple[str, ...]
    only_data_available_required: bool  # listed incidents qualify only where the video is the only data
    call_concerning_owner_qualifies: bool  # a case that began with an emergency call about the owner qualifies
    # After a disclosure, police must apply for a warrant within `ratification_hours`;
    # a court decides it (refusing as often as it refuses warrants).
    court_ratification_required: bool
    ratification_hours: float = attrs.field(validator=in_range(0, 24 * 365))
    destroy_if_not_ratified: bool  # a refused follow-up warrant means the footage must be destroyed
    # Where the owner is told, days after the disclosure (0: at the time; a law may allow a delay).
    notice_delay_days: float = attrs.field(default=0.0, validator=in_range(0, 10 * 365))



@frozen
class LegalPolicy:
    """What each kind of process reaches, and how the company answers it."""

    # What each kind of process reaches, read per case by `sim.model.routes.legal._process_rule`.
    warrant_reaches_content: bool
    subpoena_reaches_content: bool
    court_order_reaches_content: bool
    subpoena_reaches_records: bool
    court_order_reaches_records: bool
    pushback_probability: float = attrs.field(validator=probability)
    notify_user: bool
    gag_order_probability: float = attrs.field(validator=probability)
    # Days after the disclosure when a non-disclosure order lapses and the company tells the
    # owner (a law's or an order's limit); None: the order outlasts the horizon (never told).
    gag_order_lapse_days: float | None = attrs.field(default=None,
                                                     validator=attrs.validators.optional(in_range(0, 50 * 365)))


@frozen
class PlatformPolicy:
    """Storage and encryption choices that gate every route."""

    e2ee_available: bool
    e2ee_default: bool
    retention_mode: str = attrs.field(validator=one_of("fixed", "owner_chosen"))
    retention_days: float = attrs.field(validator=in_range(0, 3650))


@frozen
class Policy:
    portal: PortalPolicy
    emergency: EmergencyPolicy
    legal: LegalPolicy
    platform: PlatformPolicy


def _factors(instance, attribute, value):
    """A relative change limits a rate: each factor lies in [0, 1]."""
    for path, factor in value.items():
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            raise FieldValueError(f"{attribute.name}.{path}", factor,
                                  "a factor on the rate in force; a law that limits a rate scales it by [0, 1]")


@frozen
class PolicyChange:
    """A dated timeline entry: from `date`, set these policy fields (for some states).

    `set` gives fields their new values; `scale` multiplies a rate in force the day
    before by a factor in [0, 1] (a provision that limits a rate, relative to whatever
    the baseline's replication drew, so it never moves the rate the other way).
    """

    date: dt.date
    label: str = attrs.field(validator=text(200))
    set: dict[str, Any] = attrs.field(factory=dict)
    states: tuple[str, ...] | None = attrs.field(default=None, validator=non_empty_or_none)  # None: every state
    scale: dict[str, float] = attrs.field(factory=dict, validator=_factors)
    # Whom the entry binds in its states: agencies there (whatever camera they ask about), or
    # the company as to owners there (requests about cameras there, from any agency).
    scope: str = attrs.field(default="agencies", validator=one_of(*SCOPES))
