"""Route 2, emergency requests: the company alone decides, and the owner is not asked.

    form filed (about any case) → queue for the company's reviewers → good-faith
    decision against the standard (imminent danger of death or serious physical
    injury: such claims at the grant rate, any other at its own rate) → if
    granted and footage exists, disclosure without consent → notice to the owner only
    if policy says so → where a law demands it, a court must ratify within a deadline
    or the data is destroyed. A refused form may turn into a warrant application.

`file_forms` (filing), `review_all` (the queue) and `_decide` (the decisions and what
follows) read in that order.

Computed in bulk, not by events: nothing in the model waits on an emergency form, so
the forms are filed as arrays when their year is drawn, the reviewers' FCFS queue is
solved after the event loop by the Kiefer-Wolfowitz recursion (`sim.model.queues`),
which gives the same instants an event loop would, float for float, and every decision
is then taken with numpy, each under the rules in force on its own day, in the order
an event loop would take them (that order fixes how the means are summed). The
follow-up warrant is dated from the decision.
"""

from __future__ import annotations

import numpy as np

from sim.formatting import elapsed, plural
from sim.model.cases import Cases
from sim.model.notice import told_later
from sim.model.queues import fcfs_starts
from sim.model.routes import legal
from sim.model.routes.disclosure import disclose_without_consent, end_cases, owners_disclosed

# How an emergency form can end (declared once: metrics, charts and traces import it).
ENDS = ("denied", "granted_no_footage", "disclosed")
END = {name: i for i, name in enumerate(ENDS)}


def file_forms(world, cases: Cases, days: np.ndarray) -> None:
    """File one emergency form per case, on its day: each joins the queue of the reviewers then on duty."""
    cases["filed"], cases["period"] = days, world.periods_of(days)
    cases["team"] = world.reviewer_teams_at(days)
    world.tally.add_each("emergency.requests", cases["period"])
    if world.tracing:
        for k, day in enumerate(days.tolist()):
            claim = ("claiming imminent danger of death or serious injury" if cases["claims_danger"][k] else
                     "though the case shows no imminent danger of death or serious injury")
            world.say_at(day, cases, k, f"files the company's emergency form, {claim}; the owner is not asked")
    world.emergency_queue.append(cases)


def review_all(world) -> None:
    """The reviewers answer every form, first come first served within the team it was filed with.

    The queue is computed in bulk (`sim.model.queues.fcfs_starts`): a form waits for
    nothing but the reviewers, so its start and decision instants follow exactly from the
    filing and review times before it. A new team size takes effect for forms filed from
    its epoch on (the old team finishes its own queue). Waits are recorded in the order
    reviews start and decisions taken in the order of their instants, as events would.
    """
    if not world.emergency_queue:
        return
    forms = Cases.join(world.emergency_queue)
    world.emergency_queue = []
    filed = forms["filed"]
    starts, dones = np.empty(len(forms)), np.empty(len(forms))
    for team, servers in enumerate(world.reviewer_teams):
        mine = np.flatnonzero(forms["team"] == team)
        order = mine[np.argsort(filed[mine], kind="stable")]
        review = forms["emergency_review_days"][order]
        begun = fcfs_starts(filed[order], review, servers)
        starts[order], dones[order] = begun, begun + review
    by_start = np.argsort(starts, kind="stable")
    world.tally.observe_each("emergency.review_wait_days_mean", forms["period"][by_start],
                             starts[by_start] - filed[by_start])
    by_done = np.argsort(dones, kind="stable")
    _decide(world, forms.pick(by_done), dones[by_done])


def _decide(world, forms: Cases, now: np.ndarray) -> None:
    """A reviewer's decision on each form (in the order taken), on its day `now`, and what follows it."""
    tally, scenario = world.tally, world.scenario
    filed, period, rules = forms["filed"], forms["period"], forms["rules"]
    epoch = world.epochs_at(now)

    def rule(name):
        return world.rule(f"emergency.{name}", epoch, rules)

    # The company's standard: claims of imminent danger at the grant rate, others at their own.
    claims_danger = forms["claims_danger"]
    grant_rate = np.where(claims_danger, rule("grant_probability"), rule("other_claim_grant_probability"))
    granted = forms["u_grant"] < grant_rate
    to_court = ~granted & (forms["u_denied_to_legal"] < scenario.routes.denied_emergency_to_legal)
    tally.add_each("emergency.granted", period[granted])
    tally.add_each("emergency.granted_other_claims", period[granted & ~claims_danger])
    age = forms["request_delay"] + (now - filed)
    has_video = granted & world.targeted_footage_exists(forms, now, epoch, age)
    owners = owners_disclosed(world, forms["owners_per_emergency"])
    notify, delay = rule("notify_owner"), rule("notice_delay_days")
    told = notify & (delay <= 0)
    later = told_later(told, notify, delay, now, world.clock.horizon_days)
    tally.add_each("emergency.disclosures", period[has_video])
    disclose_without_consent(world, "emergency", forms.pick(has_video), owners[has_video], told[has_video],
                             (now - filed)[has_video], later[has_video])
    ratify = has_video & rule("court_ratification_required")
    later = np.where(ratify, now + rule("ratification_hours") / 24, now)
    refused = ratify & (forms["u_ratify"] < scenario.legal.judge_refusal_probability["warrant"])
    destroyed = refused & rule("destroy_if_not_ratified")
    tally.add_each("emergency.ratified", period[ratify & ~refused])
    tally.add_each("emergency.ratification_refused", period[refused])
    tally.add_each("emergency.destroyed_unratified", period[destroyed])
    ending = np.select([~granted, has_video], [END["denied"], END["disclosed"]], END["granted_no_footage"])
    if world.tracing:
        _narrate(world, forms, now, filed, epoch, granted, to_court, has_video, owners, told, ratify, later,
                 refused, destroyed, age)
    end_cases(world, "emergency", "emergency form", forms, ENDS, ending, np.where(has_video, later, now))
    # A refused form the agency takes to a court: a warrant application, dated the refusal.
    # (an imminent-danger case, or an ordinary one that came off a shut portal)
    tally.add_each("substitution.imminent_to_legal", period[to_court & claims_danger])
    tally.add_each("substitution.to_legal", period[to_court & ~claims_danger])
    legal.demand_many(world, forms.pick(to_court), now[to_court], warrant=True)


def _narrate(world, forms, now, filed, epoch, granted, to_court, has_video, owners, told, ratify, later,
             refused, destroyed, age) -> None:
    """The trace of each decision: the lines the decisions imply, in each case's order."""
    say = world.say_at
    for k, at in enumerate(now.tolist()):
        say(at, forms, k, "a company reviewer decides alone, {took} after filing", took=elapsed(at - filed[k]))
        if not granted[k]:
            why = "" if forms["claims_danger"][k] else " (no imminent danger: the company's standard is not met)"
            say(at, forms, k, "the reviewer refuses the form" + why +
                ("; the agency applies for a warrant instead" if to_court[k] else "; the agency lets it go"))
            continue
        if not has_video[k]:
            say(at, forms, k, "granted, but nothing to hand over: "
                + world.targeted_footage_missing(forms, k, at, epoch[k], age[k]))
            continue
        say(at, forms, k, "granted: video of {owners} handed over without consent; {notice}",
            owners=plural(int(owners[k]), "owner"), notice="the owner is told" if told[k] else "the owner is not told")
        if ratify[k]:
            say(later[k], forms, k, "the agency applies for the follow-up warrant the law requires")
            if not refused[k]:
                say(later[k], forms, k, "a court grants the warrant: the disclosure is ratified")
            elif destroyed[k]:
                say(later[k], forms, k, "the court refuses the warrant: the footage must be destroyed")
            else:
                say(later[k], forms, k, "the court refuses the warrant; the law does not require the footage destroyed")
