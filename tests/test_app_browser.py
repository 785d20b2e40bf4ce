"""The playground in a real browser: `ringsim app` served on loopback, driven by Playwright in Chromium.

Loads the page, moves an unknown's slider, runs, and holds the numbers on screen
against `summary.json` from `ringsim run` on the downloaded scenario files; opens the
shared link and gets the same numbers; uploads a broken file and sees its one-line
error beside the upload field; follows a case on each route; checks the page at a
phone's width. Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from conftest import CHROMIUM

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install "
                                                         "chromium)")
RINGSIM = [sys.executable, "-m", "sim"]
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture(scope="module")
def app_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*RINGSIM, "app", "--port", str(port), "--workers", "2", "--max-runs", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"ringsim app exited: {server.stdout.read()}")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(10)


def shown_numbers(page) -> dict[tuple[str, str], float]:
    cells = page.locator("#headline td[data-value]")
    return {(cells.nth(k).get_attribute("data-metric"), cells.nth(k).get_attribute("data-role")):
            float(cells.nth(k).get_attribute("data-value")) for k in range(cells.count())}


def run_and_wait(page) -> None:
    page.click("#run")
    page.wait_for_selector("#headline", timeout=180_000)


def test_move_a_slider_run_and_get_ringsim_runs_numbers(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(app_url)
    page.select_option("#horizon", "2020")
    page.get_by_text("Replications and seed").click()
    page.fill("#reps", "4")
    page.fill("#seed", "7")
    page.get_by_text("Unknowns (pin one: both runs)").click()
    slider = page.locator(".form-group:has(#pin_0)")
    before = slider.locator(".irs-single").inner_text()
    for _attempt in range(5):  # the accordion may still be opening: drag until the value moves
        page.wait_for_timeout(500)
        handle = slider.locator(".irs-handle").first
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
        if slider.locator(".irs-single").inner_text() != before:
            break
    assert slider.locator(".irs-single").inner_text() != before
    page.wait_for_timeout(600)  # a slider reports its value after a short debounce
    page.get_by_text("Policy levers (the alternative only)").click()
    page.select_option("#lever_portal__open", "false")
    run_and_wait(page)
    page.screenshot(path=str(tmp_path / "whatif-1280.png"), full_page=True)
    numbers = shown_numbers(page)
    assert "pin=" in page.url and "set=portal.open%3Dfalse" in page.url  # the slider moved: an unknown is pinned

    with page.expect_download() as download:
        page.click("#download_files")
    folder = tmp_path / "files"
    zipfile.ZipFile(download.value.path()).extractall(folder)
    command = page.locator("#result-command").inner_text().split()
    assert command[:2] == ["ringsim", "compare"]
    done = subprocess.run([*RINGSIM, *command[1:], "--out", "out", "--workers", "1"], cwd=folder,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    base_name, variant_name = (f.removesuffix(".toml") for f in command[2:4])
    for role, name in (("base", base_name), ("variant", variant_name)):
        written = json.loads((folder / "out" / name / "summary.json").read_text())["metrics"]
        for (metric, shown_role), value in numbers.items():
            if shown_role == role:
                assert value == pytest.approx(written[metric]["mean"], rel=1e-9, abs=1e-12), (role, metric)

    shared = browser.new_page(viewport={"width": 1280, "height": 900})
    shared.goto(page.url)
    shared.wait_for_selector("#headline", timeout=180_000)
    assert shown_numbers(shared) == numbers
    assert shared.input_value("#horizon") == "2020"


def test_a_broken_upload_shows_its_one_line_error_beside_the_field(app_url, browser, tmp_path):
    broken = tmp_path / "mine.toml"
    broken.write_text('extends = "timeline"\n[scenario]\nname = "mine"\n[set]\n'
                      '"policy.emergency.grant_probability" = 1.7\n')
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.click("a[data-value=form]")
    page.set_input_files("#upload", str(broken))
    error = page.wait_for_selector("#upload-error", timeout=30_000)
    assert error.inner_text() == "mine.toml: policy.emergency.grant_probability = 1.7: must be in [0, 1]"
    page.fill("#form_name", "no spaces please")
    message = page.wait_for_selector("#form-error-name", timeout=30_000).inner_text()
    assert message.startswith("no-spaces-please.toml: scenario.name = 'no spaces please': must be")
    page.screenshot(path=str(tmp_path / "form-1280.png"), full_page=True)


@pytest.mark.parametrize("route", ["portal", "emergency", "legal"])
def test_follow_a_case_on_each_route(app_url, browser, tmp_path, route):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.click("a[data-value=follow]")
    page.check(f"input[name=follow_route][value={route}]")
    page.select_option("#follow_lever", "emergency.open")
    page.select_option("#follow_value", "false")
    page.click("#follow")
    story = page.wait_for_selector("#story-before", timeout=120_000)
    assert "opens case" in story.inner_text()
    assert page.locator("#story-after").count() == 1
    page.screenshot(path=str(tmp_path / f"follow-{route}.png"), full_page=True)


def test_the_page_is_usable_at_a_phones_width(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(app_url + "?variant=platform%2Fe2ee-default&horizon=2019&reps=3&seed=2")
    page.wait_for_selector("#headline", timeout=180_000)
    page.screenshot(path=str(tmp_path / "whatif-390.png"), full_page=True)
    assert page.evaluate(NO_SIDEWAYS)
    assert page.locator("#run").is_visible()
    for tab in ("follow", "form", "about"):
        page.click("button.navbar-toggler")
        page.click(f"a[data-value={tab}]")
        time.sleep(0.5)
        assert page.evaluate(NO_SIDEWAYS), tab
        page.screenshot(path=str(tmp_path / f"{tab}-390.png"), full_page=True)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    monkeypatch.setitem(os.environ, "NO_PROXY", "127.0.0.1,localhost")


# --- what a newcomer met (issue 31), at a desktop's and a phone's width ---------------------------------------

E2EE_2020 = "?base=timeline&horizon=2020&set=platform.e2ee_default%3Dtrue&reps=4&seed=1"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_lever_that_cannot_act_in_the_years_says_so_and_the_answer_fits(app_url, browser, tmp_path, width):
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 844})
    page.goto(app_url + E2EE_2020)
    page.wait_for_selector("#headline", timeout=180_000)
    assert "cannot act in 2020: end-to-end encryption is not available then" in page.inner_text("#inert-notes")
    change = page.locator("#headline td[data-role=change]").first
    box = change.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # the change column is on screen
    command = page.locator("#result-command")
    assert command.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # wrapped, not cut off
    chart = page.locator("#result-chart")
    assert chart.evaluate("e => e.getBoundingClientRect().width") >= (900 if width < 700 else 500)  # readable type
    assert page.evaluate(NO_SIDEWAYS)
    title = chart.get_attribute("alt")
    assert "2020" in title and "encryption" in title.lower()  # which change, which years
    page.screenshot(path=str(tmp_path / f"inert-{width}.png"), full_page=True)


def test_on_a_phone_run_scrolls_to_the_answer_and_the_menu_closes(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(app_url)
    page.wait_for_selector("#run")
    page.select_option("#horizon", "2020")
    page.get_by_text("Replications and seed").click()
    page.fill("#reps", "5000")
    page.click("#run")
    page.wait_for_function("() => document.querySelector('#reps').value === '200'", timeout=10_000)  # shown
    page.click("#cancel")
    page.fill("#reps", "3")
    page.click("#run")
    page.wait_for_selector("#headline", timeout=180_000)
    page.wait_for_function("() => window.scrollY > 300", timeout=10_000)
    page.click("button.navbar-toggler")
    page.click("a[data-value=about]")
    page.wait_for_function("() => !document.querySelector('.navbar-collapse.show')", timeout=5_000)
    page.screenshot(path=str(tmp_path / "about-390.png"))


def test_sliders_and_choices_read_in_words(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.get_by_text("Policy levers (the alternative only)").click()
    hours = page.locator("#lever_emergency__ratification_hours")
    assert not hours.is_visible()  # an unticked lever shows no value that looks set
    page.check("#lever_emergency__ratification_hours_on")
    page.wait_for_selector("#lever_emergency__ratification_hours", state="attached")
    modes = page.locator("#lever_portal__mode option").all_inner_texts()
    assert "by public post in the Neighbors feed" in modes and "public_post" not in modes
    page.get_by_text("Unknowns (pin one: both runs)").click()
    label = page.locator("label[for=pin_0]").inner_text()
    assert "." not in label and ":" in label


@pytest.mark.parametrize("width", [1280, 390])
def test_follow_a_case_the_lever_changes(app_url, browser, tmp_path, width):
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 844})
    page.goto(app_url)
    if width < 700:
        page.click("button.navbar-toggler")
    page.click("a[data-value=follow]")
    page.check("input[name=follow_route][value=emergency]")
    page.select_option("#follow_lever", "emergency.notify_owner")
    page.wait_for_function("() => document.querySelector('#follow_value').value === 'true'", timeout=10_000)
    page.click("#follow")
    page.wait_for_selector("#story-after", timeout=120_000)
    heading = page.inner_text("#story-after-title")
    assert "Owner told after an emergency disclosure: yes" in heading and "=" not in heading
    assert "the owner is told" in " ".join(page.locator("#story-after mark").all_inner_texts())
    if width < 700:  # a phone scrolls to the story
        page.wait_for_function("() => window.scrollY > 300", timeout=10_000)
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(tmp_path / f"follow-notice-{width}.png"), full_page=True)


def test_the_form_keeps_a_laws_mechanism_and_relabels_a_copy(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.click("a[data-value=form]")
    page.wait_for_selector("#form-toml")
    page.locator("#form_states-selectized").fill("CA")
    page.keyboard.press("Enter")
    # wait for the copy to California itself: the form shows the law for every state first, and a loaded
    # machine may take a while to redraw it
    page.wait_for_function("() => { const t = document.querySelector('#form-toml').innerText;"
                           " const i = t.indexOf('what-if: the rules of');"
                           " return i >= 0 && t.slice(i).split('\\n')[0].includes('CA'); }", timeout=60_000)
    toml = page.inner_text("#form-toml")
    assert "mechanism = " in toml and "CA" in toml.split("what-if: the rules of")[1].split("\n")[0]
