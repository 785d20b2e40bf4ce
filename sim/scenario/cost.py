"""What one replication of a scenario would cost, refused before simulating when too much.

A value inside its range can still ask for an impossible run: 10,000 investigations per
agency-year across 17,541 agencies is 175 million cases a year (gigabytes of arrays, then
a crash), and 100,000 cameras per square mile puts billions of owners in front of the
portal. These are limits of the tool, not of the model: the national baseline asks for
about 150,000 investigations and a few million owner contacts a year, and every prior in
the library stays well inside them.
"""

from __future__ import annotations

from sim.errors import FieldValueError

MAX_INVESTIGATIONS_PER_YEAR = 3_000_000
MAX_OWNER_CONTACTS_PER_YEAR = 50_000_000
# Agencies joining over a horizon (the US has about 18,000 police agencies): a bound on memory, not on meaning.
MAX_ENROLLED = 5_000_000


def check_cost(scenario) -> None:
    """Raise FieldValueError (naming the field to lower) if a year would be too costly to simulate."""
    _check_enrollment(scenario)
    agencies = scenario.population.agencies.police_agencies
    invest = scenario.investigations
    rate = max(invest.rate_per_agency_year.values()) + max(invest.imminent_rate_per_agency_year.values())
    per_year = agencies * rate
    if per_year > MAX_INVESTIGATIONS_PER_YEAR:
        raise FieldValueError(
            "investigations.rate_per_agency_year", None,
            f"{agencies:,} agencies at up to {rate:g} investigations each is about {per_year:,.0f} investigations "
            f"a year to simulate; the limit is {MAX_INVESTIGATIONS_PER_YEAR:,} (memory and time grow with it)")
    cameras = max(scenario.population.owners.cameras_per_sq_mi.values())
    area = invest.requested_area_sq_mi.expected()
    contacts = per_year * cameras * area
    if contacts > MAX_OWNER_CONTACTS_PER_YEAR:
        raise FieldValueError(
            "population.owners.cameras_per_sq_mi", None,
            f"{cameras:g} cameras per square mile over requests of about {area:.2g} sq mi puts about "
            f"{contacts:,.0f} owners a year in front of requests; the limit is {MAX_OWNER_CONTACTS_PER_YEAR:,} "
            "(memory and time grow with it)")


def _check_enrollment(scenario) -> None:
    """Enrollment compounds after its last published count: refuse a horizon and growth that make it absurd."""
    params, end = scenario.population.agencies, scenario.scenario.end
    last_day, last_count = params.enrolled_cumulative.points[-1]
    years = max((end - last_day).days, 0) / 365.25
    expected = max(last_count, 1.0) * (1.0 + params.growth_after_last_count) ** years
    if expected > MAX_ENROLLED:
        raise FieldValueError(
            "population.agencies.growth_after_last_count", None,
            f"growing {params.growth_after_last_count:g} a year from {last_count:,.0f} agencies on {last_day} to "
            f"{end} is about {expected:,.0f} enrolled agencies; the limit is {MAX_ENROLLED:,} (lower the growth or "
            "end the horizon sooner)")
