"""The playground's own logic, without a browser: links, composed files, runs, queue, form.

The page must show the model's numbers, not a second model's: a what-if's files run
with `ringsim compare` give exactly the page's summaries.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import tomllib

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from shiny import ui

from sim.errors import UsageError
from sim.experiments.compare import compare_scenarios
from sim.formatting import dump_json
from sim.report.output import summary
from sim.scenario import loader
from sim.web.choices import LEVERS, library
from sim.web.compose import compose
from sim.web.form import check, check_upload, field_of, scenario_text
from sim.web.service import Cancelled, Gate, Job, Service
from sim.web.whatif import WhatIf, from_query, to_query

RINGSIM = [sys.executable, "-m", "sim"]


def lever_values(lever):
    if lever.kind == "bool":
        return st.booleans()
    if lever.kind == "choice":
        return st.sampled_from(lever.options)
    if lever.step >= 1:
        return st.integers(int(lever.low), int(lever.high)).map(float)
    return st.floats(lever.low, lever.high, allow_nan=False)


specs = st.builds(
    WhatIf,
    base=st.sampled_from(["timeline", "eras/no-portal-ever"]),
    variants=st.lists(st.sampled_from([n for n in library() if n != "timeline"]), max_size=3, unique=True).map(tuple),
    levers=st.lists(st.sampled_from(LEVERS), max_size=3, unique=True).flatmap(
        lambda chosen: st.tuples(*(st.tuples(st.just(le.path), lever_values(le)) for le in chosen))),
    pins=st.lists(st.tuples(st.just("population.owners.audio_share"), st.floats(0.5, 0.95)), max_size=1).map(tuple),
    levers_from=st.one_of(st.none(), st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31))),
    horizon=st.sampled_from(["timeline", "2018", "2020", "2025"]),
    state=st.sampled_from([None, "IL", "VT"]),
    reps=st.integers(1, 200), seed=st.integers(0, 2**63 - 1))


@settings(max_examples=200, deadline=None)
@given(specs)
def test_a_link_gives_back_exactly_the_what_if(spec):
    assert from_query(to_query(spec)) == spec


@pytest.mark.parametrize("query, message", [
    ("base=timeline&colour=red", "link: unknown field 'colour'"),
    ("base=nowhere", "link: base = 'nowhere': must be one of"),
    ("variant=laws/nothing", "link: variant = 'laws/nothing': not a library scenario"),
    ("set=portal.open%3Dmaybe", "link: set portal.open = maybe: must be true or false"),
    ("set=emergency.grant_probability%3D1.7", "link: set emergency.grant_probability = 1.7: must be in [0, 1]"),
    ("set=legal.staff%3D3", "link: set legal.staff: not a policy lever"),
    ("pin=population.owners.audio_share%3D0.1", "link: pin population.owners.audio_share = 0.1: must be in"),
    ("reps=0", "link: reps = 0: must be between 1 and 200"),
    ("seed=x", "link: seed = 'x': must be a whole number"),
    ("horizon=1999", "link: horizon = '1999'"),
    ("reps=2&reps=3", "link: reps is given 2 times"),
    ("set=portal.open%3Dtrue&set=portal.open%3Dfalse", "link: set portal.open is given twice"),
    ("variant=platform/no-nudging&variant=platform/no-nudging", "link: variant platform/no-nudging is given twice"),
    ("&".join(["variant=platform/no-nudging"] * 9), "link: 9 variants: at most 8 can be stacked"),
])
def test_a_bad_link_is_one_line_naming_the_field(query, message):
    ranges = {"population.owners.audio_share": (0.5, 0.95)}
    with pytest.raises(UsageError) as err:
        from_query(query, ranges, tuple(str(y) for y in range(2018, 2027)), ("IL",))
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_stacked_choices_and_levers_all_hold_in_the_variant():
    spec = WhatIf(variants=("laws/illinois-hb2553-national", "platform/e2ee-default"),
                  levers=(("portal.open", False), ("platform.retention_days", 14.0)), horizon="2025")
    base_path, variant_path = compose(spec).written()
    variant = loader.load(variant_path)
    assert variant.years == ("2025",) and loader.load(base_path).years == ("2025",)
    for day in (dt.date(2025, 1, 1), dt.date(2025, 9, 2), dt.date(2025, 12, 31)):
        policy = variant.policy_book.policy_on(day, "CA")
        assert policy.emergency.qualifying_incidents == ("kidnapping",)  # the law
        assert policy.platform.e2ee_default  # the platform choice
        assert not policy.portal.open  # the lever holds after the real reopening of 1 Sep 2025
        assert (policy.platform.retention_mode, policy.platform.retention_days) == ("fixed", 14.0)


def test_the_same_what_if_writes_the_same_files():
    spec = WhatIf(variants=("platform/no-nudging",), pins=(("population.owners.audio_share", 0.6),))
    first, second = compose(spec), compose(WhatIf(**{f: getattr(spec, f) for f in spec.__slots__
                                                     if not f.startswith("__")}))
    assert first.files == second.files and first.digest == second.digest


@pytest.fixture(scope="module")
def service():
    running = Service(max_runs=2, workers=2)
    yield running
    running.close()


def test_the_page_shows_what_ringsim_compare_computes(service, tmp_path):
    spec = WhatIf(variants=("classroom/portal-closed-2020",), pins=(("population.owners.audio_share", 0.6),),
                  levers=(("emergency.notify_owner", True),), horizon="2020", reps=4, seed=3)
    comparison = service.compare(spec, Job())
    base_path, variant_path = compose(spec).written()
    for name, text in compose(spec).files.items():  # the zip's files, in a folder of the user's
        (tmp_path / name).write_text(text)
    out = tmp_path / "out"
    done = subprocess.run([*RINGSIM, "compare", compose(spec).base, compose(spec).variant, "--reps", "4", "--seed",
                           "3", "--out", str(out), "--workers", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for result in (comparison.base, comparison.variants[0]):
        written = json.loads((out / result.loaded.name / "summary.json").read_text())
        mine = json.loads(dump_json(summary(result)))
        assert written["metrics"] == mine["metrics"]
        assert written["uncertainty"] == "posterior"


def test_a_scenario_is_run_once_per_files_reps_and_seed(service):
    spec = WhatIf(levers=(("portal.open", False),), horizon="2019", reps=2, seed=11)
    first_job, second_job = Job(), Job()
    first = service.compare(spec, first_job)
    second = service.compare(spec, second_job)
    assert (first_job.total, second_job.total) == (4, 0)  # base and variant, then neither
    assert second.base is first.base and second.variants[0] is first.variants[0]
    other = service.compare(WhatIf(levers=(("portal.open", True),), horizon="2019", reps=2, seed=11), third := Job())
    assert third.total == 2 and other.base is first.base  # a new variant on the same base
    assert np.array_equal(second.variants[0].tables, first.variants[0].tables, equal_nan=True)


def test_pages_asking_for_the_same_run_at_once_share_it(service):
    spec = WhatIf(variants=("platform/no-nudging",), horizon="2018", reps=3, seed=21)
    jobs, found = [Job() for _ in range(3)], []
    threads = [threading.Thread(target=lambda j=j: found.append(service.compare(spec, j))) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(j.done for j in jobs) == 2 * 3  # base and variant, each run once for the three pages
    assert len({id(c.variants[0]) for c in found}) == 1


def test_a_cancelled_run_stops_and_the_pool_works_on(service):
    job = Job()
    job.cancel.set()
    with pytest.raises(Cancelled):
        service.compare(WhatIf(horizon="2021", reps=50, seed=99), job)
    assert job.done <= 2 * 4 + 1
    assert service.compare(WhatIf(horizon="2018", reps=2, seed=5), Job()).base.replications == 2


def test_the_queue_is_first_come_and_bounded():
    gate, order, ahead = Gate(1), [], {}
    jobs = [Job() for _ in range(3)]
    release = threading.Event()

    def work(k: int) -> None:
        with gate.slot(jobs[k]):
            order.append(k)
            if k == 0:
                release.wait(5)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    threads[0].start()
    time.sleep(0.1)
    for t in threads[1:]:
        t.start()
        time.sleep(0.1)
    time.sleep(0.3)
    ahead = {k: jobs[k].ahead for k in (1, 2)}
    assert gate.running == 1 and gate.waiting == 2
    release.set()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2] and ahead == {1: 1, 2: 2}


def test_follow_the_same_case_under_a_changed_lever(service):
    spec = WhatIf(levers=(("portal.open", False),), horizon="2020", seed=1)
    for route in ("portal", "emergency", "legal"):
        followed = service.follow(spec, route, Job())
        before, after = followed.before, followed.after
        assert before is not None and before.route == route and before.case == followed.case
        assert after is None or after.case == followed.case
        if route == "portal":
            assert followed.affected and after is not None and "portal is shut" in after.lines[0][1]


@pytest.mark.parametrize("lever", [le for le in LEVERS if le.kind != "number"], ids=lambda le: le.path)
def test_follow_shows_a_difference_for_every_lever_it_offers_or_says_the_case_is_unaffected(lever):
    """With the value the page offers (the opposite of the one in force), on the lever's own route, the case
    picked differs, with its changed lines marked; or the page says the change does not affect it."""
    from sim.scenario import loader as scenario_loader
    from sim.web.compose import compose
    from sim.web.follow import find_case, story_view, target_value

    route = {"portal": "portal", "emergency": "emergency"}.get(lever.path.split(".")[0], "legal")
    value = lever.parse(target_value(lever.path, scenario_loader.load("timeline"), "2020"))
    spec = WhatIf(levers=((lever.path, value),), horizon="2020", seed=1)
    base_path, variant_path = compose(spec).written()
    followed = find_case(scenario_loader.load(base_path), scenario_loader.load(variant_path), 1, route)
    shown = str(story_view(spec, route, followed, ui.div()))
    assert "=" not in shown.split('id="story-after-title">')[1].split("<")[0]  # headed in words
    if followed.affected:
        assert "<mark" in shown or 'id="story-after"' in shown and followed.after is None
    else:
        assert "does not affect this case" in shown


def test_the_page_names_levers_that_cannot_act_in_its_years():
    from sim.web.results import inert_words

    spec = WhatIf(levers=(("platform.e2ee_default", True),), horizon="2020", reps=2, seed=1)
    base_path, variant_path = compose(spec).written()
    comparison = compare_scenarios(loader.load(base_path), [loader.load(variant_path)], 2, 1, workers=1,
                                   uncertainty="none")
    assert inert_words(comparison) == (
        "End-to-end encryption on by default (platform.e2ee_default) cannot act in 2020: end-to-end encryption is "
        "not available then (platform.e2ee_available is false)",)


def test_a_copied_law_keeps_its_mechanism_and_says_whose_rules_it_copies():
    text = scenario_text("laws/illinois-hb2553", "il-ca", "IL in CA", dt.date(2023, 1, 1), ["CA"], {})
    doc = tomllib.loads(text)
    assert doc["scenario"]["mechanism"].startswith("Emergency forms are admitted only for kidnappings")
    assert doc["timeline"][0]["label"].startswith("what-if: the rules of \u201cIllinois HB 2553 in force\u201d")
    assert "for CA" in doc["timeline"][0]["label"]
    assert check(text, "il-ca.toml") is None


def test_unknowns_and_choices_are_labelled_in_words():
    from sim.web.choices import LEVER_BY_PATH, unknown_label

    assert unknown_label("population.owners.consent_probability") == "Camera owners: consent probability"
    assert "." not in unknown_label("investigations.imminent_types.kidnapping.call_concerning_owner")
    assert LEVER_BY_PATH["portal.mode"].option_words["public_post"] == "by public post in the Neighbors feed"


def test_a_form_scenario_runs_unchanged_from_any_folder(tmp_path):
    text = scenario_text("laws/illinois-hb2553", "illinois-in-california", "Illinois HB 2553 in California",
                         dt.date(2023, 1, 1), ["CA"], {"emergency.notify_owner": True})
    assert check(text, "illinois-in-california.toml") is None
    (tmp_path / "illinois-in-california.toml").write_text(text)
    done = subprocess.run([*RINGSIM, "run", "illinois-in-california.toml", "--reps", "1", "--workers", "1",
                           "--uncertainty", "none", "--out", "out"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    loaded = loader.load(tmp_path / "illinois-in-california.toml")
    policy = loaded.policy_book.policy_on(dt.date(2023, 6, 1), "CA")
    assert policy.emergency.qualifying_incidents == ("kidnapping",) and policy.emergency.notify_owner
    assert not loaded.policy_book.policy_on(dt.date(2023, 6, 1), "OH").emergency.notify_owner


@pytest.mark.parametrize("name, date, states, field, message", [
    ("bad name", dt.date(2023, 1, 1), ["CA"], "name", "x.toml: scenario.name = 'bad name': must be"),
    ("fine", dt.date(2031, 1, 1), ["CA"], "date", "x.toml: timeline[9].date = 2031-01-01: outside the horizon"),
    ("fine", dt.date(2023, 1, 1), ["ZZ"], "states", "x.toml: timeline[9].states[0] = 'ZZ': not a US state"),
])
def test_a_form_error_is_the_cli_line_beside_its_field(name, date, states, field, message):
    error = check(scenario_text("laws/vermont-h602", name, "", date, states, {}), "x.toml")
    assert str(error).startswith(message) and field_of(error) == field


def test_an_upload_is_checked_by_the_loader_with_its_size_limit(tmp_path):
    broken = tmp_path / "upload"
    broken.write_text('extends = "timeline"\n[scenario]\nname = "x"\n'
                      '[set]\n"policy.emergency.grant_probability" = 1.7\n')
    error, loaded = check_upload(broken, "mine.toml", broken.stat().st_size)
    assert loaded is None
    assert str(error) == "mine.toml: policy.emergency.grant_probability = 1.7: must be in [0, 1]"
    error, _ = check_upload(broken, "big.toml", 2_000_000)
    assert str(error) == "big.toml: larger than 1,000,000 bytes"


def test_app_refuses_a_port_in_use_in_one_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*RINGSIM, "app", "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"ringsim: error: --host 127.0.0.1 --port {port}: cannot listen there")
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_brief_download_is_the_brief_of_what_is_on_screen(service):
    import io
    import zipfile

    from sim.web.results import Results, brief_zip

    spec = WhatIf(variants=("platform/notify-owners",), horizon="2023", state="IL", reps=3, seed=4)
    comparison = service.compare(spec, Job())
    names = zipfile.ZipFile(io.BytesIO(brief_zip(spec, comparison))).namelist()
    assert {"brief/brief.html", "brief/brief.pdf", "brief/headline.csv", "README.txt"} <= set(names)
    assert set(compose(spec).files) <= set(names)
    view = Results(spec, comparison)
    assert re.match(r"In 2023 \([^)]*\) in IL \(agencies there\)", view.findings()[0]), view.findings()[0]
    assert view.command().startswith("ringsim compare timeline-2023.toml whatif-") and "--state IL" in view.command()


def test_the_readme_what_if_runs_as_written(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Write your own what-if"):]
    block = section[section.index("```toml") + len("```toml"):section.index("```", section.index("```toml") + 7)]
    (tmp_path / "illinois-in-california.toml").write_text(block)
    loaded = loader.load(tmp_path / "illinois-in-california.toml")
    # California's own law already requires a follow-up filing; Illinois's adds its narrower claims.
    assert loaded.policy_book.policy_on(dt.date(2023, 6, 1), "CA").emergency.qualifying_incidents == ("kidnapping",)
    assert len(loaded.policy_book.policy_on(dt.date(2022, 6, 1), "CA").emergency.qualifying_incidents) > 1
