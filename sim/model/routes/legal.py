"""Route 3, legal process: the agency obtains process, the company reviews it, and discloses what it reaches.

    (preservation request) → the process is issued (a court for a warrant or court
    order, a prosecutor for a subpoena; a judge may refuse) → served on the company →
    queue for the legal team → pushback on overbroad demands → account identified? →
    disclosure of what the process reaches (content only where policy says, by default
    a warrant) → the user is told unless a gag order forbids it.

`demand` reads in that order. Every decision uses a uniform drawn when the
investigation was created (common random numbers), compared with the rule in force.
"""

from __future__ import annotations

from sim.model.routes.disclosure import disclose_without_consent, owners_disclosed
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


def demand(world, batch, j: int, process: str | None = None):
    """One legal demand, from seeking the process to the company's answer."""
    env, tally, u = world.env, world.tally, batch.case(j)
    facts = world.scenario.legal
    process = process or choose_process(world, batch, j)
    period, opened = world.period_of(env.now), env.now
    # Where a law lets the company hand over nothing under this kind of process, the
    # agency seeks a warrant instead, or gives up on the platform.
    if not world.policy_for(u["state"]).legal.reaches_anything(process):
        to_warrant = u["u_reroute"] < world.scenario.routes.unreachable_process_to_warrant
        world.say(batch, j, "the law lets the company hand over nothing under a {kind}: {then}",
                  kind=process.replace("_", " "),
                  then="the agency seeks a warrant instead" if to_warrant else "the agency gives up on the platform")
        if not to_warrant:
            tally.add("substitution.process_dropped", period)
            return
        tally.add("substitution.process_to_warrant", period)
        process = "warrant"
    kind = process.replace("_", " ")
    tally.add("legal.demands", period)
    tally.add(PLURAL[process], period)

    preserved = u["u_preserve"] < facts.preservation_probability
    if preserved:
        tally.add("legal.preservation_requests", period)
    world.say(batch, j, "seeks a {kind}{asks}", kind=kind,
              asks=" and asks the company to preserve video" if preserved else "")

    yield env.timeout(u["court_days"])
    refused = u["u_judge"] < facts.judge_refusal_probability[process]
    if refused:
        world.say(batch, j, "the court refuses to issue it")
        return _end(world, batch, j, period, "refused_by_court")
    served = env.now
    world.say(batch, j, "{issuer} issues the {kind}; it is served on the company", issuer=ISSUER[process], kind=kind)

    with world.legal_staff.request() as turn:
        yield turn
        yield env.timeout(u["legal_review_days"])
    world.say(batch, j, "the company's legal team answers after {took}", took=_duration(env.now - served))

    rules = world.policy_for(u["state"])
    pushed_back = u["u_pushback"] < rules.legal.pushback_probability
    if pushed_back:
        tally.add("legal.pushbacks", period)
        world.say(batch, j, "the company objects that the demand is too broad, and rejects it")
        return _end(world, batch, j, period, "rejected_after_pushback")
    identified = u["u_identified"] < facts.account_identified_probability
    if not identified:
        return _end(world, batch, j, period, "no_records")

    tally.add("legal.demands_with_data", period)
    told = rules.legal.notify_user and u["u_gag"] >= rules.legal.gag_order_probability
    if told:
        tally.add("legal.users_notified", period)
    reaches_content = rules.legal.reaches_content(process)
    # Preserved footage is frozen when the demand opens; otherwise it ages until served.
    age = u["request_delay"] + (0.0 if preserved else env.now - opened)
    has_video = reaches_content and world.targeted_footage_exists(
        rules.platform, env.now, u["u_target_paid"], u["u_target_e2ee"], u["target_retention"], age)
    if not has_video:
        world.say(batch, j, "records handed over, no video: {why}",
                  why="this process reaches account records only" if not reaches_content
                  else "no stored video the company can read (no paid plan, encrypted, or deleted)")
        return _end(world, batch, j, period, "records_only")

    owners = owners_disclosed(world, u["owners_per_warrant"])
    tally.add("legal.content_disclosures", period)
    disclose_without_consent(world, "legal", period, owners, told, env.now - opened)
    world.say(batch, j, "video of {owners} owner(s) handed over under the {kind}, without the owner's consent{notice}",
              owners=owners, kind=kind, notice="; the user is told" if told else "; nobody is told")
    _end(world, batch, j, period, "content_disclosed")


def _duration(days: float) -> str:
    return f"{24 * days:.0f} h" if days < 1 else f"{days:.1f} days"


def _end(world, batch, j, period, end):
    world.tally.add(f"legal.ended_{end}", period)
    world.say(batch, j, "legal demand ends: {end}", end=end.replace("_", " "))
