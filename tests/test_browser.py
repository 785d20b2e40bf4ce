"""The brief in a real browser: headless Chromium (Debian's package) driven by Playwright.

At a laptop's width (1280 x 800) and a phone's (390 x 844): the page never scrolls
sideways, no text overflows its box, every table fits with no column hidden (on a phone
each row is a card), every chart image loads; at 1280 the definitions of the two counts,
the projection warning and the first key finding (the baseline's two counts with their
ranges) are on the first screen. Screenshots are saved in the test's
temporary folder (`pytest --basetemp=DIR` keeps them somewhere to look at).

Skipped, with the reason, where Chromium or Playwright is missing (`make test` installs
both where it can: Playwright from PyPI, Chromium with apt-get when run as root).
"""

from __future__ import annotations

import pytest
from conftest import CHROMIUM, ROOT, run_cli

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install "
                                                         "chromium)")
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}

OVERFLOW = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('h1, h2, p, li, td, th, figcaption, pre')) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible') {
      bad.push(el.tagName + ': ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def brief(library, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "brief"
    assert run_cli("brief", str(library / "small.toml"), str(library / "small-no-emergency.toml"), "--reps", "3",
                   "--seed", "5", "--out", str(out), "--workers", "1", "--uncertainty", "none",
                   "--targets", str(ROOT / "scenarios/calibration/targets.toml")) == 0
    return out / "brief.html"


@pytest.mark.parametrize("size", SIZES)
def test_the_brief_reads_in_a_browser(brief, browser, size, tmp_path):
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(brief.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / f"brief-{size}-first-screen.png"))
    page.screenshot(path=str(tmp_path / f"brief-{size}-whole.png"), full_page=True)
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"the page scrolls sideways at {width} px ({scroll_width} px wide)"
    assert page.evaluate(OVERFLOW) == []
    images = page.evaluate("[...document.images].map(i => [i.complete && i.naturalWidth > 0, i.alt])")
    assert images and all(loaded for loaded, _alt in images), images
    if size == "laptop":  # the definitions, the projection warning and the baseline's two counts come first
        definitions = page.locator("#definitions").bounding_box()
        first = page.locator("#key-findings li").first.bounding_box()
        assert definitions["y"] + definitions["height"] <= height, "the definitions run below the first screen"
        assert first["y"] + first["height"] <= height, "the first key finding is below the first screen"
    page.close()


TABLES_FIT = """() => {
  const bad = [];
  const width = window.innerWidth;
  for (const table of document.querySelectorAll('table')) {
    const box = table.getBoundingClientRect();
    if (box.right > width + 1 || table.scrollWidth > table.clientWidth + 1) {
      bad.push((table.id || 'table') + ': ' + Math.round(box.width) + ' px wide, ' + table.scrollWidth + ' scrolled');
    }
    for (const cell of table.querySelectorAll('td, th')) {
      const c = cell.getBoundingClientRect();
      const headings = cell.closest('thead');  // on a phone the headings move into each cell (data-label)
      if (headings && getComputedStyle(headings).display === 'none') continue;
      const outside = c.right > width + 1 || c.left < -1;
      if (outside || cell.scrollWidth > cell.clientWidth + 1) {
        bad.push((table.id || 'table') + ' cell: ' + (cell.textContent || '').trim().slice(0, 40));
      }
    }
  }
  return bad;
}"""


@pytest.mark.parametrize("size", SIZES)
def test_every_table_of_the_default_brief_fits(default_brief, browser, size, tmp_path):
    """The default brief, with the posterior's draws in its assumptions table: every table, every cell, on screen
    with no column hidden, at a laptop's and a phone's width."""
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto((default_brief / "brief.html").as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / f"default-{size}-first-screen.png"))
    for table in ("headline-table", "assumptions-table"):  # the whole page is too tall to shoot on a busy machine
        page.locator(f"#{table}").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"default-{size}-{table}.png"))
    assert page.evaluate(TABLES_FIT) == []
    assert page.evaluate(OVERFLOW) == []
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"the page scrolls sideways at {width} px ({scroll_width} px wide)"
    definitions = page.locator("#definitions").bounding_box()
    assert definitions["y"] < height, "the definitions are below the first screen"
    page.close()
