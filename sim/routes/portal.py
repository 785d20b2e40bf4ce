"""Route 1, the portal: police ask owners near an incident, and only consenting owners share.

request → gate (case number, moderation) → notify owners in the capped area who have
not opted out → each owner decides within the response window → clips leave with
consent only, from owners whose video still exists → the request closes at expiry; a
request that yielded nothing may escalate to a warrant.

Owners are rows of a table, not simpy processes: their decisions are computed in bulk
with numpy (`decide_owners`), and only the instants that matter are scheduled: the
first shared clip, and the expiry when something follows it (an escalation, or a trace).
"""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np

from sim.investigations import SLOT
from sim.routes import legal


def request(world, batch, j: int) -> None:
    """Post one portal request now."""
    env, tally, u = world.env, world.tally, batch.u
    period = world.period_of(env.now)
    portal = world.policy_for(batch.state[j]).portal
    tally.add("portal.requests", period)
    if world.tracing:
        world.say(j, f"asks for video of {u['requested_area'][j]:.2f} sq mi over {u['requested_window'][j]:.1f} h")

    # The gate: only requests that meet the rules in force are posted.
    missing_case = u["u_case_missing"][j] < world.scenario.investigations.case_number_missing_probability
    if portal.case_number_required and missing_case:
        return _end(world, batch, j, period, "rejected_no_case_number")
    if u["u_moderation"][j] < portal.moderation_rejection_probability:
        return _end(world, batch, j, period, "rejected_by_moderation")
    tally.add("portal.requests_posted", period)

    # The owners' answers, decided in bulk for this and later requests under these rules.
    k, out = owner_outcomes(world, batch, j)
    tally.add("portal.owners_notified", period, out.notified[k])
    tally.add("portal.owners_consented", period, out.consented[k])
    if world.tracing:
        world.say(j, f"{batch.slot_count[j]} owners nearby; {out.notified[k]} notified ({portal.mode}); "
                     f"{out.consented[k]} consent")
    shared = out.shared[k]
    if shared:
        env.timeout(out.first_share[k]).callbacks.append(partial(_first_share, world, batch, j, period, k, out))
    end = "closed_with_footage" if shared else ("expired_without_footage" if out.notified[k] else "no_owner_notified")
    if world.tracing or _escalates(world, batch, j, end):
        env.timeout(portal.response_window_days).callbacks.append(partial(_expire, world, batch, j, period, end))
    else:
        _end(world, batch, j, period, end)  # it closes at expiry, but nothing follows: no event needed


def _escalates(world, batch, j, end) -> bool:
    """Will the agency seek a warrant when this request closes empty-handed?"""
    if end == "closed_with_footage":
        return False
    return batch.u["u_escalate"][j] < world.incident_params[batch.incident[j]].escalation_probability


def _first_share(world, batch, j, period, k, out, _event) -> None:
    """The first consenting owner shares: footage starts to flow."""
    tally, n = world.tally, out.shared[k]
    tally.add("portal.requests_with_footage", period)
    tally.add("portal.clips_disclosed", period, out.clips[k])
    tally.add("portal.owners_disclosed", period, n)
    tally.add("total.owners_disclosed", period, n)
    tally.add("total.owners_disclosed_with_audio", period, out.with_audio[k])
    tally.observe("portal.days_to_disclosure_mean", period, out.first_share[k])
    if world.tracing:
        world.say(j, f"{n} owner(s) share {out.clips[k]} clip(s), with consent")


def _expire(world, batch, j, period, end, _event) -> None:
    """The response window closes; with nothing to show, the agency may seek a warrant."""
    _end(world, batch, j, period, end)
    if _escalates(world, batch, j, end):
        world.tally.add("legal.escalations_from_portal", world.period_of(world.env.now))
        if world.tracing:
            world.say(j, "no footage: the agency seeks a warrant instead")
        world.env.process(legal.demand(world, batch, j, process="warrant"))


def _end(world, batch, j, period, end) -> None:
    world.tally.add(f"portal.ended_{end}", period)
    if world.tracing:
        world.say(j, f"portal request ends: {end.replace('_', ' ')}")


# --- owners, in bulk --------------------------------------------------------------


@attrs.frozen(slots=True)
class OwnerOutcomes:
    """Per-request answers of owners for requests `first`.. of one batch, under one epoch."""

    batch_id: int
    epoch: int
    first: int
    notified: list
    consented: list
    shared: list
    clips: list
    with_audio: list
    first_share: list  # days from posting to the first shared clip (inf if none)


def owner_outcomes(world, batch, j: int) -> tuple[int, OwnerOutcomes]:
    """Outcome row for request j, computing a fresh block when rules or batch changed."""
    out = world.portal_outcomes
    if out is None or out.batch_id != id(batch) or out.epoch != world.epoch_index or j < out.first:
        out = world.portal_outcomes = decide_owners(world, batch, j)
    return j - out.first, out


def decide_owners(world, batch, first: int) -> OwnerOutcomes:
    """Each owner near requests first.. : notified? consents? has footage? shares?

    Rules are those in force now, for each request's own state; trends are read on each
    request's own day. No draws: the uniforms were drawn when the batch was created.
    """
    owners_params = world.scenario.population.owners
    a = batch.arrays
    idx = np.arange(first, len(batch))
    day = a["day"][first:]
    pick = _rule_picker(world.policies, batch.state_array[first:])
    portal_area = pick(lambda r: r.portal.max_area_sq_mi)
    portal_window = pick(lambda r: r.portal.max_window_hours)
    opt_out_on = pick(lambda r: r.portal.owner_opt_out_available)
    nudged = pick(lambda r: r.portal.nudging_language)
    window_days = pick(lambda r: r.portal.response_window_days)
    owner_chosen = pick(lambda r: r.platform.retention_mode == "owner_chosen")
    fixed_retention = pick(lambda r: r.platform.retention_days)
    e2ee_available = pick(lambda r: r.platform.e2ee_available)
    e2ee_default = pick(lambda r: r.platform.e2ee_default)

    d = np.minimum(day.astype(int), len(world.daily_np["paid_share"]) - 1)
    area_kept = np.minimum(1.0, portal_area / a["requested_area"][first:])
    window_kept = np.minimum(1.0, portal_window / a["requested_window"][first:])
    opt_out = np.where(opt_out_on, world.daily_np["opt_out_share"][d], 0.0)
    consent = world.daily_np["consent_probability"][d] * a["area_consent"][first:]
    consent = np.where(nudged, consent, consent / owners_params.nudge_consent_multiplier)
    paid = world.daily_np["paid_share"][d]
    e2ee = np.where(e2ee_default, owners_params.e2ee_share_when_default, world.daily_np["e2ee_opt_in_share"][d])
    e2ee = np.where(e2ee_available & owners_params.e2ee_blocks_portal_sharing, e2ee, 0.0)

    count = batch.slot_count[first:]
    s0 = batch.slot_start[first] if len(idx) else 0
    slots = batch.slots[s0:s0 + int(count.sum())]
    row = np.repeat(np.arange(idx.size), count)

    def per_owner(x):
        return np.repeat(x, count) if np.ndim(x) else x

    delay = slots[:, SLOT["response_delay"]]
    notified = (slots[:, SLOT["u_area"]] < per_owner(area_kept)) & (slots[:, SLOT["u_opt_out"]] >= per_owner(opt_out))
    consented = notified & (slots[:, SLOT["u_consent"]] < per_owner(consent)) & (delay <= per_owner(window_days))
    retention = np.where(per_owner(owner_chosen), slots[:, SLOT["retention_choice"]], per_owner(fixed_retention))
    age = per_owner(a["request_delay"][first:]) + delay
    footage = ((slots[:, SLOT["u_paid"]] < per_owner(paid)) & (slots[:, SLOT["u_e2ee"]] >= per_owner(e2ee))
               & (age <= retention))
    shared = consented & footage
    clips = np.maximum(1.0, np.round(slots[:, SLOT["clips"]] * per_owner(window_kept))) * shared
    audio = shared & (slots[:, SLOT["u_audio"]] < owners_params.audio_share)
    first_share = np.full(idx.size, np.inf)
    np.minimum.at(first_share, row[shared], delay[shared])

    def per_request(mask_or_weights):
        return np.bincount(row, weights=mask_or_weights, minlength=idx.size).round().astype(int).tolist()

    return OwnerOutcomes(
        batch_id=id(batch), epoch=world.epoch_index, first=first,
        notified=per_request(notified), consented=per_request(consented), shared=per_request(shared),
        clips=per_request(clips), with_audio=per_request(audio), first_share=first_share.tolist(),
    )


def _rule_picker(policies, states: np.ndarray):
    """Return f(getter) → a rule's value per request (a scalar when every state agrees)."""
    distinct: dict[int, int] = {}
    of_state = [distinct.setdefault(id(p), len(distinct)) for p in policies]
    unique = list({id(p): p for p in policies}.values())
    if len(unique) == 1:
        return lambda getter: getter(unique[0])
    per_request = np.asarray(of_state)[states]
    return lambda getter: np.asarray([getter(p) for p in unique])[per_request]
