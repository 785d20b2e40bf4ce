"""Route 3, legal process: a court issues it, the company reviews it, and discloses what it reaches.

(preservation request) → court (delay; a judge may refuse) → served on the company →
queue for the legal team → pushback on overbroad demands → account identified? →
disclosure of what the process reaches (content only where policy says, by default a
warrant) → the user is told unless a gag order forbids it.
"""

from __future__ import annotations

from sim.scenario.schema import PROCESS_TYPES

# How a legal demand can end (declared once: metrics, charts and traces import it).
ENDS = ("refused_by_court", "rejected_after_pushback", "no_records", "records_only", "content_disclosed")
PLURAL = {"warrant": "legal.warrants", "subpoena": "legal.subpoenas", "court_order": "legal.court_orders"}


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
    """One legal demand, from the court to the company's answer."""
    env, tally, u = world.env, world.tally, batch.case(j)
    legal = world.scenario.legal
    process = process or choose_process(world, batch, j)
    period = world.period_of(env.now)
    opened = env.now
    tally.add("legal.demands", period)
    tally.add(PLURAL[process], period)
    preserved = u["u_preserve"] < legal.preservation_probability
    if preserved:
        tally.add("legal.preservation_requests", period)
    if world.tracing:
        asks = " and asks the company to preserve video" if preserved else ""
        world.say(batch, j, f"seeks a {process.replace('_', ' ')}{asks}")

    yield env.timeout(u["court_days"])
    if u["u_judge"] < legal.judge_refusal_probability[process]:
        world.say(batch, j, "the court refuses to issue it")
        return _end(world, batch, j, period, "refused_by_court")
    served = env.now
    if world.tracing:
        world.say(batch, j, f"a court issues the {process.replace('_', ' ')}; it is served on the company")

    with world.legal_staff.request() as turn:
        yield turn
        yield env.timeout(u["legal_review_days"])
    if world.tracing:
        took = env.now - served
        world.say(batch, j, "the company's legal team answers after "
                            + (f"{24 * took:.0f} h" if took < 1 else f"{took:.1f} days"))

    rules = world.policy_for(u["state"])
    if u["u_pushback"] < rules.legal.pushback_probability:
        tally.add("legal.pushbacks", period)
        world.say(batch, j, "the company objects that the demand is too broad, and rejects it")
        return _end(world, batch, j, period, "rejected_after_pushback")
    if u["u_identified"] >= legal.account_identified_probability:
        return _end(world, batch, j, period, "no_records")

    tally.add("legal.demands_with_data", period)
    told = rules.legal.notify_user and u["u_gag"] >= rules.legal.gag_order_probability
    if told:
        tally.add("legal.users_notified", period)
    # Preserved footage is frozen when the demand opens; otherwise it ages until served.
    age = u["request_delay"] + (0.0 if preserved else env.now - opened)
    content = rules.legal.reaches_content(process) and world.footage_exists(
        rules.platform, env.now, u["u_target_paid"], u["u_target_e2ee"], u["target_retention"], age)
    if not content:
        if world.tracing:
            why = ("this process reaches account records only" if not rules.legal.reaches_content(process)
                   else "no stored video the company can read (no paid plan, encrypted, or deleted)")
            world.say(batch, j, f"records handed over, no video: {why}")
        return _end(world, batch, j, period, "records_only")

    owners = max(1, round(u["owners_per_warrant"]))
    tally.add("legal.content_disclosures", period)
    tally.add("legal.owners_disclosed", period, owners)
    tally.add("total.owners_disclosed", period, owners)
    tally.add("total.owners_disclosed_without_consent", period, owners)
    if not told:
        tally.add("total.owners_never_notified", period, owners)
    tally.observe("legal.days_to_disclosure_mean", period, env.now - opened)
    if world.tracing:
        world.say(batch, j, f"video of {owners} owner(s) handed over under the {process.replace('_', ' ')}, "
                            "without the owner's consent" + ("; the user is told" if told else "; nobody is told"))
    _end(world, batch, j, period, "content_disclosed")


def _end(world, batch, j, period, end):
    world.tally.add(f"legal.ended_{end}", period)
    world.say(batch, j, f"legal demand ends: {end.replace('_', ' ')}")
