"""Route 1, the portal: police ask owners near an incident, and only consenting owners share.

request → gate (case number, moderation) → notify owners in the capped area who have
not opted out → each owner decides within the response window → clips leave with
consent only, from owners whose video still exists → the request closes at expiry; a
request that yielded nothing may escalate to a warrant.

Nothing on this route queues, and the dated policy is known in advance, so a year's
portal requests are decided together with numpy (`post_requests`), each under the
rules in force in its state on its own day (`world.rule`, as every route reads them).
Owners are counted per request, and only the willing are drawn one by one
(`sim.model.owners`). A request that expires empty-handed and escalates to a warrant is
dated at its expiry and handed to the legal route, which is solved in bulk after the
event loop like the emergency route (nothing is scheduled in simpy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from sim.formatting import plural
from sim.model.cases import Cases
from sim.model.footage import footage_exists
from sim.model.owners import OWNER, Owners, not_notified_why, notified_count, willing_count
from sim.model.participation import opted_in
from sim.model.routes import legal
from sim.model.routes.disclosure import ending_line
from sim.model.routes.registry import PORTAL as ROUTE

if TYPE_CHECKING:
    from sim.model.world import World

# How a portal request can end: declared in the route registry, which metrics, charts and traces read.
ENDS, END = ROUTE.endings, ROUTE.end
# Owners a request does not reach because of their choice, by participation (words for the trace).
OPTED = {False: "opted out of requests", True: "never switched requests on (a law makes them opt-in)"}
# How owners hear of a request, by the portal's mode (words for the trace).
ASKED_BY = {"email": "by an e-mail the company sends each owner",
            "public_post": "through a public post in the app's Neighbors feed, seen only by owners who look",
            "community_requests": "through a Community Request, moderated, via the agency's Axon Evidence"}


def post_requests(world: World, batch, rows: np.ndarray, epoch: np.ndarray, period: int) -> None:
    """Post the portal requests `rows` of a batch, each under the epoch in force on its day."""
    for e in np.unique(epoch[rows]).tolist():
        _post(world, batch, rows[epoch[rows] == e], e, period)


@attrs.frozen(slots=True)
class Requests:
    """What was decided of each portal request of one epoch: the tally, the trace and the
    escalations all read this one record."""

    rows: np.ndarray  # the requests made (rows of the batch)
    no_case: np.ndarray  # per request made: rejected, no case number where the rules require one
    moderated: np.ndarray  # per request made: rejected by the company's moderators
    posted: np.ndarray  # the requests posted (rows of the batch)
    owners: OwnerOutcomes  # per request posted: the owners' answers
    expiry: np.ndarray  # per request posted: the day its response window closes
    escalates: np.ndarray  # per request posted: empty-handed, the agency seeks a warrant

    @property
    def ending(self) -> np.ndarray:
        """Each posted request's ending, a code of END (the rejected ones end at the gate)."""
        return np.where(self.owners.shared > 0, END["closed_with_footage"],
                        np.where(self.owners.notified > 0, END["expired_without_footage"], END["no_owner_notified"]))


def _post(world: World, batch, rows: np.ndarray, epoch: int, period: int) -> None:
    decided = _decide(world, batch, rows, epoch)
    _tally(world, batch, period, decided)
    posted, escalates = decided.posted, decided.escalates
    if world.tracing:  # first, so a request's ending reads before the warrant its agency then seeks
        _narrate(world, batch, epoch, decided)
    _escalate(world, batch, posted[escalates], decided.expiry[escalates])


def _decide(world: World, batch, rows: np.ndarray, epoch: int) -> Requests:
    """The gate (only requests that meet the rules in force are posted), the owners' answers, the expiry."""
    a = batch.arrays
    rule = _rules(world, batch, epoch)
    missing = a["u_case_missing"][rows] < world.scenario.investigations.case_number_missing_probability
    no_case = rule("portal.case_number_required", rows) & missing
    moderated = ~no_case & (a["u_moderation"][rows] < rule("portal.moderation_rejection_probability", rows))
    posted = rows[~no_case & ~moderated]
    owners = decide_owners(world, batch, posted, epoch)
    escalation = np.array([t.escalation_probability for t in world.incident_params])
    escalates = (owners.shared == 0) & (a["u_escalate"][posted] < escalation[a["incident"][posted]])
    return Requests(rows=rows, no_case=no_case, moderated=moderated, posted=posted, owners=owners,
                    expiry=a["day"][posted] + rule("portal.response_window_days", posted), escalates=escalates)


def _tally(world: World, batch, period: int, decided: Requests) -> None:
    """Count one epoch's requests in their year: the gate, the owners' answers, and how each ended."""
    tally, out = world.tally, decided.owners
    shared = out.shared > 0
    tally.add("portal.requests", period, decided.rows.size)
    tally.add("portal.requests_posted", period, decided.posted.size)
    tally.add("portal.owners_notified", period, int(out.notified.sum()))
    tally.add("portal.owners_consented", period, int(out.consented.sum()))
    tally.add("portal.requests_with_footage", period, int(shared.sum()))
    tally.add("portal.clips_disclosed", period, int(out.clips.sum()))
    tally.add_by_state(ROUTE.owners_disclosed, period, np.bincount(
        batch.state_array[decided.posted], weights=out.shared, minlength=tally.by_state.shape[1]))
    tally.add("total.owners_disclosed", period, int(out.shared.sum()))
    tally.add("total.owners_disclosed_with_audio", period, int(out.with_audio.sum()))
    tally.observe_many("portal.days_to_disclosure_mean", period, out.first_share[shared])
    counts = np.bincount(decided.ending, minlength=len(ENDS))
    counts[END["rejected_no_case_number"]] = decided.no_case.sum()
    counts[END["rejected_by_moderation"]] = decided.moderated.sum()
    for end, n in zip(ENDS, counts.tolist(), strict=True):
        tally.add(ROUTE.ended(end), period, n)


def _escalate(world: World, batch, rows: np.ndarray, expiry: np.ndarray) -> None:
    """Empty-handed requests have expired: their agencies seek a warrant instead."""
    now = world.env.now
    # Written as the instant a timeout of (expiry - now) from now would reach: float addition
    # is not associative, and this is the day an event loop would have given the warrant.
    day = now + (expiry - now)
    world.tally.add_each("legal.escalations_from_portal", world.periods_of(day))
    if world.tracing:
        for j, when in zip(rows.tolist(), day.tolist(), strict=True):
            world.say_at(when, batch, j, "with no video from the owners, the agency turns to legal process")
    legal.demand_many(world, Cases.take(batch, rows), day, warrant=True)


def _narrate(world: World, batch, epoch: int, decided: Requests) -> None:
    """The trace: each request's story, at the instants the bulk decisions imply."""
    a, say, rows, out = batch.arrays, world.say_at, decided.rows, decided.owners
    rule = _rules(world, batch, epoch)
    area, hours = rule("portal.max_area_sq_mi", rows), rule("portal.max_window_hours", rows)
    requested_window = batch.column("requested_window", rows)
    for i, j in enumerate(rows.tolist()):
        day = a["day"][j]
        asked_area, asked_hours = a["requested_area"][j], requested_window[i]
        capped = [f"{area[i]:g} sq mi" if asked_area > area[i] else "",
                  f"{hours[i]:g} h" if asked_hours > hours[i] else ""]
        say(day, batch, j, f"makes a portal request for video of {asked_area:.2f} sq mi over {asked_hours:.1f} h"
            + (f"; the portal allows at most {' and '.join(c for c in capped if c)}, so the request is cut to that"
               if any(capped) else ""))
        if decided.no_case[i]:
            say(day, batch, j, "the request has no case number, which the rules require: the portal rejects it")
            say(day, batch, j, ending_line("portal", "rejected_no_case_number"))
        elif decided.moderated[i]:
            say(day, batch, j, "the company's moderators reject the request")
            say(day, batch, j, ending_line("portal", "rejected_by_moderation"))
    modes, ending = rule("portal.mode", decided.posted), decided.ending
    opt_in = rule("portal.participation", decided.posted) == "opt_in"
    # Encryption is a reason only where it exists and blocks sharing (no "encrypted" in 2020).
    encryption = rule("platform.e2ee_available", decided.posted) & bool(
        world.scenario.population.owners.e2ee_blocks_portal_sharing)
    for k, j in enumerate(decided.posted.tolist()):
        day, expiry = a["day"][j], decided.expiry[k]
        unseen = f", {out.unseen[k]:,} never saw the post" if out.unseen[k] else ""
        say(day, batch, j, f"{plural(int(batch.owners.count[j]), 'camera owner')} nearby: "
                           f"{out.outside_area[k]:,} beyond the area the portal allows, {out.opted_out[k]:,} "
                           f"{OPTED[bool(opt_in[k])]}{unseen}; {out.notified[k]:,} asked {ASKED_BY[str(modes[k])]}")
        if out.notified[k]:
            lacking = out.consented[k] - out.shared[k]
            agree = f"{out.consented[k]:,} {'agrees' if out.consented[k] == 1 else 'agree'}"
            say(day, batch, j, f"{agree} within the {expiry - day:g}-day response window"
                + (f"; {lacking:,} of them {'has' if lacking == 1 else 'have'} no stored video to share "
                   + ("(no paid plan, encrypted, or already deleted)" if encryption[k] else
                      "(no paid plan, or already deleted)") if lacking else ""))
        if out.shared[k]:
            say(day + out.first_share[k], batch, j,
                f"{plural(int(out.shared[k]), 'owner')} {'shares' if out.shared[k] == 1 else 'share'} "
                f"{plural(int(out.clips[k]), 'clip')}, with consent")
        say(expiry, batch, j, ending_line("portal", ENDS[ending[k]]))


def _rules(world: World, batch, epoch: int):
    """Return rule(path, rows) → the rule in force for each of those requests (one epoch, each its column of
    rules: its state's, unless a law bound to owners of cameras elsewhere says otherwise)."""
    def rule(path: str, rows: np.ndarray) -> np.ndarray:
        return world.rule(path, np.full(rows.size, epoch), batch.arrays["rules"][rows])

    return rule


# --- owners, in bulk --------------------------------------------------------------


@attrs.frozen(slots=True)
class OwnerOutcomes:
    """Per-request answers of the owners near each posted request (arrays, one entry per request)."""

    notified: np.ndarray
    consented: np.ndarray
    shared: np.ndarray
    clips: np.ndarray
    with_audio: np.ndarray
    first_share: np.ndarray  # days from posting to the first shared clip (inf if none)
    outside_area: np.ndarray  # owners beyond the area the portal allows (for the trace)
    opted_out: np.ndarray  # owners in the area who opted out of requests (for the trace)
    unseen: np.ndarray  # owners in the area, not opted out, who never saw a public post (for the trace)


def decide_owners(world: World, batch, rows: np.ndarray, epoch: int) -> OwnerOutcomes:
    """The owners near requests `rows` (ascending): how many are notified, consent, have footage, share.

    Rules are those of `epoch`, for each request's own state; trends are read on each
    request's own day. Owners are counted per request (`sim.model.owners`), and only the
    willing are drawn one by one; each step looks only at the owners the previous one
    kept, so a distribution's quantile (response delay, retention, clips) is worked out
    only for owners who reach it.
    """
    owners_params, owners = world.scenario.population.owners, batch.owners
    a = batch.arrays
    day = a["day"][rows]
    rule = _rules(world, batch, epoch)
    portal_area = rule("portal.max_area_sq_mi", rows)
    portal_window = rule("portal.max_window_hours", rows)
    opt_out_on = rule("portal.owner_opt_out_available", rows)
    nudged = rule("portal.nudging_language", rows)
    window_days = rule("portal.response_window_days", rows)
    public_post = rule("portal.mode", rows) == "public_post"
    owner_chosen = rule("platform.retention_mode", rows) == "owner_chosen"
    fixed_retention = rule("platform.retention_days", rows)
    e2ee_available = rule("platform.e2ee_available", rows)
    e2ee_default = rule("platform.e2ee_default", rows)

    d = np.minimum(day.astype(int), len(world.daily_np["paid_share"]) - 1)
    area_kept = np.minimum(1.0, portal_area / a["requested_area"][rows])
    window_kept = np.minimum(1.0, portal_window / batch.column("requested_window", rows))
    opt_out = np.where(opt_out_on, world.daily_np["opt_out_share"][d], 0.0)
    # The stated consent probability is the rate under the portal's nudging language (as
    # published, 2018 to 2021); without that language it is divided by the multiplier.
    consent = world.daily_np["consent_probability"][d] * a["area_consent"][rows]
    consent = np.where(nudged, consent, consent / owners_params.nudge_consent_multiplier)
    # A public post is seen only by owners who open the app's feed; they answer at their own rate.
    reach = np.where(public_post, owners_params.public_post_reach, 1.0)
    consent = np.minimum(np.where(public_post, consent * owners_params.public_post_consent_multiplier, consent), 1.0)
    paid = world.daily_np["paid_share"][d]
    e2ee = np.where(e2ee_default, owners_params.e2ee_share_when_default, world.daily_np["e2ee_opt_in_share"][d])
    e2ee = np.where(e2ee_available & owners_params.e2ee_blocks_portal_sharing, e2ee, 0.0)

    # Counted per request: notified (in the allowed area, not opted out, reached) and willing.
    count = owners.count[rows]
    notify = area_kept * (1 - opt_out) * reach
    notified = notified_count(owners.counts, count, notify)
    willing = willing_count(a["u_willing"][rows], notified, consent)

    # The willing, one by one, then narrower and narrower subsets.
    u = owners.uniforms(int(willing.sum()))
    by = np.repeat(np.arange(rows.size), willing)
    # Where a law makes requests opt-in, only owners who switched them on (sim.model.participation).
    notified, willing, kept, opt_out = opted_in(rule, a, rows, opt_out, notified, willing, consent, by)
    u, by = u[kept], by[kept]

    delay = owners_params.response_delay_days.quantile(Owners.fine(u, "u_delay"))
    in_time = np.flatnonzero(delay <= window_days[by])  # an answer after the window closes is no consent
    u, by, delay = u[in_time], by[in_time], delay[in_time]
    age = batch.column("request_delay", rows)[by] + delay
    retention = owners_params.retention_choice_days.quantile(Owners.fine(u, "u_retention"))
    footage = footage_exists(u[:, OWNER["u_paid"]], u[:, OWNER["u_e2ee"]], retention, age,
                             paid_share=paid[by], e2ee_share=e2ee[by],
                             owner_chosen_retention=owner_chosen[by], fixed_retention_days=fixed_retention[by])
    consented_by = by
    u, by, delay = u[footage], by[footage], delay[footage]
    clips = owners_params.clips_per_sharing_owner.quantile(Owners.fine(u, "u_clips"))
    # Rounded twice, on purpose: an owner shares a whole number of clips (at least one), and
    # the portal's window cap then keeps a whole number of those (at least one).
    clips = np.maximum(1.0, np.round(clips))
    clips = np.maximum(1.0, np.round(clips * window_kept[by]))
    audio = u[:, OWNER["u_audio"]] < owners_params.audio_share
    first_share = np.full(rows.size, np.inf)
    np.minimum.at(first_share, by, delay)

    def per_request(which, weights=None):
        return np.bincount(which, weights=weights, minlength=rows.size).round().astype(np.int64)

    if world.tracing:  # why owners were not asked: counted only for a story, on a stream of its own
        why_not = not_notified_why(owners.story, count - notified, area_kept, opt_out, reach)
    else:
        why_not = (np.zeros(rows.size, np.int64),) * 3
    return OwnerOutcomes(notified=notified, consented=per_request(consented_by), shared=per_request(by),
                         clips=per_request(by, clips), with_audio=per_request(by[audio]),
                         first_share=first_share, outside_area=why_not[0], opted_out=why_not[1], unseen=why_not[2])

