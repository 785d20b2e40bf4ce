"""The brief as people read it: two counts named apart, projections marked, counts rounded, verdicts that hold.

Renders the default brief (every shipped alternative, the posterior's draws) and the
playground's answer, and reads them as a journalist would: no fraction of a person, one
minus sign, both counts defined on page 1 and on the first screen, the projected year
marked, no title that ranks alternatives by a count it does not name. The verdicts'
stability across seeds at the default replication count is a slow test
(`pytest -m slow`): it runs the default brief's scenarios twice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest

from sim.experiments.calibration import load_targets
from sim.experiments.stats import verdicts
from sim.formatting import change, count, count_range, percent
from sim.report.counts import last_published

# A number with a decimal part, not part of a version (0.1.0) or a dotted name: a fraction of a person.
FRACTION = re.compile(r"(?<![\w.])[−+\-]?\d[\d,]*\.\d+(?![\w.])")
ASCII_MINUS = re.compile(r"(?<![\w\-])-\d")


@pytest.mark.parametrize(("x", "shown"), [(0, "0"), (0.4, "fewer than 1"), (3.4, "3"), (96.7, "97"),
                                          (2677.0, "2,700"), (4341.900000000001, "4,300"), (20138.4, "20,000")])
def test_counts_are_written_as_people_read_them(x, shown):
    assert count(x) == shown


def test_changes_carry_one_minus_sign_and_no_fraction_of_a_person():
    assert change(-2417.0) == "−2,400" and change(132.0) == "+130" and change(0.6) == "+<1" and change(0) == "±0"
    assert count_range(1720.4, 4341.9) == "1,700 to 4,300"
    assert percent(-0.9) == "−90%"


def test_a_verdict_needs_enough_replications_to_bound_the_ends_of_its_range():
    rng = np.random.default_rng(3)
    clearly_fewer = rng.normal(-50, 10, 200)
    first_20 = np.where(np.arange(200) < 20, clearly_fewer, np.nan)  # NaN: not run
    assert verdicts(np.stack([first_20, clearly_fewer])) == ["not settled", "fewer"]
    assert verdicts(np.stack([rng.normal(0, 10, 200), np.zeros(200), -clearly_fewer])) == [
        "no clear change", "no change", "more"]
    borderline = rng.normal(16.45, 10, 200)  # its 5th percentile sits on zero: within Monte Carlo error of it
    assert verdicts(borderline[None, :]) == ["not settled"]
    assert verdicts(rng.normal(16.45, 10, 20_000)[None, :]) == ["not settled"]  # more replications: still on zero
    # an end surely on one side: "fewer" only when the far end of its error is below zero, "no clear change" only
    # when the near end of the other's is at or above it
    assert verdicts(rng.normal(30, 10, 2000)[None, :]) == ["more"]
    assert verdicts(rng.normal(10, 10, 2000)[None, :]) == ["no clear change"]
    assert verdicts(clearly_fewer[None, :], confidence=1 - 0.05 / 51)[0] == "fewer"  # a map's 51 states at once
    assert verdicts(clearly_fewer[None, :100], confidence=1 - 0.05 / 51)[0] == "not settled"


class _Text(HTMLParser):
    """Visible text, by the nearest element with an id (the brief's and the page's sections)."""

    SKIP = {"assumptions-table", "calibration-table", "files-table", "regenerate", "sources"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts, self.section = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append((tag, a.get("id")))
        if tag == "h2" and a.get("id"):
            self.section = a["id"]
        if tag == "img" and a.get("alt"):
            self.parts.append(a["alt"])

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        ids = {i for _t, i in self.stack if i} | {self.section}
        tags = {t for t, _i in self.stack}
        if not ids & self.SKIP and not tags & {"code", "pre", "style", "script", "title"}:
            self.parts.append(data)


def _people_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_no_fraction_of_a_person_and_one_minus_sign_in_the_default_brief(default_brief):
    text = _people_text((default_brief / "brief.html").read_text(encoding="utf-8"))
    assert "neither their consent nor a warrant" in text and "under a search warrant" in text
    assert FRACTION.findall(text) == []
    assert ASCII_MINUS.findall(text) == []
    people_csv = (default_brief / "headline.csv").read_text(encoding="utf-8")
    assert FRACTION.findall(people_csv) == [] and ASCII_MINUS.findall(people_csv) == []
    exact = (default_brief / "runs" / "headline-exact.csv").read_text(encoding="utf-8")
    assert not re.search(r"\d{13,}", exact), "float noise in the exact CSV"


def test_the_first_screen_defines_both_counts_and_marks_the_projection(default_brief):
    html = (default_brief / "brief.html").read_text(encoding="utf-8")
    title = re.search(r'<h1 id="title">(.*?)</h1>', html, flags=re.S).group(1)
    assert "(projected)" in title and "neither consent nor a warrant" in title and "search warrant" in title
    assert "without consent" not in title.replace("neither consent", ""), "the total alone in the title"
    if " the most " in title:  # a ranking names its count
        assert re.search(r"cut (the no-consent, no-warrant count|the search-warrant count) the most", title)
    box = html[html.index('id="definitions"'):html.index('id="findings"')]
    last = last_published(load_targets())
    assert "is a projection" in box and f"ends in {last}" in box
    assert "neither their consent nor a warrant" in box and "under a search warrant" in box


def test_page_one_of_the_pdf_stands_alone(default_brief):
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) not installed")
    pdf = default_brief / "brief.pdf"
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    words = " ".join(page1.split())
    assert "neither their consent nor a warrant" in words and "under a search warrant" in words
    assert "is a projection" in words and "(projected)" in words
    assert "--uncertainty" in words.split("Regenerate:")[-1], "page 1 runs over: its command is cut"
    before_command = words.split("Regenerate:")[0]
    assert FRACTION.findall(before_command) == [] and ASCII_MINUS.findall(before_command) == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+In 20\d\d", info, flags=re.M), info
    assert re.search(r"^CreationDate:\s+\S", info, flags=re.M), info


def test_the_apps_answer_reads_the_same_way():
    from sim.experiments.compare import compare_scenarios
    from sim.web.compose import compose
    from sim.web.results import Results
    from sim.web.whatif import WhatIf

    spec = WhatIf(variants=("platform/e2ee-default",), reps=4, seed=1)
    composed = compose(spec)
    base, variant = composed.written()
    comparison = compare_scenarios(base, [variant], spec.reps, spec.seed, workers=1, uncertainty=None)
    shown = Results(spec, comparison)
    text = " ".join([shown.title(), *shown.findings(), *(f"{a} {b}" for a, b in shown.definitions()),
                     _people_text(str(shown.table())), shown.caption()])
    assert "(projected)" in shown.title() and "is a projection" in text
    assert "neither their consent nor a warrant" in text and "under a search warrant" in text
    assert FRACTION.findall(text) == [] and ASCII_MINUS.findall(text) == []


@pytest.mark.slow
def test_the_default_brief_gives_the_same_verdicts_with_seeds_1_and_2():
    """Every verdict the default brief prints (each alternative on each headline count) and the states its map
    shows, with seed 1 and with seed 2, at the default replication count and settling, as `ringsim brief` runs."""
    from sim.experiments.compare import compare_scenarios
    from sim.experiments.settle import settling_for
    from sim.report import DEFAULT_BRIEF_REPS, SETTLE_FACTOR
    from sim.report.brief import default_scenarios
    from sim.report.brief_charts import _mapped
    from sim.report.brief_tables import SHOWN
    from sim.scenario import loader

    loaded = [loader.load(p) for p in default_scenarios()]
    year = loaded[0].years[-1]
    found = []
    for seed in (1, 2):
        settling = settling_for([k.metric for k in SHOWN], year, SETTLE_FACTOR * DEFAULT_BRIEF_REPS)
        c = compare_scenarios(loaded[0], loaded[1:], DEFAULT_BRIEF_REPS, seed, workers=2, uncertainty=None,
                              settling=settling)
        verdicts_shown = {(v.loaded.name, k.metric): c.change(v, k.metric, year)["verdict"]
                          for v in c.variants for k in SHOWN}
        mapped, shown = _mapped(c, year)
        states = c.state_changes(mapped, shown.metric, year)
        found.append((verdicts_shown, mapped.loaded.name,
                      sorted(s for s, d in states.items() if d["verdict"] in ("fewer", "more"))))
    assert found[0] == found[1]


def test_each_year_says_whether_a_published_figure_anchors_it():
    from sim.experiments.calibration import DEFAULT_TARGETS, load_targets
    from sim.report.counts import NEITHER, WARRANT, anchoring, last_published, year_label

    targets = load_targets(DEFAULT_TARGETS)
    last = last_published(targets)
    assert anchoring(targets, WARRANT.metric, str(last + 1)) == "projected"
    assert year_label(targets, str(last + 4)) == f"{last + 4} (projected)"
    assert anchoring(targets, NEITHER.metric, str(last)) == "anchored"  # the emergency figure of 2022
    assert anchoring(targets, NEITHER.metric, "2018") == "not anchored"  # inside the record, no figure near it
