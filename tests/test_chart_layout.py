"""Charts keep their words apart: no two texts overlap, with 2, 5 or 12 scenarios."""

from __future__ import annotations

import itertools

import matplotlib.text
import pytest

from sim.report import charts


def _captured(monkeypatch):
    figures = []
    monkeypatch.setattr(charts.plt, "close", figures.append)  # keep the finished figure instead of closing it
    return figures


def _overlaps(fig) -> list[tuple[str, str]]:
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip()]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
            if box_a.overlaps(box_b) and box_a.intersection(box_a, box_b).width * box_a.intersection(
                box_a, box_b).height > 4]  # more than touching corners


def _diff(mean: float, spread: float) -> dict:
    return {"mean": mean, "ui90": [mean - spread, mean + spread], "ci95": [mean - spread / 2, mean + spread / 2],
            "base_mean": 1000.0, "variant_mean": 1000.0 + mean,
            "verdict": "fewer" if mean + spread < 0 else "more" if mean - spread > 0 else "no clear change"}


@pytest.mark.parametrize("n", [2, 5, 12])
def test_the_change_chart_keeps_its_labels_apart(monkeypatch, n):
    figures = _captured(monkeypatch)
    labels = [f"A law with a long descriptive title number {i} (from 2022)" for i in range(n)]
    diffs = [_diff(-2500.0 if i == 0 else (-1) ** i * 15.0 * i, 40.0) for i in range(n)]
    emergency = [_diff((-1) ** i * 30.0 * i, 20.0) for i in range(n)]
    charts.change_against_base(labels, [("owners whose video left with neither their consent nor a warrant", emergency),
                                        ("owners whose video left under a search warrant", diffs)],
                               "The real timeline", "2026 (projected)", "ringsim test; seed 1")
    assert _overlaps(figures[-1]) == []


@pytest.mark.parametrize("n", [2, 5, 12])
def test_the_routes_chart_keeps_its_labels_apart(monkeypatch, n):
    figures = _captured(monkeypatch)
    labels = [f"Scenario with a long name {i}" for i in range(n)]
    stats = {route: [{"mean": 100.0 * (i + 1), "ui90": [50.0, 150.0 * (i + 1)]} for i in range(n)]
             for route in ("portal", "emergency", "legal")}
    charts.routes_by_variant(labels, stats, "2026", "ringsim test; seed 1")
    assert _overlaps(figures[-1]) == []


def test_the_page_one_chart_prints_no_text_below_8_pt(monkeypatch):
    """The change chart is printed on page 1 of the PDF at its own size (sim.report.brief_charts.print_width)."""
    from sim.report.brief_charts import print_width

    figures = _captured(monkeypatch)
    labels = [f"An alternative {i} (from 2022)" for i in range(9)]
    made = charts.change_against_base(labels, [("neither consent nor a warrant", [_diff(-30.0, 10.0)] * 9),
                                               ("under a search warrant", [_diff(5.0, 40.0)] * 9)],
                                      "The real timeline", "2026 (projected)", "ringsim test; seed 1")
    small = [(t.get_text(), t.get_fontsize()) for t in figures[-1].findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < 8]
    assert small == []
    width_inches = int.from_bytes(made.png[16:20], "big") / charts.DPI
    assert print_width(made) == pytest.approx(72 * width_inches, abs=0.1), "printed smaller than its own size"
