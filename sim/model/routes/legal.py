"""Route 3, legal process: the agency obtains process, the company reviews it, and discloses what it reaches.

    (preservation request) → the process is issued (a court for a warrant or court
    order, a prosecutor for a subpoena; a judge may refuse) → served on the company →
    queue for the legal team → pushback on overbroad demands → account identified? →
    disclosure of what the process reaches (content only where policy says, by default
    a warrant) → the owner (the account holder) is told unless a gag order forbids it.

`demand_many` (up to the court's answer) and `answer_all` (the company's) read in that
order. Every decision uses a uniform drawn when the investigation was created (common
random numbers), compared with the rule in force on the day it is taken.

Computed in bulk, not by events: nothing in the model waits on a legal demand, so
`demand_many` dates each court's answer from the pre-drawn court time, and the legal
team's FCFS queue is solved after the event loop by the Kiefer-Wolfowitz recursion
(`sim.model.queues`), which gives the same instants an event loop would, float for
float. The answers are then given with numpy, each under the rules in force in its
state on its day (`world.rule`), in the order an event loop would give them (that order
fixes how the means are summed).
"""

from __future__ import annotations

import numpy as np

from sim.formatting import elapsed, plural
from sim.model.cases import Cases
from sim.model.notice import lapse_days, told_later
from sim.model.queues import fcfs_starts
from sim.model.routes.disclosure import disclose_without_consent, end_cases, owners_disclosed
from sim.scenario.schema import PROCESS_TYPES

# How a legal demand can end (declared once: metrics, charts and traces import it).
ENDS = ("refused_by_court", "rejected_after_pushback", "no_records", "records_only", "content_disclosed")
END = {name: i for i, name in enumerate(ENDS)}
PLURAL = {"warrant": "legal.warrants", "subpoena": "legal.subpoenas", "court_order": "legal.court_orders"}
ISSUER = {"warrant": "a court", "subpoena": "a prosecutor", "court_order": "a court"}
WARRANT = PROCESS_TYPES.index("warrant")
# What a served demand carries into the legal team's queue.
_QUEUED = ("year", "row", "state", "rules", "period", "served", "opened", "process", "records_only", "preserved",
           "legal_review_days",
           "u_pushback", "u_identified", "u_gag", "u_target_paid", "u_target_e2ee", "target_retention",
           "request_delay", "owners_per_warrant")


def choose_process(world, u_process: np.ndarray) -> np.ndarray:
    """A direct demand's kind (an index into PROCESS_TYPES), from the scenario's mix (one pre-drawn uniform).

    The first kind whose cumulative share exceeds the uniform; cumsum adds the shares in
    order, as a running total would.
    """
    mix = world.scenario.legal.process_mix
    cumulative = np.cumsum([mix[kind] for kind in PROCESS_TYPES])
    return np.minimum(np.searchsorted(cumulative, u_process, side="right"), len(PROCESS_TYPES) - 1)


def _process_rule(world, rule: str, process: np.ndarray, epoch: np.ndarray, rules: np.ndarray,
                  kinds: tuple[str, ...] = PROCESS_TYPES) -> np.ndarray:
    """A yes-or-no legal rule named per kind of process (`legal.{kind}_{rule}`), for each case's own
    process among `kinds` (False for the others), epoch and jurisdiction (`rules`)."""
    out = np.zeros(process.size, bool)
    for kind in kinds:
        mine = process == PROCESS_TYPES.index(kind)
        out[mine] = world.rule(f"legal.{kind}_{rule}", epoch[mine], rules[mine])
    return out


def demand_many(world, cases: Cases, days: np.ndarray, warrant: np.ndarray | bool) -> None:
    """Open one legal demand per case on its day: seek the process, and learn the court's answer.

    A case with `warrant` set (per case, or True for all) seeks a warrant; the others a
    process of the scenario's mix. Nothing else in the model waits on a legal demand, so
    it needs no simpy process: the court's answer is decided now from pre-drawn numbers
    and dated `day + court_days`, and the demands served on the company join its legal
    team's queue, answered in bulk once the event loop has run (`answer_all`).
    """
    if not len(cases):
        return
    facts, tally = world.scenario.legal, world.tally
    process = np.where(warrant, WARRANT, choose_process(world, cases["u_process"]))
    period, rules, epoch = world.periods_of(days), cases["rules"], world.epochs_at(days)
    # Where a law lets the company hand over nothing under this kind of process, the
    # agency seeks a warrant instead, or gives up on the platform.
    # (A warrant always reaches something; the other kinds, content or records as the law says.)
    reaches = ((process == WARRANT) | _process_rule(world, "reaches_content", process, epoch, rules)
               | _process_rule(world, "reaches_records", process, epoch, rules, kinds=PROCESS_TYPES[1:]))
    routes = world.scenario.routes
    rerouted = ~reaches & (cases["u_reroute"] < routes.unreachable_process_to_warrant)
    # The warrant sought instead is for the same records; it asks for video too only at its own
    # rate (on the same uniform, so that share of the rerouted demands, no new draw).
    records_only = rerouted & (cases["u_reroute"] >= routes.unreachable_process_to_warrant
                               * routes.blocked_process_warrant_seeks_content)
    dropped = ~reaches & ~rerouted
    tally.add_each("substitution.process_dropped", period[dropped])
    tally.add_each("substitution.process_to_warrant", period[rerouted])
    asked = process.copy()
    process[rerouted] = WARRANT
    sought = ~dropped
    tally.add_each("legal.demands", period[sought])
    for p, kind in enumerate(PROCESS_TYPES):
        tally.add_each(PLURAL[kind], period[sought & (process == p)])
    preserved = sought & (cases["u_preserve"] < facts.preservation_probability)
    tally.add_each("legal.preservation_requests", period[preserved])
    served = days + cases["court_days"]
    refusal = np.array([facts.judge_refusal_probability[kind] for kind in PROCESS_TYPES])
    refused = sought & (cases["u_judge"] < refusal[process])
    cases["period"] = period
    if world.tracing:
        _narrate_demands(world, cases, days, asked, process, rerouted, records_only, dropped, preserved, served,
                         refused)
    end_cases(world, "legal", "legal demand", cases.pick(refused), ENDS, np.zeros(int(refused.sum()), int),
              served[refused])
    go_on = sought & ~refused
    cases.columns.update(served=served, opened=days, process=process, preserved=preserved, records_only=records_only)
    world.legal_queue.append(Cases({name: cases[name][go_on] for name in _QUEUED}))


def _narrate_demands(world, cases, days, asked, process, rerouted, records_only, dropped, preserved, served,
                     refused) -> None:
    """The trace of each demand up to the court's answer, in each case's order."""
    say = world.say_at
    for k, day in enumerate(days.tolist()):
        if rerouted[k] or dropped[k]:
            then = ("the agency gives up on the platform" if dropped[k] else
                    "the agency seeks a warrant for the same records" if records_only[k] else
                    "the agency seeks a warrant, for the records and the video")
            say(day, cases, k, "the law lets the company hand over nothing under a {kind}: {then}",
                kind=PROCESS_TYPES[asked[k]].replace("_", " "), then=then)
        if dropped[k]:
            say(day, cases, k, "legal demand ends: never served (the agency left the platform)")
            continue
        kind = PROCESS_TYPES[process[k]]
        # From here the case is on the legal route (a CSV's route column follows it).
        say(day, cases, k, "seeks a {kind}{asks}", route="legal", kind=kind.replace("_", " "),
            asks=" and asks the company to preserve video" if preserved[k] else "")
        if refused[k]:
            say(served[k], cases, k, "the court refuses to issue it")
        else:
            say(served[k], cases, k, "{issuer} issues the {kind}; it is served on the company",
                issuer=ISSUER[kind], kind=kind.replace("_", " "))


def answer_all(world) -> None:
    """The legal team answers every served demand, first come first served.

    The team's queue is computed in bulk (`sim.model.queues.fcfs_starts`): a demand
    waits for nothing but the team, so its answer instant follows exactly from the
    arrival and review times before it. Answers are then given in the order of their
    instants, as an event loop would give them.
    """
    if not world.legal_queue:
        return
    waiting = Cases.join(world.legal_queue)
    world.legal_queue = []
    order = np.argsort(waiting["served"], kind="stable")  # ties keep the order demands were served in
    review = waiting["legal_review_days"][order]
    answered = fcfs_starts(waiting["served"][order], review, world.scenario.legal.legal_staff) + review
    by_answer = np.argsort(answered, kind="stable")
    _answer(world, waiting.pick(order[by_answer]), answered[by_answer])


def _answer(world, demands: Cases, answered: np.ndarray) -> None:
    """The company's answer to each demand (in the order given), on its day `answered`."""
    tally, facts = world.tally, world.scenario.legal
    period, rules, process = demands["period"], demands["rules"], demands["process"]
    epoch = world.epochs_at(answered)

    def rule(name):
        return world.rule(f"legal.{name}", epoch, rules)

    pushed_back = demands["u_pushback"] < rule("pushback_probability")
    identified = ~pushed_back & (demands["u_identified"] < facts.account_identified_probability)
    tally.add_each("legal.pushbacks", period[pushed_back])
    tally.add_each("legal.demands_with_data", period[identified])
    notify = rule("notify_user")
    told = notify & (demands["u_gag"] >= rule("gag_order_probability"))
    tally.add_each("legal.users_notified", period[identified & told])
    reaches_content = _process_rule(world, "reaches_content", process, epoch, rules) & ~demands["records_only"]
    # Preserved footage is frozen when the demand opens; otherwise it ages until served.
    age = demands["request_delay"] + np.where(demands["preserved"], 0.0, answered - demands["opened"])
    has_video = identified & reaches_content & world.targeted_footage_exists(demands, answered, epoch, age)
    owners = owners_disclosed(world, demands["owners_per_warrant"])
    tally.add_each("legal.content_disclosures", period[has_video])
    # A gag order that lapses (a law's or the order's limit) lets the company tell the owner later.
    later = told_later(told, notify, lapse_days(rule("gag_order_lapse_days")), answered, world.clock.horizon_days)
    disclose_without_consent(world, "legal", demands.pick(has_video), owners[has_video], told[has_video],
                             (answered - demands["opened"])[has_video], later[has_video])
    ending = np.select([pushed_back, ~identified, ~has_video],
                       [END["rejected_after_pushback"], END["no_records"], END["records_only"]],
                       END["content_disclosed"])
    if world.tracing:
        _narrate_answers(world, demands, answered, epoch, pushed_back, identified, notify, told, reaches_content,
                         has_video, owners, age)
    end_cases(world, "legal", "legal demand", demands, ENDS, ending, answered)


def _narrate_answers(world, demands, answered, epoch, pushed_back, identified, notify, told, reaches_content,
                     has_video, owners, age) -> None:
    """The trace of each answer, in each case's order."""
    say = world.say_at
    for k, at in enumerate(answered.tolist()):
        kind = PROCESS_TYPES[demands["process"][k]].replace("_", " ")
        say(at, demands, k, "the company's legal team answers, {took} after it was served",
            took=elapsed(at - demands["served"][k]))
        if pushed_back[k]:
            say(at, demands, k, "the company objects that the demand is too broad, and rejects it")
            continue
        if not identified[k]:
            say(at, demands, k, "the company finds no account for the camera the demand names")
            continue
        if not has_video[k]:
            why = ("the warrant named account records only" if demands["records_only"][k] else
                   f"a {kind} reaches account records only" if not reaches_content[k] else
                   world.targeted_footage_missing(demands, k, at, epoch[k], age[k]))
            say(at, demands, k, f"account records handed over, no video: {why}")
            continue
        say(at, demands, k, "video of {owners} handed over under the {kind}, without consent; {notice}",
            owners=plural(int(owners[k]), "owner"), kind=kind,
            notice="the owner is told" if told[k] else "a gag order forbids telling the owner"
            if notify[k] else "the company does not tell the owner")
