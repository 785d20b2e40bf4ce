"""Route 2, emergency requests: the company alone decides, and the owner is not asked.

    form filed → queue for the company's reviewers → good-faith grant decision → if
    granted and footage exists, disclosure without consent → notice to the owner only
    if policy says so → where a law demands it, a court must ratify within a deadline
    or the data is destroyed. A refused form may turn into a warrant application.

`request` (filing) and `_decide` (the decision and what follows) read in that order.

Computed in bulk, not by events: nothing in the model waits on an emergency form, so
the reviewers' FCFS queue is solved after the event loop by the Kiefer-Wolfowitz
recursion (`sim.model.queues`), which gives the same instants an event loop would,
float for float; the follow-up warrant is dated from the decision.
"""

from __future__ import annotations

import numpy as np

from sim.formatting import elapsed, plural
from sim.model.queues import fcfs_starts
from sim.model.routes import legal
from sim.model.routes.disclosure import disclose_without_consent, end_case, owners_disclosed

# How an emergency form can end (declared once: metrics, charts and traces import it).
ENDS = ("denied", "granted_no_footage", "disclosed")


def request(world, batch, j: int, day: float) -> None:
    """File one emergency form on `day`: it joins the queue of the reviewers then on duty."""
    period = world.period_of(day)
    world.tally.add("emergency.requests", period)
    world.say_at(day, batch, j, "files the company's emergency form, claiming imminent danger; the owner is not asked")
    world.emergency_queue.append((day, world.reviewer_team_at(day), batch, j, period))


def review_all(world) -> None:
    """The reviewers answer every form, first come first served within the team it was filed with.

    The queue is computed in bulk (`sim.model.queues.fcfs_starts`): a form waits for
    nothing but the reviewers, so its start and decision instants follow exactly from the
    filing and review times before it. A new team size takes effect for forms filed from
    its epoch on (the old team finishes its own queue). Waits are recorded in the order
    reviews start and decisions taken in the order of their instants, as events would.
    """
    forms = world.emergency_queue
    if not forms:
        return
    starts, dones = np.empty(len(forms)), np.empty(len(forms))
    for team, servers in enumerate(world.reviewer_teams):
        mine = [i for i, form in enumerate(forms) if form[1] == team]
        if not mine:
            continue
        filed = np.array([forms[i][0] for i in mine])
        order = np.array(mine)[np.argsort(filed, kind="stable")]
        review = np.array([forms[i][2].case(forms[i][3])["emergency_review_days"] for i in order.tolist()])
        begun = fcfs_starts(np.array([forms[i][0] for i in order.tolist()]), review, servers)
        starts[order], dones[order] = begun, begun + review
    for i in np.argsort(starts, kind="stable").tolist():
        world.tally.observe("emergency.review_wait_days_mean", forms[i][4], float(starts[i] - forms[i][0]))
    for i in np.argsort(dones, kind="stable").tolist():
        filed, _team, batch, j, period = forms[i]
        _decide(world, batch, j, period, filed, float(dones[i]))
    world.emergency_queue = []


def _decide(world, batch, j: int, period: int, filed: float, now: float) -> None:
    """A reviewer's decision on one form on day `now`, and what follows it."""
    tally, u = world.tally, batch.case(j)
    rules = world.policy_at(u["state"], now)
    world.say_at(now, batch, j, "a company reviewer decides alone, {took} after filing", took=elapsed(now - filed))
    granted = u["u_grant"] < rules.emergency.grant_probability
    if not granted:
        to_court = u["u_denied_to_legal"] < world.scenario.routes.denied_emergency_to_legal
        world.say_at(now, batch, j, "the reviewer refuses the form" +
                     ("; the agency applies for a warrant instead" if to_court else "; the agency lets it go"))
        _end(world, batch, j, period, "denied", now)
        if to_court:
            tally.add("substitution.imminent_to_legal", period)
            legal.demand(world, batch, j, now, process="warrant")
        return
    tally.add("emergency.granted", period)
    age = u["request_delay"] + (now - filed)
    has_video = world.targeted_footage_exists(rules.platform, now, u["u_target_paid"], u["u_target_e2ee"],
                                              u["target_retention"], age)
    if not has_video:
        if world.tracing:  # why, in words: worked out only for a story
            world.say_at(now, batch, j, "granted, but nothing to hand over: " + world.targeted_footage_missing(
                rules.platform, now, u["u_target_paid"], u["u_target_e2ee"], u["target_retention"], age))
        return _end(world, batch, j, period, "granted_no_footage", now)

    owners = owners_disclosed(world, u["owners_per_emergency"])
    told = rules.emergency.notify_owner
    tally.add("emergency.disclosures", period)
    disclose_without_consent(world, "emergency", period, u["state"], owners, told, now - filed)
    world.say_at(now, batch, j, "granted: video of {owners} handed over without consent; {notice}",
                 owners=plural(owners, "owner"), notice="the owner is told" if told else "the owner is not told")
    if not rules.emergency.court_ratification_required:
        _end(world, batch, j, period, "disclosed", now)
    else:
        later = now + rules.emergency.ratification_hours / 24
        world.say_at(later, batch, j, "the agency applies for the follow-up warrant the law requires")
        refused = u["u_ratify"] < world.scenario.legal.judge_refusal_probability["warrant"]
        if not refused:
            tally.add("emergency.ratified", period)
            world.say_at(later, batch, j, "a court grants the warrant: the disclosure is ratified")
        elif rules.emergency.destroy_if_not_ratified:
            tally.add("emergency.ratification_refused", period)
            tally.add("emergency.destroyed_unratified", period)
            world.say_at(later, batch, j, "the court refuses the warrant: the footage must be destroyed")
        else:
            tally.add("emergency.ratification_refused", period)
            world.say_at(later, batch, j,
                         "the court refuses the warrant; the law does not require the footage destroyed")
        _end(world, batch, j, period, "disclosed", later)


def _end(world, batch, j, period, end, day):
    end_case(world, "emergency", "emergency form", batch, j, period, end, day)
