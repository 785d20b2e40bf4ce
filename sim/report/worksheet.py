"""The students' worksheet: one printable page (PDF), with boxes and lines tall enough to write in.

Drawn with matplotlib on a US Letter page whose margins also fit A4, so it prints alone
on one sheet either way. The questions follow the lesson (`sim/guides/teacher-pack.md`);
the answers are in `answer-key.md`, never on this page. `python -m sim.report.worksheet`
rewrites `sim/guides/worksheet.pdf`; a test checks the stored file is what this draws.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PDF = Path(__file__).resolve().parents[1] / "guides" / "worksheet.pdf"
PAGE = (8.5, 11.0)  # inches, US Letter; everything sits inside 0.6 in of the edge, so A4 fits too
LEFT, RIGHT = 0.7, 7.8
ROW = 0.37  # a table row: room for a handwritten number (about 1 cm)
INK, RULE = "#000000", "#555555"


def draw():
    """The worksheet as a matplotlib figure, in inches from the page's bottom-left corner."""
    fig = plt.figure(figsize=PAGE)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, PAGE[0])
    ax.set_ylim(0, PAGE[1])
    ax.axis("off")
    y = 10.4
    ax.text(LEFT, y, "Who gets the video? A ringsim worksheet", fontsize=16, fontweight="bold", va="baseline")
    y -= 0.45
    _line(ax, "Name", LEFT, y, 3.6)
    _line(ax, "Date", 5.2, y, 2.6)
    y -= 0.45
    y = _paragraph(ax, y, "Police can get a camera owner's video three ways: ask the owner through the company's "
                          "portal (the owner decides); send the company an emergency request (the company decides "
                          "alone); or use legal process: a warrant or court order signed by a judge or magistrate, "
                          "or a subpoena issued by a prosecutor.")
    y -= 0.42
    ax.text(LEFT, y, "1.  The company closes its portal on 1 March 2020.", fontsize=12, fontweight="bold")
    y -= 0.28
    ax.text(LEFT, y, "Before running it, predict:", fontsize=10.5)
    y = _table(ax, y - 0.12, ["owners whose video...", "up, down or the same?", "by about how much?"],
               ["was shared through the portal (with consent)", "left on an emergency request (no consent)",
                "left under legal process (no consent)", "left without consent (all routes)"], [3.5, 1.9, 1.7])
    y -= 0.3
    ax.text(LEFT, y, "Now fill in what the model says (from the chart on the screen):", fontsize=10.5)
    y = _table(ax, y - 0.12, ["owners whose video...", "before", "after", "change"],
               ["was shared through the portal", "left without consent (all routes)"], [3.5, 1.2, 1.2, 1.2])
    y -= 0.4
    ax.text(LEFT, y, "2.  End-to-end encryption is on by default.", fontsize=12, fontweight="bold")
    y -= 0.28
    ax.text(LEFT, y, "Predict first (up, down or the same?), then fill in what the model says:", fontsize=10.5)
    y = _table(ax, y - 0.12, ["owners whose video...", "my prediction", "before", "after"],
               ["left under legal process", "left without consent (all routes)"], [3.5, 1.4, 1.1, 1.1])
    y -= 0.4
    ax.text(LEFT, y, "Exit question.", fontsize=12, fontweight="bold")
    y = _paragraph(ax, y - 0.28, "Closing the portal and turning on encryption both cut the video police receive. "
                                 "Which one also cut the video that left without the owner's consent? Why?")
    for _ in range(3):
        y -= 0.4
        ax.plot([LEFT, RIGHT], [y, y], color=RULE, linewidth=0.8)
    assert y > 0.7, y  # inside the margin of either paper size
    return fig


def _line(ax, label: str, x: float, y: float, width: float) -> None:
    """A label and a line to write on after it."""
    ax.text(x, y, f"{label}:", fontsize=11, fontweight="bold")
    start = x + 0.12 * len(label) + 0.2
    ax.plot([start, x + width], [y - 0.04, y - 0.04], color=RULE, linewidth=0.8)


def _paragraph(ax, y: float, text: str, width: int = 95) -> float:
    import textwrap

    lines = textwrap.wrap(text, width)
    for k, line in enumerate(lines):
        ax.text(LEFT, y - 0.2 * k, line, fontsize=10.5)
    return y - 0.2 * (len(lines) - 1)


def _table(ax, top: float, header: list[str], rows: list[str], widths: list[float]) -> float:
    """A ruled table: a header row, then rows with empty cells to write in; returns its bottom."""
    edges = [LEFT]
    for w in widths:
        edges.append(edges[-1] + w)
    heights = [0.3] + [ROW] * len(rows)
    bottom = top - sum(heights)
    ax.fill_between([edges[0], edges[-1]], top - heights[0], top, color="#e8e8e8", linewidth=0)
    y = top
    for k, h in enumerate(heights):
        ax.plot([edges[0], edges[-1]], [y, y], color=INK, linewidth=0.8)
        cells = header if k == 0 else [rows[k - 1]]
        for x, text in zip(edges, cells, strict=False):
            ax.text(x + 0.08, y - h / 2, text, fontsize=10, va="center", fontweight="bold" if k == 0 else "normal")
        y -= h
    ax.plot([edges[0], edges[-1]], [bottom, bottom], color=INK, linewidth=0.8)
    for x in edges:
        ax.plot([x, x], [bottom, top], color=INK, linewidth=0.8)
    return bottom


def pdf_bytes() -> bytes:
    """The worksheet as a one-page PDF, the same bytes every time (no creation date)."""
    fig = draw()
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", metadata={"CreationDate": None, "Creator": "ringsim", "Producer": None})
    plt.close(fig)
    return buf.getvalue()


if __name__ == "__main__":
    PDF.write_bytes(pdf_bytes())
    print(f"wrote {PDF}")
