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

from typing import TYPE_CHECKING

import attrs
import numpy as np

from sim.formatting import elapsed, plural
from sim.model.cases import Cases
from sim.model.notice import told_later
from sim.model.queues import fcfs_starts
from sim.model.routes import legal
from sim.model.routes.disclosure import disclose_without_consent, end_cases, owners_disclosed
from sim.model.routes.registry import EMERGENCY as ROUTE

if TYPE_CHECKING:
    from sim.model.world import World

# How an emergency form can end: declared in the route registry, which metrics, charts and traces read.
ENDS, END = ROUTE.endings, ROUTE.end


@attrs.frozen(slots=True)
class Decisions:
    """A reviewer's decision on each form and what follows it (one entry per form, in the order
    decided): the tally, the trace and the ending all read this one record."""

    epoch: np.ndarray  # the policy epoch in force on the day of the decision
    granted: np.ndarray
    to_court: np.ndarray  # refused, and the agency applies for a warrant instead
    has_video: np.ndarray  # granted, and the camera's video exists: handed over without consent
    owners: np.ndarray  # owners whose video it is
    told: np.ndarray  # the rules in force require telling the owner at the time
    told_later: np.ndarray  # or after a delay a law allows, within the horizon (sim.model.notice)
    ratify: np.ndarray  # a law requires a court to ratify the disclosure
    later: np.ndarray  # the day the follow-up warrant is decided (the decision's, where none is needed)
    refused: np.ndarray  # the court refuses the follow-up warrant
    destroyed: np.ndarray  # and the law requires the footage destroyed
    age: np.ndarray  # days from the incident to the decision

    @property
    def ending(self) -> np.ndarray:
        """Each form's ending, a code of END."""
        return np.select([~self.granted, self.has_video], [END["denied"], END["disclosed"]],
                         END["granted_no_footage"])


def file_forms(world: World, cases: Cases, days: np.ndarray) -> None:
    """File one emergency form per case, on its day: each joins the queue of the reviewers then on duty."""
    cases["filed"], cases["period"] = days, world.periods_of(days)
    cases["team"] = world.reviewer_teams_at(days)
    world.tally.add_each("emergency.requests", cases["period"])
    if world.tracing:
        for k, day in enumerate(days.tolist()):
            claim = ("claiming imminent danger of death or serious physical injury" if cases["claims_danger"][k] else
                     "though the case shows no imminent danger of death or serious physical injury")
            world.say_at(day, cases, k, f"files the company's emergency form, {claim}; the owner is not asked")
    world.emergency_queue.append(cases)


def review_all(world: World) -> None:
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


def _decide(world: World, forms: Cases, now: np.ndarray) -> None:
    """A reviewer's decision on each form (in the order taken), on its day `now`, and what follows it."""
    tally, period, filed = world.tally, forms["period"], forms["filed"]
    decided = _decisions(world, forms, now)
    claims_danger = forms["claims_danger"]
    tally.add_each("emergency.granted", period[decided.granted])
    tally.add_each("emergency.granted_other_claims", period[decided.granted & ~claims_danger])
    has_video = decided.has_video
    tally.add_each("emergency.disclosures", period[has_video])
    disclose_without_consent(world, ROUTE, forms.pick(has_video), decided.owners[has_video],
                             decided.told[has_video], (now - filed)[has_video], decided.told_later[has_video])
    tally.add_each("emergency.ratified", period[decided.ratify & ~decided.refused])
    tally.add_each("emergency.ratification_refused", period[decided.refused])
    tally.add_each("emergency.destroyed_unratified", period[decided.destroyed])
    if world.tracing:
        _narrate(world, forms, now, decided)
    end_cases(world, ROUTE, forms, decided.ending, np.where(has_video, decided.later, now))
    # A refused form the agency takes to a court: a warrant application, dated the refusal.
    # (an imminent-danger case, or an ordinary one that came off a shut portal)
    to_court = decided.to_court
    tally.add_each("substitution.imminent_to_legal", period[to_court & claims_danger])
    tally.add_each("substitution.to_legal", period[to_court & ~claims_danger])
    legal.demand_many(world, forms.pick(to_court), now[to_court], warrant=True)


def _decisions(world: World, forms: Cases, now: np.ndarray) -> Decisions:
    """Each decision, under the rules in force for the form (its column of rules: its state's, unless a law
    bound to owners of cameras elsewhere says otherwise) on the day it is taken."""
    scenario, state = world.scenario, forms["rules"]
    epoch = world.epochs_at(now)

    def rule(name):
        return world.rule(f"emergency.{name}", epoch, state)

    # The company's standard: claims of imminent danger at the grant rate, others at their own.
    grant_rate = np.where(forms["claims_danger"], rule("grant_probability"), rule("other_claim_grant_probability"))
    granted = forms["u_grant"] < grant_rate
    age = forms["request_delay"] + (now - forms["filed"])
    has_video = granted & world.targeted_footage_exists(forms, now, epoch, age)
    ratify = has_video & rule("court_ratification_required")
    refused = ratify & (forms["u_ratify"] < scenario.legal.judge_refusal_probability["warrant"])
    notify, delay = rule("notify_owner"), rule("notice_delay_days")
    told = notify & (delay <= 0)
    return Decisions(
        epoch=epoch, granted=granted,
        to_court=~granted & (forms["u_denied_to_legal"] < scenario.routes.denied_emergency_to_legal),
        has_video=has_video, owners=owners_disclosed(world, forms["owners_per_request"]), told=told,
        told_later=told_later(told, notify, delay, now, world.clock.horizon_days),
        ratify=ratify, later=np.where(ratify, now + rule("ratification_hours") / 24, now), refused=refused,
        destroyed=refused & rule("destroy_if_not_ratified"), age=age)


def _narrate(world: World, forms: Cases, now: np.ndarray, decided: Decisions) -> None:
    """The trace of each decision: the lines the decisions imply, in each case's order."""
    say, filed = world.say_at, forms["filed"]
    for k, at in enumerate(now.tolist()):
        say(at, forms, k, "a company reviewer decides alone, {took} after filing", took=elapsed(at - filed[k]))
        if not decided.granted[k]:
            why = "" if forms["claims_danger"][k] else " (no imminent danger: the company's standard is not met)"
            # A refused form that goes to a court says so once, on the legal demand's own line.
            say(at, forms, k, "the reviewer refuses the form" + why
                + ("" if decided.to_court[k] else "; the agency lets it go"))
            continue
        if not decided.has_video[k]:
            say(at, forms, k, "granted, but nothing to hand over: "
                + world.targeted_footage_missing(forms, k, at, decided.epoch[k], decided.age[k]))
            continue
        say(at, forms, k, "granted: video of {owners} handed over without consent; {notice}",
            owners=plural(int(decided.owners[k]), "owner"),
            notice="the owner is told" if decided.told[k] else "the owner is not told")
        if decided.ratify[k]:
            later = decided.later[k]
            say(later, forms, k, "the agency applies for the follow-up warrant the law requires")
            if not decided.refused[k]:
                say(later, forms, k, "a court grants the warrant: the disclosure is ratified")
            elif decided.destroyed[k]:
                say(later, forms, k, "the court refuses the warrant: the footage must be destroyed")
            else:
                say(later, forms, k, "the court refuses the warrant; the law does not require the footage destroyed")
