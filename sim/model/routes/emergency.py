"""Route 2, emergency requests: the company alone decides, and the owner is not asked.

    form filed → queue for the company's reviewers → good-faith grant decision → if
    granted and footage exists, disclosure without consent → notice to the owner only
    if policy says so → where a law demands it, a court must ratify within a deadline
    or the data is destroyed. A refused form may turn into a warrant application.

`request` reads in that order.
"""

from __future__ import annotations

from sim.model.routes import legal
from sim.model.routes.disclosure import disclose_without_consent, owners_disclosed

# How an emergency form can end (declared once: metrics, charts and traces import it).
ENDS = ("denied", "granted_no_footage", "disclosed")


def request(world, batch, j: int):
    """One emergency form, from filing to decision (and ratification, if required)."""
    env, tally, u = world.env, world.tally, batch.case(j)
    period, filed = world.period_of(env.now), env.now
    tally.add("emergency.requests", period)
    world.say(batch, j, "files the company's emergency form, claiming imminent danger; the owner is not asked")

    with world.reviewers.request() as turn:
        yield turn
        tally.observe("emergency.review_wait_days_mean", period, env.now - filed)
        yield env.timeout(u["emergency_review_days"])

    rules = world.policy_for(u["state"])
    world.say(batch, j, "a company reviewer decides alone, {hours:.1f} h after filing", hours=24 * (env.now - filed))
    granted = u["u_grant"] < rules.emergency.grant_probability
    if not granted:
        _end(world, batch, j, period, "denied")
        to_court = u["u_denied_to_legal"] < world.scenario.routes.denied_emergency_to_legal
        if to_court:
            tally.add("substitution.imminent_to_legal", period)
            world.say(batch, j, "form refused: the agency applies for a warrant")
            legal.demand(world, batch, j, env.now, process="warrant")
        return
    tally.add("emergency.granted", period)
    age = u["request_delay"] + (env.now - filed)
    has_video = world.targeted_footage_exists(rules.platform, env.now, u["u_target_paid"], u["u_target_e2ee"],
                                     u["target_retention"], age)
    if not has_video:
        world.say(batch, j, "granted, but no stored video the company can read (no paid plan, encrypted, or deleted)")
        return _end(world, batch, j, period, "granted_no_footage")

    owners = owners_disclosed(world, u["owners_per_emergency"])
    told = rules.emergency.notify_owner
    tally.add("emergency.disclosures", period)
    disclose_without_consent(world, "emergency", period, owners, told, env.now - filed)
    world.say(batch, j, "granted: video of {owners} owner(s) handed over without consent{notice}",
              owners=owners, notice="" if told else ", no notice")
    _end(world, batch, j, period, "disclosed")

    if rules.emergency.court_ratification_required:
        yield env.timeout(rules.emergency.ratification_hours / 24)
        world.say(batch, j, "the agency applies for the follow-up warrant the law requires")
        refused = u["u_ratify"] < world.scenario.legal.judge_refusal_probability["warrant"]
        if not refused:
            tally.add("emergency.ratified", period)
            world.say(batch, j, "a court grants the warrant: the disclosure is ratified")
        elif rules.emergency.destroy_if_not_ratified:
            tally.add("emergency.ratification_refused", period)
            tally.add("emergency.destroyed_unratified", period)
            world.say(batch, j, "the court refuses the warrant: the footage must be destroyed")
        else:
            tally.add("emergency.ratification_refused", period)
            world.say(batch, j, "the court refuses the warrant; the law does not require the footage destroyed")

def _end(world, batch, j, period, end):
    world.tally.add(f"emergency.ended_{end}", period)
    world.say(batch, j, "emergency form ends: {end}", end=end.replace("_", " "))
