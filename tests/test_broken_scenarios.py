"""Every file in tests/broken_scenarios/ fails with exactly the one-line error its first line expects.

Each file's first line reads `# expect: <message>`; the file is copied, beside the
shipped baseline, into a folder named scenarios/ and must fail to load with
"<its path>: <message>". A hypothesis test then throws generated junk at the loader
and asserts that every failure is a clean ScenarioError, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, TIMELINE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario import loader
from sim.scenario.catalog import flatten

BROKEN = ROOT / "tests" / "broken_scenarios"
FILES = sorted(BROKEN.glob("*.toml"))


def expected_message(path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lib") / "scenarios"
    folder.mkdir()
    shutil.copy(TIMELINE, folder / "timeline.toml")
    for path in FILES:
        shutil.copy(path, folder / path.name)
    return folder


def test_the_folder_covers_the_kinds_of_breakage():
    assert len(FILES) >= 15


@pytest.mark.parametrize("broken", FILES, ids=lambda p: p.stem)
def test_broken_file_gives_its_exact_error(library, broken):
    path = library / broken.name
    with pytest.raises(ScenarioError) as err:
        loader.load(path)
    assert str(err.value) == f"{path}: {expected_message(broken)}"


@pytest.mark.parametrize("broken", [p for p in FILES if p.stem in ("wrong_type", "syntax_error", "huge_horizon")],
                         ids=lambda p: p.stem)
def test_cli_refuses_before_running(library, broken, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(library / broken.name), "--reps", "2",
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == f"ringsim: error: {library / broken.name}: {expected_message(broken)}\n"
    assert not out.exists()


def test_absurd_replication_count_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(TIMELINE), "--reps", "1000000000",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == "ringsim: error: --reps 1000000000: must be between 1 and 100,000\n"


# --- generated junk ------------------------------------------------------------------

PATHS = sorted(p for p in flatten(loader.load(TIMELINE).resolved) if not p.startswith("timeline"))
junk = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True)
    | st.text(max_size=8) | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=junk)
def test_junk_values_fail_cleanly(path, value):
    """Replace any one parameter by junk: the loader either accepts it or names the field."""
    # The leaf's parent path is used too, so whole tables get replaced by junk as well.
    for target in (path, path.rsplit(".", 1)[0]):
        try:
            loader.load(TIMELINE, overrides={target: value})
        except ScenarioError as err:
            assert "\n" not in str(err)
            assert str(err).startswith(f"{TIMELINE}")


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_junk_text_fails_cleanly(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("junk") / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        loader.load(path)
    assert "\n" not in str(err.value)
