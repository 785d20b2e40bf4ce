"""The brief's PDF, from HTML parts rendered by the brief's templates (fpdf2, pip-only).

Page 1 stands alone (title, definitions, projection warning, key findings, a compact
table, the main chart, the command); the full brief follows from page 2. The PDF
carries its title, subject, author and date as metadata. The date is the day the brief
was made (UTC), or `SOURCE_DATE_EPOCH`'s when set (reproducible builds), so the same
seed gives the same bytes on the same day, whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import matplotlib
from fpdf import FPDF

import sim

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu ships with matplotlib: full Unicode


def brief_date() -> dt.date:
    """The day the brief is dated: SOURCE_DATE_EPOCH's if set, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def fits_one_page(html: str) -> bool:
    """Whether this HTML part fills no more than one page (page 1 must stand alone: nothing may spill over)."""
    pdf = _blank()
    pdf.add_page()
    pdf.set_font("DejaVu", size=9.5)
    pdf.write_html(html, font_family="DejaVu")
    return pdf.page_no() == 1


def _blank() -> FPDF:
    pdf = FPDF(format="letter", unit="mm")
    for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique"), ("BI", "-BoldOblique")):
        pdf.add_font("DejaVu", style, str(FONT_DIR / f"DejaVuSans{suffix}.ttf"))
    pdf.set_margins(14, 10, 14)
    pdf.set_auto_page_break(True, margin=10)
    return pdf


def make_pdf(pages: list[str], title: str, subject: str, made: dt.date) -> bytes:
    """The PDF: each HTML part from a new page (page 1, the one-page summary; then the full brief)."""
    pdf = _blank()
    pdf.set_creation_date(dt.datetime(made.year, made.month, made.day, tzinfo=dt.UTC))
    pdf.set_creator(f"ringsim {sim.__version__}")
    pdf.set_producer(f"ringsim {sim.__version__} (fpdf2)")
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author("ringsim")
    pdf.set_lang("en")
    for html in pages:
        pdf.add_page()
        pdf.set_font("DejaVu", size=9.5)
        pdf.write_html(html, font_family="DejaVu")
    return bytes(pdf.output())
