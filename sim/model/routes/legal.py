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

from typing import TYPE_CHECKING

import attrs
import numpy as np

from sim.formatting import elapsed, plural
from sim.model.cases import Cases
from sim.model.notice import lapse_days, told_later
from sim.model.queues import fcfs_starts
from sim.model.routes.disclosure import disclose_without_consent, end_cases, ending_line, owners_disclosed
from sim.model.routes.registry import LEGAL as ROUTE
from sim.scenario.schema import PROCESS_TYPES

if TYPE_CHECKING:
    from sim.model.world import World

# How a legal demand can end: declared in the route registry, which metrics, charts and traces read.
ENDS, END = ROUTE.endings, ROUTE.end
PLURAL = {"warrant": "legal.warrants", "subpoena": "legal.subpoenas", "court_order": "legal.court_orders"}
ISSUER = {"warrant": "a court", "subpoena": "a prosecutor", "court_order": "a court"}
WARRANT = PROCESS_TYPES.index("warrant")


@attrs.frozen(slots=True)
class Sought:
    """What was decided of each demand up to the court's answer (one entry per case): the tally,
    the trace and the legal team's queue all read this one record."""

    asked: np.ndarray  # the process the agency first sought (an index into PROCESS_TYPES)
    process: np.ndarray  # the process it seeks: a warrant where the first would reach nothing
    rerouted: np.ndarray  # the first process would reach nothing: a warrant is sought instead
    records_only: np.ndarray  # that warrant names account records only
    dropped: np.ndarray  # the first process would reach nothing: the agency gives up on the platform
    preserved: np.ndarray  # the agency asks the company to preserve the video first
    served: np.ndarray  # the day the court's answer comes (and the process, if issued, is served)
    refused: np.ndarray  # the court (or prosecutor) refuses to issue it

    @property
    def sought(self) -> np.ndarray:
        return ~self.dropped

    @property
    def served_on_company(self) -> np.ndarray:
        return self.sought & ~self.refused


@attrs.frozen(slots=True)
class Answers:
    """The company's answer to each served demand (one entry per demand, in the order answered)."""

    epoch: np.ndarray  # the policy epoch in force on the day of the answer
    pushed_back: np.ndarray  # rejected as overbroad
    identified: np.ndarray  # an account was found for the camera named
    notify: np.ndarray  # the rules in force require telling the owner
    told: np.ndarray  # the owner is told (no gag order)
    told_later: np.ndarray  # told when a gag order lapses, within the horizon (sim.model.notice)
    reaches_content: np.ndarray  # the process reaches video (and the warrant asked for it)
    has_video: np.ndarray  # video handed over
    owners: np.ndarray  # owners whose video it is
    age: np.ndarray  # days from the incident to the answer (or to preservation)

    @property
    def ending(self) -> np.ndarray:
        """Each demand's ending, a code of END."""
        return np.select([self.pushed_back, ~self.identified, ~self.has_video],
                         [END["rejected_after_pushback"], END["no_records"], END["records_only"]],
                         END["content_disclosed"])


def choose_process(world, u_process: np.ndarray) -> np.ndarray:
    """A direct demand's kind (an index into PROCESS_TYPES), from the scenario's mix (one pre-drawn uniform).

    The first kind whose cumulative share exceeds the uniform; cumsum adds the shares in
    order, as a running total would.
    """
    mix = world.scenario.legal.process_mix
    cumulative = np.cumsum([mix[kind] for kind in PROCESS_TYPES])
    return np.minimum(np.searchsorted(cumulative, u_process, side="right"), len(PROCESS_TYPES) - 1)


def _process_rule(world, rule: str, process: np.ndarray, epoch: np.ndarray, state: np.ndarray,
                  kinds: tuple[str, ...] = PROCESS_TYPES) -> np.ndarray:
    """A yes-or-no legal rule named per kind of process (`legal.{kind}_{rule}`), for each case's own
    process among `kinds` (False for the others), epoch and state."""
    out = np.zeros(process.size, bool)
    for kind in kinds:
        mine = process == PROCESS_TYPES.index(kind)
        out[mine] = world.rule(f"legal.{kind}_{rule}", epoch[mine], state[mine])
    return out


def demand_many(world: World, cases: Cases, days: np.ndarray, warrant: np.ndarray | bool) -> None:
    """Open one legal demand per case on its day: seek the process, and learn the court's answer.

    A case with `warrant` set (per case, or True for all) seeks a warrant; the others a
    process of the scenario's mix. Nothing else in the model waits on a legal demand, so
    it needs no simpy process: the court's answer is decided now from pre-drawn numbers
    and dated `day + court_days`, and the demands served on the company join its legal
    team's queue, answered in bulk once the event loop has run (`answer_all`).
    """
    if not len(cases):
        return
    cases["period"] = world.periods_of(days)
    decided = _seek(world, cases, days, warrant)
    _tally_sought(world, cases["period"], decided)
    if world.tracing:
        _narrate_demands(world, cases, days, decided)
    refused = decided.sought & decided.refused
    end_cases(world, ROUTE, cases.pick(refused), np.full(int(refused.sum()), END["refused_by_court"]),
              decided.served[refused])
    # The queue carries every column the case has, and the decisions it will be answered by.
    cases.columns.update(served=decided.served, opened=days, process=decided.process, preserved=decided.preserved,
                         records_only=decided.records_only)
    world.legal_queue.append(cases.pick(decided.served_on_company))


def _seek(world: World, cases: Cases, days: np.ndarray, warrant: np.ndarray | bool) -> Sought:
    """Which process each case seeks, and the court's answer (decided now, dated `served`)."""
    facts, routes = world.scenario.legal, world.scenario.routes
    asked = np.where(warrant, WARRANT, choose_process(world, cases["u_process"]))
    state, epoch = cases["rules"], world.epochs_at(days)  # the column of rules (its state's, most often)
    # Where a law lets the company hand over nothing under this kind of process, the
    # agency seeks a warrant instead, or gives up on the platform.
    # (A warrant always reaches something; the other kinds, content or records as the law says.)
    reaches = ((asked == WARRANT) | _process_rule(world, "reaches_content", asked, epoch, state)
               | _process_rule(world, "reaches_records", asked, epoch, state, kinds=PROCESS_TYPES[1:]))
    rerouted = ~reaches & (cases["u_reroute"] < routes.unreachable_process_to_warrant)
    # The warrant sought instead is for the same records; it asks for video too only at its own
    # rate (on the same uniform, so that share of the rerouted demands, no new draw).
    records_only = rerouted & (cases["u_reroute"] >= routes.unreachable_process_to_warrant
                               * routes.blocked_process_warrant_seeks_content)
    dropped = ~reaches & ~rerouted
    process = np.where(rerouted, WARRANT, asked)
    refusal = np.array([facts.judge_refusal_probability[kind] for kind in PROCESS_TYPES])
    return Sought(asked=asked, process=process, rerouted=rerouted, records_only=records_only, dropped=dropped,
                  preserved=~dropped & (cases["u_preserve"] < facts.preservation_probability),
                  served=days + cases["court_days"], refused=~dropped & (cases["u_judge"] < refusal[process]))


def _tally_sought(world: World, period: np.ndarray, decided: Sought) -> None:
    tally = world.tally
    tally.add_each("substitution.process_dropped", period[decided.dropped])
    tally.add_each("substitution.process_to_warrant", period[decided.rerouted])
    tally.add_each("legal.demands", period[decided.sought])
    for p, kind in enumerate(PROCESS_TYPES):
        tally.add_each(PLURAL[kind], period[decided.sought & (decided.process == p)])
    tally.add_each("legal.preservation_requests", period[decided.preserved])


def _narrate_demands(world: World, cases: Cases, days: np.ndarray, decided: Sought) -> None:
    """The trace of each demand up to the court's answer, in each case's order."""
    say = world.say_at
    for k, day in enumerate(days.tolist()):
        if decided.rerouted[k] or decided.dropped[k]:
            then = ("the agency gives up on the platform" if decided.dropped[k] else
                    "the agency seeks a warrant for the same records" if decided.records_only[k] else
                    "the agency seeks a warrant, for the records and the video")
            say(day, cases, k, "the law lets the company hand over nothing under a {kind}: {then}",
                kind=PROCESS_TYPES[decided.asked[k]].replace("_", " "), then=then)
        if decided.dropped[k]:
            say(day, cases, k, ending_line("legal", "never_served"))
            continue
        kind = PROCESS_TYPES[decided.process[k]]
        # From here the case is on the legal route (a CSV's route column follows it).
        say(day, cases, k, "seeks a {kind}{asks}", route=ROUTE.name, kind=kind.replace("_", " "),
            asks=" and asks the company to preserve video" if decided.preserved[k] else "")
        if decided.refused[k]:
            # Dated when the answer reaches the agency (the model times courts in days, not office hours).
            say(decided.served[k], cases, k, "the answer comes back, {took} after the application: the court "
                "refuses to issue it", took=elapsed(decided.served[k] - day))
        else:
            say(decided.served[k], cases, k, "{issuer} issued the {kind} ({took} after the application); it is "
                "served on the company", issuer=ISSUER[kind], kind=kind.replace("_", " "),
                took=elapsed(decided.served[k] - day))


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


def _answer(world: World, demands: Cases, answered: np.ndarray) -> None:
    """The company's answer to each demand (in the order given), on its day `answered`."""
    tally, period = world.tally, demands["period"]
    decided = _decide(world, demands, answered)
    tally.add_each("legal.pushbacks", period[decided.pushed_back])
    tally.add_each("legal.demands_with_data", period[decided.identified])
    tally.add_each("legal.owners_notified", period[decided.identified & decided.told])
    tally.add_each("legal.content_disclosures", period[decided.has_video])
    has_video = decided.has_video
    disclose_without_consent(world, ROUTE, demands.pick(has_video), decided.owners[has_video],
                             decided.told[has_video], (answered - demands["opened"])[has_video],
                             decided.told_later[has_video])
    if world.tracing:
        _narrate_answers(world, demands, answered, decided)
    end_cases(world, ROUTE, demands, decided.ending, answered)


def _decide(world: World, demands: Cases, answered: np.ndarray) -> Answers:
    """Each answer's decisions, under the rules in force for the demand (its column of rules: its state's,
    unless a law bound to owners of cameras elsewhere says otherwise) on the day of the answer."""
    facts, state = world.scenario.legal, demands["rules"]
    epoch = world.epochs_at(answered)

    def rule(name):
        return world.rule(f"legal.{name}", epoch, state)

    pushed_back = demands["u_pushback"] < rule("pushback_probability")
    identified = ~pushed_back & (demands["u_identified"] < facts.account_identified_probability)
    notify = rule("notify_user")  # the scenario's field keeps its first name; the owner is the account holder
    told = notify & (demands["u_gag"] >= rule("gag_order_probability"))
    reaches_content = (_process_rule(world, "reaches_content", demands["process"], epoch, state)
                       & ~demands["records_only"])
    # Preserved footage is frozen when the demand opens; otherwise it ages until served.
    age = demands["request_delay"] + np.where(demands["preserved"], 0.0, answered - demands["opened"])
    has_video = identified & reaches_content & world.targeted_footage_exists(demands, answered, epoch, age)
    # A gag order that lapses (a law's or the order's limit) lets the company tell the owner later.
    later = told_later(told, notify, lapse_days(rule("gag_order_lapse_days")), answered, world.clock.horizon_days)
    return Answers(epoch=epoch, pushed_back=pushed_back, identified=identified, notify=notify, told=told,
                   told_later=later,
                   reaches_content=reaches_content, has_video=has_video,
                   owners=owners_disclosed(world, demands["owners_per_warrant"]), age=age)


def _narrate_answers(world: World, demands: Cases, answered: np.ndarray, decided: Answers) -> None:
    """The trace of each answer, in each case's order."""
    say = world.say_at
    for k, at in enumerate(answered.tolist()):
        kind = PROCESS_TYPES[demands["process"][k]].replace("_", " ")
        say(at, demands, k, "the company's legal team answers, {took} after it was served",
            took=elapsed(at - demands["served"][k]))
        if decided.pushed_back[k]:
            say(at, demands, k, "the company objects that the demand is too broad, and rejects it")
            continue
        if not decided.identified[k]:
            say(at, demands, k, "the company finds no account for the camera the demand names")
            continue
        if not decided.has_video[k]:
            why = ("the warrant named account records only" if demands["records_only"][k] else
                   f"a {kind} reaches account records only" if not decided.reaches_content[k] else
                   world.targeted_footage_missing(demands, k, at, decided.epoch[k], decided.age[k]))
            say(at, demands, k, f"account records handed over, no video: {why}")
            continue
        say(at, demands, k, "video of {owners} handed over under the {kind}, without consent; {notice}",
            owners=plural(int(decided.owners[k]), "owner"), kind=kind,
            notice="the owner is told" if decided.told[k] else "a gag order forbids telling the owner"
            if decided.notify[k] else "the company does not tell the owner")
