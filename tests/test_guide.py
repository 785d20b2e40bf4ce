"""The classroom guide cannot go stale: every command in it runs, and every claim it makes holds."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shlex

import pytest
from conftest import ROOT, run_cli

GUIDE = ROOT / "sim" / "guides" / "classroom.md"


def guide_commands() -> list[list[str]]:
    """Every `ringsim ...` line inside a ```sh block of the guide, but `show` (it opens a picture viewer)."""
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    return [shlex.split(line.strip())[1:] for block in blocks for line in block.splitlines()
            if line.strip().startswith("ringsim ") and not line.strip().endswith(" show")]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Run the guide's commands as a student would, from a folder holding the scenarios: each twice in a row,
    as a teacher who rehearsed would (the second run must succeed too)."""
    import os

    here = tmp_path_factory.mktemp("class")
    (here / "scenarios").symlink_to(ROOT / "scenarios")  # the posterior's path was fixed when sim was imported
    old = os.getcwd()
    os.chdir(here)
    try:
        statuses = [(args, max(run_cli(*args), run_cli(*args))) for args in guide_commands()]
    finally:
        os.chdir(old)
    return here, statuses


def _changes(folder) -> dict[str, float]:
    rows = csv.DictReader((folder / "comparison.csv").open())
    return {r["metric"]: float(r["difference_mean"]) for r in rows if r["period"] == "all"}


def test_the_guide_has_three_exercises_and_every_command_succeeds(ran):
    assert GUIDE.read_text().count("## Exercise ") == 3
    _, statuses = ran
    assert len(statuses) == 9
    assert [s for _args, s in statuses] == [0] * 9, statuses
    for name in ("portal", "emergency", "e2ee", "e2ee-half"):
        folder = ran[0] / "reports/class" / name
        assert (folder / "chart.png").stat().st_size > 50_000
        assert (folder / "comparison-summary.csv").read_text().startswith("variant,measure,year,before,after")


def test_exercise_1_closing_the_portal(ran):
    change = _changes(ran[0] / "reports/class/portal")
    assert change["portal.owners_disclosed"] < -1000
    assert change["total.owners_disclosed_without_consent"] > 0
    moved = [change[f"substitution.{where}"] for where in ("off_platform", "to_legal", "to_emergency")]
    assert moved == sorted(moved, reverse=True) and moved[-1] > 0
    assert 0 < change["legal.demands"] < change["substitution.to_legal"]
    assert change["legal.escalations_from_portal"] < 0


def test_exercise_1_almost_no_video_leaves_with_consent_after_march():
    from sim.experiments.trace import stories
    from sim.scenario import loader

    closed = loader.load("classroom/portal-closed-2020")
    assert stories(closed, 1, route="portal", n=5, since=dt.date(2020, 3, 2)) == []
    legal = stories(closed, 1, route="legal", n=2, since=dt.date(2020, 3, 2))
    assert len(legal) == 2


def test_exercise_2_notice_after_an_emergency_disclosure(ran):
    change = _changes(ran[0] / "reports/class/emergency")
    assert change["emergency.owners_disclosed"] == 0
    assert -60 < change["total.owners_not_told_at_time"] < -5
    # Who is told: exactly the emergency disclosures stop counting as "not told at the time" (none were before).
    rows = list(csv.DictReader((ran[0] / "reports/class/emergency/comparison.csv").open()))
    variant_emergency = next(float(r["variant_mean"]) for r in rows
                             if r["period"] == "all" and r["metric"] == "emergency.owners_disclosed")
    assert change["total.owners_not_told_at_time"] == pytest.approx(-variant_emergency)


def test_exercise_3_end_to_end_encryption(ran):
    from sim.experiments.case_filter import CaseFilter
    from sim.experiments.trace import stories
    from sim.scenario import loader

    change = _changes(ran[0] / "reports/class/e2ee")
    assert change["emergency.owners_disclosed"] < 0
    assert change["legal.owners_disclosed"] < 0
    # What encryption stops: warrants that reach an encrypted camera hand over no video.
    told = [text for s in stories(loader.load("classroom/e2ee-default-2020"), 1, route="legal", n=2,  # as the guide
                                  pick=CaseFilter.of("no-video", route="legal")) for _when, text in s.lines]
    assert any("encrypted end to end: the company holds the video but cannot read it" in t for t in told)
    # Fewer owners keeping encryption on (--set, no file edited): a smaller fall.
    half = _changes(ran[0] / "reports/class/e2ee-half")
    assert change["legal.owners_disclosed"] < half["legal.owners_disclosed"] < 0
    assert change["portal.owners_disclosed"] < 0


NOTEBOOK = ROOT / "sim" / "guides" / "tutorial.ipynb"


def test_the_tutorial_notebook_runs_in_a_real_kernel_from_another_folder_and_shows_its_chart(tmp_path):
    """As Jupyter runs it: a real kernel (ipykernel, through nbclient), started in the
    notebook's own folder, which holds no scenarios/ (a copy, so the run writes nothing here)."""
    import base64
    import shutil

    import nbclient
    import nbformat

    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    notebook = nbformat.read(copy, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "all without consent" in text
    images = [o["data"]["image/png"] for o in outputs if o.output_type == "display_data" and "image/png" in o["data"]]
    assert images, "the chart did not show inline"
    assert len(base64.b64decode(images[0])) > 10_000
    assert (tmp_path / "reports/tutorial/portal-closed-change.png").stat().st_size > 10_000
    # Its numbers are the answer key's (the same comparison, uncertainty and seed as `ringsim lesson 1 run`).
    from sim.report.answer_key import KEY, key_rows

    assert "uncertainty: posterior" in text
    key = key_rows(KEY.read_text(encoding="utf-8"))["1"]
    printed = {line.split(":", 1)[0].strip(): line.split(":", 1)[1].split()[:3] for line in text.splitlines()
               if ":" in line and line.split(":", 1)[1].split()[:1] and line.split(":", 1)[1].split()[0][-1:].isdigit()}
    for label, words in (("portal (with consent)", "owners who shared video through the portal (with consent)"),
                         ("emergency route", "owners whose video left on an emergency form (no consent)"),
                         ("legal process", "owners whose video left under legal process (no consent)"),
                         ("all without consent", "owners whose video left without consent (all routes)")):
        assert printed[label] == list(key[words]), label


def test_the_answer_key_is_what_the_guides_commands_give(ran):
    """Every row of the answer key equals the students' CSV of the same command (python -m sim.report.answer_key
    rewrites it)."""
    from sim.report.answer_key import KEY, key_rows, key_tables

    stated, given = key_rows(KEY.read_text(encoding="utf-8")), key_tables(ran[0])
    checked = 0
    for number, rows in stated.items():
        for words, numbers in rows.items():
            assert given[number][words] == numbers, (number, words)
            checked += 1
    assert checked >= 10


# --- the lesson as a class meets it ---------------------------------------------------------------

PACK = ROOT / "sim" / "guides" / "teacher-pack.md"


def _flat(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def test_every_lesson_step_is_in_the_guide_with_the_command_it_runs():
    from sim.cli.lesson import STEPS, every_step

    guide = _flat(GUIDE.read_text(encoding="utf-8"))
    for number, step in every_step():
        assert f"ringsim lesson {number} {step}" in guide, (number, step)
        for command in STEPS[number][step]:
            assert f"ringsim {command}" in guide or all(part in guide for part in command.split(" --set ")), command
        assert len(f"ringsim lesson {number} {step}") < 30  # typed, not pasted


def test_the_plan_and_the_guide_agree_minute_by_minute():
    """Each step the guide times ("minutes 5 to 10") is a row of the plan with the same minutes, and the plan's
    command for that row is the one the guide gives under that heading; the rows fill 0 to 40 without a gap."""
    guide = GUIDE.read_text(encoding="utf-8")
    pack = PACK.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+)–(\d+) \|([^|]*)\|([^|]*)\|", pack, flags=re.M)
    spans = [(int(a), int(b)) for a, b, _what, _cmd in rows]
    assert spans[0][0] == 0 and spans[-1][1] == 40
    assert all(b == c for (_a, b), (c, _d) in zip(spans, spans[1:], strict=False)), spans
    planned = {(int(a), int(b)): set(re.findall(r"ringsim lesson \d \w+", cmd)) for a, b, _w, cmd in rows}
    steps = re.split(r"\*\*[^*]*\(minutes (\d+) to (\d+)[^*]*\*\*", guide)
    timed = 0
    for a, b, body in zip(steps[1::3], steps[2::3], steps[3::3], strict=True):
        span = (int(a), int(b))
        if span[1] - span[0] > 10:
            continue  # a whole exercise's heading
        assert span in planned, span
        commands = set(re.findall(r"^ringsim lesson \d \w+", body.split("**")[0], flags=re.M))
        if span[0] < 30:  # the discussion rows name no command
            assert commands == planned[span], (span, commands, planned[span])
        timed += 1
    assert timed >= 7


def test_every_story_the_lesson_prints_shows_what_its_question_asks(capsys):
    """The stories are picked to show the point (--ending, --changed): video shared with consent, video handed
    over under a warrant, the portal shut, the owner not told (then told), encryption that stops a warrant."""
    shows = {("1", "follow"): ["shares? [\\d,]+ clips?, with consent", "handed over under the warrant"],
             ("1", "after"): ["the portal is shut to it.*\\n(.*\\n)*.*refuses the form",
                              "the portal is shut to it.*\\n(.*\\n)*.*handed over under the warrant"],
             ("2", "follow"): ["the owner is not told", "refuses the form"],
             ("2", "after"): ["the owner is told"],
             ("3", "follow"): ["encrypted end to end"]}
    for (number, step), wanted in shows.items():
        assert run_cli("lesson", number, step) == 0
        out = capsys.readouterr().out
        stories = [s for s in re.split(r"\n(?=Case )", out) if s.startswith("Case ")]
        assert stories, (number, step)
        for pattern in wanted:
            assert re.search(pattern, out), (number, step, pattern)
        if (number, step) in (("1", "after"), ("3", "follow")):
            for story in stories:  # every story, not just one
                assert ("portal is shut to it" if number == "1" else "encrypted end to end") in story, story


GLOSSARY_TERMS = ("account records", "consent", "content", "court order", "disclosed", "emergency request",
                  "end-to-end encryption", "gag order", "judgement", "legal process", "magistrate", "never told",
                  "paid plan", "portal", "preservation request", "probable cause", "replication", "subpoena",
                  "warrant")


def test_every_glossary_term_the_guide_uses_is_defined():
    """A term of the lesson's vocabulary used by the guide, the pack, the answer key or the worksheet has its
    glossary entry; and the civics is right: a prosecutor issues a subpoena, the emergency standard is danger of
    death or serious physical injury, judges and magistrates sign warrants."""
    from sim.report.answer_key import KEY

    pack = PACK.read_text(encoding="utf-8")
    glossary = pack.split("## Glossary", 1)[1]
    defined = {m.lower() for m in re.findall(r"^- \*\*([^:*]+?)(?: \([^)]*\))?:\*\*", glossary, flags=re.M)}
    used = " ".join(p.read_text(encoding="utf-8") for p in (GUIDE, KEY)) + pack.split("## Glossary")[0]
    used = _flat(used).lower()
    for term in GLOSSARY_TERMS:
        if re.search(rf"\b{re.escape(term)}", used):
            assert term in defined, term
    assert {"gag order", "paid plan", "probable cause", "portal", "account records", "content"} <= defined
    everything = _flat(GUIDE.read_text(encoding="utf-8") + pack + KEY.read_text(encoding="utf-8"))
    assert "go to a court for a warrant, subpoena" not in everything and "court must ratify" not in everything
    assert "threat to life" not in everything and "Only a judge" not in everything
    assert "danger of death or serious physical injury" in everything
    assert re.search(r"subpoena[^.]*issued by a prosecutor|prosecutor issues", everything)
    assert "apply for a warrant within 48 hours" in everything


def test_the_worksheet_is_one_printable_page_without_answers():
    from sim.report.answer_key import KEY, key_rows
    from sim.report.worksheet import PDF, draw, pdf_bytes

    stored = PDF.read_bytes()
    assert stored == pdf_bytes(), "sim/guides/worksheet.pdf is stale: python -m sim.report.worksheet"
    assert len(re.findall(rb"/Type /Page\b(?!s)", stored)) == 1
    assert b"/MediaBox [ 0 0 612 792 ]" in stored  # US Letter; the margins also fit A4
    numbers = {n for rows in key_rows(KEY.read_text(encoding="utf-8")).values() for row in rows.values() for n in row}
    fig = draw()
    printed = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "Exit question" in printed and "Name:" in printed
    assert not [n for n in numbers if len(n) >= 3 and n.lstrip("\u2212") in printed]
