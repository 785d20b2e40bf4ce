"""Which route each investigation takes, given the rules in force the moment it opens.

The first choice depends on the incident (imminent danger → the emergency form;
otherwise → the portal, unless the agency goes straight to a court). When the portal
is not used, the investigation substitutes explicitly, in one of two situations with
shares of its own: the portal open but the agency chose not to make a request (a
public post), or the portal shut to the agency. Each sends some cases to legal
process, some to the emergency form (which the company grants for claims of imminent
danger at its grant rate, for any other claim at a rate near zero), and the rest off
the platform. Every probability is a scenario parameter.

The dated policy is known in advance, so a whole year's investigations are routed at
once with numpy: each row reads the rules in force in its state on its own day
(`world.rule`). The routes then take their cases in bulk as well.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from sim.model.investigations import IMMINENT

if TYPE_CHECKING:
    from sim.model.investigations import Batch
    from sim.model.world import World


class RouteCode(IntEnum):
    """The route an investigation takes first (one code per investigation, in an int8 array)."""

    NONE = 0  # off the platform
    PORTAL = 1
    EMERGENCY = 2
    LEGAL = 3  # legal process of the scenario's mix
    WARRANT = 4  # legal process that is necessarily a warrant

    @property
    def label(self) -> str:
        """The route's name in traces (a warrant is legal process)."""
        return {RouteCode.NONE: "off platform", RouteCode.WARRANT: "legal"}.get(self, self.name.lower())


NONE, PORTAL, EMERGENCY, LEGAL, WARRANT = RouteCode


def route_batch(world: World, batch: Batch, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Route code and policy epoch of every investigation in `batch`; tallies substitutions.

    Three rules hold whatever brought a case to a route: a case that goes straight to a
    court does so whether or not the portal is open; an emergency form is filed only for
    a case the emergency rules in force for the agency's state admit (`form_qualifies`);
    substitution draws are independent of the direct-to-court draw (the uniform is
    rescaled above it), so closing a route moves only the cases that would have used it.
    """
    a = batch.arrays
    routes = world.scenario.routes
    epoch = world.epochs_at(a["day"])
    state, u = a["rules"], a["u_route"]  # the column of rules each case follows (its state's, most often)
    imminent, enrolled = a["kind"] == IMMINENT, a["enrolled"]
    # Open to the agency: open, and to every enrolled agency or to Axon's customers only
    # (`PortalPolicy.open_to`, read for every case at once).
    portal_open = world.rule("portal.open", epoch, state) & (
        (world.rule("portal.eligible_agencies", epoch, state) == "enrolled") | world.agencies.axon[a["agency"]])
    qualifies = form_qualifies(world, batch, epoch)

    code = np.full(len(batch), NONE, dtype=np.int8)
    # Imminent danger: the emergency form where the rules admit it, otherwise perhaps a warrant.
    imminent_to_legal = imminent & ~qualifies & (u < routes.imminent_to_legal_without_emergency)
    code[imminent & qualifies] = EMERGENCY
    code[imminent_to_legal] = WARRANT
    # A non-enrolled agency's case is kept at creation only because it serves legal process.
    code[~imminent & ~enrolled] = LEGAL
    # An enrolled agency's ordinary case: straight to a court, or to the portal where it is open.
    ordinary_enrolled = ~imminent & enrolled
    direct = np.where(ordinary_enrolled, world.direct_legal[np.where(imminent, 0, a["incident"])], 0.0)
    goes_direct = ordinary_enrolled & (u < direct)
    code[goes_direct] = LEGAL
    asks = ordinary_enrolled & ~goes_direct
    # Where the portal is open, the agency makes a request as often as the mode's use share
    # says (a public post sits on its profile); a request not made substitutes like a shut portal.
    uses_portal = portal_open & (a["u_portal_use"] < portal_use_share(world, epoch, state, a["day"]))
    code[asks & uses_portal] = PORTAL
    # The portal shut to the agency, or open but not used: two situations, each with its own
    # shares; substitute on the uniform's part above the direct share.
    shut = asks & ~uses_portal
    share_legal = np.where(portal_open, routes.not_posted_to_legal, routes.closed_portal_to_legal)
    share_emergency = np.where(portal_open, routes.not_posted_to_emergency, routes.closed_portal_to_emergency)
    v = (u - direct) / np.maximum(1.0 - direct, 1e-12)
    to_legal = shut & (v < share_legal)
    wants_form = shut & ~to_legal & (v < share_legal + share_emergency)
    to_emergency = wants_form & qualifies
    # A form the rules in force do not admit goes to a court as often as a refused form does
    # (the same uniform): whether an agency seeks a warrant must not hinge on first filing a
    # form the company would refuse, so narrowing the forms admitted never cuts warrants.
    no_form_to_court = wants_form & ~qualifies & (a["u_denied_to_legal"] < routes.denied_emergency_to_legal)
    code[to_legal] = LEGAL
    code[to_emergency] = EMERGENCY
    code[no_form_to_court] = WARRANT

    if world.tracing:
        _narrate(world, batch, code, shut, portal_open)
    tally = world.tally
    tally.add("substitution.imminent_to_legal", period, int(imminent_to_legal.sum()))
    tally.add("substitution.to_legal", period, int((to_legal | no_form_to_court).sum()))
    tally.add("substitution.to_emergency", period, int(to_emergency.sum()))
    tally.add("substitution.off_platform", period, int((shut & ~to_legal & ~to_emergency & ~no_form_to_court).sum()))
    tally.add("substitution.not_posted_to_legal", period, int((to_legal & portal_open).sum()))
    return code, epoch


def portal_use_share(world: World, epoch: np.ndarray, state: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Share of would-be portal requests an agency makes under the mode in force (e-mail: every one)."""
    modes = world.rule("portal.mode", epoch, state)
    routes = world.scenario.routes
    share = np.ones(day.size)
    public = modes == "public_post"
    share[public] = routes.public_post_use_share.at_ordinal(world.clock.ordinal_of(day[public]))
    share[modes == "community_requests"] = routes.community_request_use_share
    return share


def form_qualifies(world: World, batch: Batch, epoch: np.ndarray) -> np.ndarray:
    """Would the emergency rules in force for each case's state, on its day, admit a form about it?

    A form qualifies where the route is open and either the incident is listed (and,
    where a law demands it, the camera's video is the only data available), or the
    case began with an emergency call concerning the camera's owner and the rules admit
    those. Ordinary cases (a burglary pushed off a shut portal) meet the same test.
    """
    a = batch.arrays
    imminent = a["kind"] == IMMINENT
    # One index over every incident name: ordinary types first, then imminent ones.
    kind_index = np.where(imminent, len(world.ordinary_names) + a["incident"], a["incident"])
    names = world.ordinary_names + world.imminent_names
    state = a["rules"]  # the column of rules each case follows (its state's, most often)
    listed = world.listed("emergency.qualifying_incidents", names, kind_index, epoch, state)
    is_open = world.rule("emergency.open", epoch, state)
    only_data_required = world.rule("emergency.only_data_available_required", epoch, state)
    call_clause = world.rule("emergency.call_concerning_owner_qualifies", epoch, state)
    only_data = a["u_only_data"] < world.scenario.investigations.only_data_available_share
    call_share = np.array([0.0] * len(world.ordinary_names) + world.call_concerning_owner)
    call_about_owner = a["u_call"] < call_share[kind_index]
    return is_open & ((listed & (only_data | ~only_data_required)) | (call_clause & call_about_owner))


def _narrate(world: World, batch: Batch, code: np.ndarray, shut: np.ndarray, portal_open: np.ndarray) -> None:
    """The trace: each case opens, and takes its route (or leaves the platform)."""
    a = batch.arrays
    ordinary = world.ordinary_names
    for j in range(len(batch)):
        imminent = a["kind"][j] == IMMINENT
        incident = (world.imminent_names if imminent else ordinary)[a["incident"][j]].replace("_", " ")
        who = (f"A police agency in {world.book.states[batch.state_array[j]]} (agency no. {a['agency'][j]} in the "
               f"model, {'on' if a['enrolled'][j] else 'not on'} the portal)")
        route = int(code[j])
        if route == PORTAL:
            how = "asks camera owners through the portal"
        elif route == EMERGENCY:
            how = (f"{_why_not_portal(portal_open[j])}: turns to the emergency route" if shut[j]
                   else "imminent danger: turns to the company's emergency route")
        elif route == WARRANT:  # cases the emergency rules do not admit a form for
            how = ("the emergency route does not cover this: goes to a court" if not shut[j] else
                   f"{_why_not_portal(portal_open[j])}, and the emergency rules admit no form for it: "
                   "seeks a warrant")
        elif route == LEGAL:  # a shut portal, a non-enrolled agency, or a case that goes direct
            how = (f"{_why_not_portal(portal_open[j])}: turns to legal process" if shut[j]
                   else "goes straight to legal process")
        else:
            how = (f"{_why_not_portal(portal_open[j])}: looks for video off the platform" if shut[j]
                   else "no route on the platform fits: the case leaves it")
        world.say_at(a["day"][j], batch, j, f"{who} opens case {batch.case_id(j)} ({incident}); {how}",
                     route=RouteCode(route).label)


# Why a case that would have asked owners did not (a trace's --changed filter reads these back).
NOT_PORTAL = {True: "the agency chooses not to make a portal request", False: "the portal is shut to it"}


def _why_not_portal(open_to_agency: bool) -> str:
    return NOT_PORTAL[bool(open_to_agency)]
