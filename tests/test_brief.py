"""The policy brief: every file is there, every chart is used, every headline number is the run's own."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from sim.formatting import change, count

CHARTS = ("routes_by_variant", "change_without_consent", "timeline", "portal_funnel", "change_by_state", "calibration")


def _brief(library: Path, out: Path, *extra: str) -> int:
    return run_cli("brief", str(library / "small.toml"), str(library / "small-no-emergency.toml"), "--reps", "3",
                   "--seed", "5", "--out", str(out), "--targets", str(ROOT / "scenarios/calibration/targets.toml"),
                   *extra)


@pytest.fixture(scope="module")
def brief(library, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "brief"
    assert _brief(library, out, "--workers", "1") == 0
    return out


def test_the_brief_has_every_file(brief):
    for name in ("brief.html", "brief.pdf", "headline.csv", "calibration.csv", "runs/comparison.json",
                 "runs/small/summary.json", "runs/small-no-emergency/manifest.json"):
        assert (brief / name).is_file(), name
    for chart in CHARTS:
        for suffix in ("png", "svg", "csv"):
            assert (brief / "charts" / f"{chart}.{suffix}").stat().st_size > 0
    assert (brief / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert not [p for p in brief.parent.iterdir() if p.name.startswith(".")], "staging folder left behind"


class _Cells(HTMLParser):
    """Collects <img data-chart> names and headline <td data-*> cells."""

    def __init__(self):
        super().__init__()
        self.charts, self.cells, self.row, self.current = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and "data-chart" in a:
            self.charts.append((a["data-chart"], a["src"][:22]))
        if tag == "tr" and "data-scenario" in a:
            self.row = a["data-scenario"]
        if tag == "td" and "data-metric" in a:
            self.current = {"scenario": self.row, **a, "text": ""}

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.current is not None:
            self.cells.append(self.current)
            self.current = None


def _parsed(brief) -> _Cells:
    parser = _Cells()
    parser.feed((brief / "brief.html").read_text(encoding="utf-8"))
    return parser


def test_every_chart_is_embedded_in_the_html(brief):
    embedded = dict(_parsed(brief).charts)
    assert sorted(embedded) == sorted(CHARTS)
    assert all(src == "data:image/png;base64," for src in embedded.values()), "charts must be self-contained"
    html = (brief / "brief.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html, "the brief must open without a network"


def test_every_headline_number_is_the_runs_own(brief):
    cells = _parsed(brief).cells
    year = "2021"
    comparison = json.loads((brief / "runs" / "comparison.json").read_text())
    assert len(cells) == 2 * 4  # two scenarios, four counts (the base has no change against itself)
    for cell in cells:
        summary = json.loads((brief / "runs" / cell["scenario"] / "summary.json").read_text())
        stats = summary["by_period"][year][cell["data-metric"]]
        assert json.loads(cell["data-value"]) == pytest.approx(stats["mean"], rel=1e-11, abs=1e-12)
        assert json.loads(cell["data-ui90-low"]) == pytest.approx(stats["ui90"][0], rel=1e-11, abs=1e-12)
        text = " ".join(cell["text"].split())
        assert text.startswith(count(stats["mean"])), (cell, text)
        if "data-change" in cell and cell["data-verdict"] != "no change":
            moved = comparison["variants"][cell["scenario"]]["by_period"][year][cell["data-metric"]]
            assert json.loads(cell["data-change"]) == pytest.approx(moved["mean"], rel=1e-11, abs=1e-12)
            assert change(moved["mean"]) in text


def test_the_headline_csvs_match_the_html(brief):
    import csv

    rows = list(csv.DictReader((brief / "runs" / "headline-exact.csv").open()))
    cells = {(c["scenario"], c["data-metric"]): json.loads(c["data-value"]) for c in _parsed(brief).cells}
    assert set(cells) <= {(r["scenario"], r["metric"]) for r in rows}
    for r in rows:
        if (r["scenario"], r["metric"]) in cells:
            assert float(r["mean"]) == pytest.approx(cells[(r["scenario"], r["metric"])], rel=1e-11)
    people = list(csv.DictReader((brief / "headline.csv").open()))
    assert len(people) == len(rows)
    assert {r["owners"] for r in people} == {count(float(r["mean"])) for r in rows}


def test_same_seed_same_brief_whatever_the_workers(library, brief, tmp_path):
    again = tmp_path / "again"
    assert _brief(library, again, "--workers", "2") == 0
    for path in sorted(p for p in brief.rglob("*") if p.is_file()):
        assert (again / path.relative_to(brief)).read_bytes() == path.read_bytes(), path.name


def test_an_existing_brief_is_not_overwritten_and_a_failed_one_leaves_nothing(library, brief, tmp_path,
                                                                              monkeypatch, capsys):
    before = (brief / "brief.html").read_bytes()
    assert _brief(library, brief, "--workers", "1") == 2
    assert "already exists" in capsys.readouterr().err
    assert (brief / "brief.html").read_bytes() == before

    import sim.report.brief

    def broken(*_args, **_kwargs):
        raise RuntimeError("chart failed")

    monkeypatch.setattr(sim.report.brief, "build_brief", broken)
    out = tmp_path / "never"
    with pytest.raises(RuntimeError):
        _brief(library, out, "--workers", "1")
    assert not out.exists()
    assert not list(tmp_path.glob(".never*"))
