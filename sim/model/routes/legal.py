"""Route 3, legal process: the agency obtains process, the company reviews it, and discloses what it reaches.

    (preservation request) → the process is issued (a court for a warrant or court
    order, a prosecutor for a subpoena; a judge may refuse) → served on the company →
    queue for the legal team → pushback on overbroad demands → account identified? →
    disclosure of what the process reaches (content only where policy says, by default
    a warrant) → the owner (the account holder) is told unless a gag order forbids it.

`demand` (up to the court's answer) and `_answer` (the company's) read in that order.
Every decision uses a uniform drawn when the investigation was created (common random
numbers), compared with the rule in force on the day it is taken.

Computed in bulk, not by events: nothing in the model waits on a legal demand, so
`demand` dates the court's answer from the pre-drawn court time, and the legal team's
FCFS queue is solved after the event loop by the Kiefer-Wolfowitz recursion
(`sim.model.queues`), which gives the same instants an event loop would, float for
float. Rules are read with `world.policy_at(state, day)` for the day they apply.
"""

from __future__ import annotations

import numpy as np

from sim.formatting import elapsed, plural
from sim.model.queues import fcfs_starts
from sim.model.routes.disclosure import disclose_without_consent, end_case, owners_disclosed
from sim.scenario.schema import PROCESS_TYPES

# How a legal demand can end (declared once: metrics, charts and traces import it).
ENDS = ("refused_by_court", "rejected_after_pushback", "no_records", "records_only", "content_disclosed")
PLURAL = {"warrant": "legal.warrants", "subpoena": "legal.subpoenas", "court_order": "legal.court_orders"}
ISSUER = {"warrant": "a court", "subpoena": "a prosecutor", "court_order": "a court"}


def choose_process(world, batch, j: int) -> str:
    """A direct demand's kind, from the scenario's mix (one pre-drawn uniform)."""
    u, acc = batch.case(j)["u_process"], 0.0
    mix = world.scenario.legal.process_mix
    for kind in PROCESS_TYPES:
        acc += mix[kind]
        if u < acc:
            return kind
    return PROCESS_TYPES[-1]


def demand(world, batch, j: int, day: float, process: str | None = None) -> None:
    """Open one legal demand on `day`: seek the process, and learn the court's answer.

    Nothing else in the model waits on a legal demand, so it needs no simpy process: the
    court's answer is decided now from pre-drawn numbers and dated `day + court_days`,
    and the demands served on the company join its legal team's queue, answered in bulk
    once the event loop has run (`answer_all`).
    """
    u = batch.case(j)
    facts = world.scenario.legal
    process = process or choose_process(world, batch, j)
    period = world.period_of(day)
    # Where a law lets the company hand over nothing under this kind of process, the
    # agency seeks a warrant instead, or gives up on the platform.
    if not world.policy_at(u["state"], day).legal.reaches_anything(process):
        to_warrant = u["u_reroute"] < world.scenario.routes.unreachable_process_to_warrant
        world.say_at(day, batch, j, "the law lets the company hand over nothing under a {kind}: {then}",
                     kind=process.replace("_", " "),
                     then="the agency seeks a warrant instead" if to_warrant else "the agency gives up on the platform")
        if not to_warrant:
            world.tally.add("substitution.process_dropped", period)
            world.say_at(day, batch, j, "legal demand ends: never served (the agency left the platform)")
            return
        world.tally.add("substitution.process_to_warrant", period)
        process = "warrant"
    kind = process.replace("_", " ")
    world.tally.add("legal.demands", period)
    world.tally.add(PLURAL[process], period)

    preserved = u["u_preserve"] < facts.preservation_probability
    if preserved:
        world.tally.add("legal.preservation_requests", period)
    # From here the case is on the legal route (a CSV's route column follows it).
    world.say_at(day, batch, j, "seeks a {kind}{asks}", route="legal", kind=kind,
                 asks=" and asks the company to preserve video" if preserved else "")

    served = day + u["court_days"]
    refused = u["u_judge"] < facts.judge_refusal_probability[process]
    if refused:
        world.say_at(served, batch, j, "the court refuses to issue it")
        return _end(world, batch, j, period, "refused_by_court", served)
    world.say_at(served, batch, j, "{issuer} issues the {kind}; it is served on the company",
                 issuer=ISSUER[process], kind=kind)
    world.legal_queue.append((served, batch, j, process, period, day, preserved))


def answer_all(world) -> None:
    """The legal team answers every served demand, first come first served.

    The team's queue is computed in bulk (`sim.model.queues.fcfs_starts`): a demand
    waits for nothing but the team, so its answer instant follows exactly from the
    arrival and review times before it. Answers are then given in the order of their
    instants, as an event loop would give them.
    """
    waiting = world.legal_queue
    if not waiting:
        return
    served = np.array([w[0] for w in waiting])
    order = np.argsort(served, kind="stable")  # ties keep the order demands were served in
    review = np.array([waiting[i][1].case(waiting[i][2])["legal_review_days"] for i in order.tolist()])
    starts = fcfs_starts(served[order], review, world.scenario.legal.legal_staff)
    answered = starts + review
    for k in np.argsort(answered, kind="stable").tolist():
        _answer(world, *waiting[order[k]], answered=float(answered[k]))
    world.legal_queue = []


def _answer(world, served, batch, j, process, period, opened, preserved, answered) -> None:
    """The company's answer to one demand, given on day `answered`."""
    u, tally, facts = batch.case(j), world.tally, world.scenario.legal
    kind = process.replace("_", " ")
    world.say_at(answered, batch, j, "the company's legal team answers, {took} after it was served",
                 took=elapsed(answered - served))
    rules = world.policy_at(u["state"], answered)
    pushed_back = u["u_pushback"] < rules.legal.pushback_probability
    if pushed_back:
        tally.add("legal.pushbacks", period)
        world.say_at(answered, batch, j, "the company objects that the demand is too broad, and rejects it")
        return _end(world, batch, j, period, "rejected_after_pushback", answered)
    identified = u["u_identified"] < facts.account_identified_probability
    if not identified:
        world.say_at(answered, batch, j, "the company finds no account for the camera the demand names")
        return _end(world, batch, j, period, "no_records", answered)

    tally.add("legal.demands_with_data", period)
    told = rules.legal.notify_user and u["u_gag"] >= rules.legal.gag_order_probability
    if told:
        tally.add("legal.users_notified", period)
    reaches_content = rules.legal.reaches_content(process)
    # Preserved footage is frozen when the demand opens; otherwise it ages until served.
    age = u["request_delay"] + (0.0 if preserved else answered - opened)
    has_video = reaches_content and world.targeted_footage_exists(
        rules.platform, answered, u["u_target_paid"], u["u_target_e2ee"], u["target_retention"], age)
    if not has_video:
        if world.tracing:  # why, in words: worked out only for a story
            why = (f"a {kind} reaches account records only" if not reaches_content else
                   world.targeted_footage_missing(rules.platform, answered, u["u_target_paid"], u["u_target_e2ee"],
                                                  u["target_retention"], age))
            world.say_at(answered, batch, j, f"account records handed over, no video: {why}")
        return _end(world, batch, j, period, "records_only", answered)

    owners = owners_disclosed(world, u["owners_per_warrant"])
    tally.add("legal.content_disclosures", period)
    disclose_without_consent(world, "legal", period, u["state"], owners, told, answered - opened)
    world.say_at(answered, batch, j, "video of {owners} handed over under the {kind}, without consent; {notice}",
                 owners=plural(owners, "owner"), kind=kind,
                 notice="the owner is told" if told else "a gag order forbids telling the owner"
                 if rules.legal.notify_user else "the company does not tell the owner")
    _end(world, batch, j, period, "content_disclosed", answered)


def _end(world, batch, j, period, end, day):
    end_case(world, "legal", "legal demand", batch, j, period, end, day)
