"""Route 2, emergency requests: the company alone decides, and the owner is not asked.

form filed → queue for the company's reviewers → good-faith grant decision → if granted
and footage exists, disclosure without consent → notice to the owner only if policy
says so → where a law demands it, a court must ratify within a deadline or the data is
destroyed. A refused form may turn into a warrant application.
"""

from __future__ import annotations

from sim.model.routes import legal

# How an emergency form can end (declared once: metrics, charts and traces import it).
ENDS = ("denied", "granted_no_footage", "disclosed")


def request(world, batch, j: int):
    """One emergency form, from filing to decision (and ratification, if required)."""
    env, tally, u = world.env, world.tally, batch.case(j)
    period = world.period_of(env.now)
    filed = env.now
    tally.add("emergency.requests", period)
    if world.tracing:
        world.say(batch, j, "files the company's emergency form, claiming imminent danger; the owner is not asked")

    with world.reviewers.request() as turn:
        yield turn
        tally.observe("emergency.review_wait_days_mean", period, env.now - filed)
        yield env.timeout(u["emergency_review_days"])

    rules = world.policy_for(u["state"])
    if world.tracing:
        world.say(batch, j, f"a company reviewer decides alone, {24 * (env.now - filed):.1f} h after filing")
    if u["u_grant"] >= rules.emergency.grant_probability:
        _end(world, batch, j, period, "denied")
        if u["u_denied_to_legal"] < world.scenario.routes.denied_emergency_to_legal:
            tally.add("substitution.imminent_to_legal", period)
            world.say(batch, j, "form refused: the agency applies for a warrant")
            env.process(legal.demand(world, batch, j, process="warrant"))
        return
    tally.add("emergency.granted", period)
    age = u["request_delay"] + (env.now - filed)
    if not world.footage_exists(rules.platform, env.now, u["u_target_paid"], u["u_target_e2ee"],
                                u["target_retention"], age):
        world.say(batch, j, "granted, but no stored video the company can read (no paid plan, encrypted, or deleted)")
        return _end(world, batch, j, period, "granted_no_footage")

    owners = max(1, round(u["owners_per_emergency"]))
    tally.add("emergency.disclosures", period)
    tally.add("emergency.owners_disclosed", period, owners)
    tally.add("total.owners_disclosed", period, owners)
    tally.add("total.owners_disclosed_without_consent", period, owners)
    if not rules.emergency.notify_owner:
        tally.add("total.owners_never_notified", period, owners)
    tally.observe("emergency.days_to_disclosure_mean", period, env.now - filed)
    world.say(batch, j, f"granted: video of {owners} owner(s) handed over without consent"
                 + ("" if rules.emergency.notify_owner else ", no notice"))
    _end(world, batch, j, period, "disclosed")

    if rules.emergency.court_ratification_required:
        yield env.timeout(rules.emergency.ratification_hours / 24)
        if u["u_ratify"] < world.scenario.emergency.ratification_probability:
            tally.add("emergency.ratified", period)
            world.say(batch, j, "a court ratifies the disclosure")
        else:
            tally.add("emergency.destroyed_unratified", period)
            world.say(batch, j, "no warrant within the deadline: the footage must be destroyed")


def _end(world, batch, j, period, end):
    world.tally.add(f"emergency.ended_{end}", period)
    world.say(batch, j, f"emergency form ends: {end.replace('_', ' ')}")
