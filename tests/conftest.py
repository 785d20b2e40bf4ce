"""Shared helpers: small, fast scenarios derived from the shipped baseline."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from sim.model.replication import run_replication
from sim.model.streams import replication_seeds
from sim.scenario import loader

ROOT = Path(__file__).resolve().parent.parent
TIMELINE = ROOT / "scenarios" / "timeline.toml"

# A small world (fewer agencies, one year and a half) keeps each replication fast
# while still crossing a dated policy change (public posts, 2021-06-07).
SMALL = {
    "population.agencies.police_agencies": 400,
    "population.agencies.enrolled_cumulative": {"points": [["2020-01-01", 150], ["2021-06-30", 250]]},
    "scenario.start": "2020-01-01",
    "scenario.end": "2021-06-30",
}


def _dates(value):
    """TOML dates arrive as datetime.date; tests write them as ISO strings."""
    import datetime as dt

    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return dt.date.fromisoformat(value)
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    return value


def small(**overrides) -> loader.LoadedScenario:
    """The small world with extra overrides (keys use __ for dots)."""
    merged = {**SMALL, **{k.replace("__", "."): v for k, v in overrides.items()}}
    return loader.load(TIMELINE, overrides={k: _dates(v) for k, v in merged.items()})


def table(loaded, seed: int = 7, index: int = 0) -> np.ndarray:
    """Whole-horizon metric row of one replication."""
    return run_replication(loaded, index, replication_seeds(seed, index + 1)[index]).table[-1]


@pytest.fixture(scope="session")
def timeline():
    return loader.load(TIMELINE)


SMALL_WORLD = """
extends = "timeline.toml"

[scenario]
name = "small"
title = "A small world"
description = "The baseline with 400 agencies, 2020 to mid-2021."
start = 2020-01-01
end = 2021-06-30

[set]
"population.agencies.police_agencies" = 400
"population.agencies.enrolled_cumulative" = { points = [[2020-01-01, 150], [2021-06-30, 250]] }
"""
SMALL_VARIANT = """
extends = "small.toml"

[scenario]
name = "small-no-emergency"
title = "A small world, emergency route closed"
description = "The small world with the emergency route closed."

[set]
"policy.emergency.open" = false
"""


@pytest.fixture(scope="session")
def library(tmp_path_factory) -> Path:
    """A scenarios/ folder with a copy of the baseline and two small files that extend it."""
    import shutil

    folder = tmp_path_factory.mktemp("lib") / "scenarios"
    folder.mkdir()
    shutil.copy(TIMELINE, folder / "timeline.toml")
    (folder / "small.toml").write_text(SMALL_WORLD)
    (folder / "small-no-emergency.toml").write_text(SMALL_VARIANT)
    return folder


def run_cli(*args: str) -> int:
    """Run `ringsim ARGS` in this process; return its exit status."""
    from sim import cli

    try:
        cli.main(list(args))
    except SystemExit as stop:
        return stop.code or 0
    return 0


CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), driven by Playwright: for the brief's and the playground's browser tests."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def default_brief(tmp_path_factory) -> Path:
    """The default brief (every shipped alternative, the posterior's draws) at a few replications: its words
    and layout are what a reader meets, whatever the replication count."""
    out = tmp_path_factory.mktemp("default") / "brief"
    assert run_cli("brief", "--reps", "4", "--seed", "1", "--out", str(out), "--workers", "2") == 0
    return out
