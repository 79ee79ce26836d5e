"""Test-wide settings and fixtures.

Under CI (``CI`` set), hypothesis runs derandomized, so a green commit stays green on a
fresh machine; locally it explores new examples on every run.

Under pytest-xdist (``make test``: ``-n auto --dist loadfile``) two things keep the
suite short without changing any test:

- the controller compiles the model's kernels once before the workers start
  (:func:`pytest_sessionstart`), so in a fresh clone the workers and their run pools
  load them from numba's disk cache instead of each compiling them cold at the same time;
- the files known to be slow go out first, longest first (:data:`SLOW_FIRST`), so no
  long file starts last and runs on alone while the other worker idles.
"""

import os
import signal

import pytest
from hypothesis import settings

#: Test files in order of their measured duration, longest first (``--durations``, per
#: file); every other file follows in the usual order. Only the schedule depends on it.
SLOW_FIRST = (
    "test_patterns.py",
    "test_experiments_store.py",
    "test_screen.py",
    "test_experiments_reliability.py",
    "test_dashboard_browser.py",
    "test_dashboard_recycle.py",
    "test_bad_inputs.py",
    "test_notebooks.py",
    "test_probation_claims.py",
    "test_cli.py",
    "test_discovery.py",
    "test_shipped_pairs.py",
    "test_bounds.py",
    "test_experiments_compare.py",
    "test_calibration.py",
    "test_reproducibility.py",
    "test_probation.py",
    "test_experiments_dask.py",
    "test_experiments_ensemble.py",
    "test_robustness.py",
    "test_experiments_signals.py",
    "test_compile_cache.py",
)

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def alarm():
    """An input that never ends must fail the test, not hang the suite (a FIFO once did)."""

    def _timeout(*_):
        raise TimeoutError("blocked: an input that never ends")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _distributed(config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) or hasattr(config, "workerinput")


def pytest_configure(config):
    if _distributed(config):
        # xdist would otherwise reorder files by their number of tests (not their length).
        config.option.loadscopereorder = False


def pytest_sessionstart(session):
    """On the xdist controller: compile the kernels the model runs use, once."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    from wingsim import default_scenario
    from wingsim.output import run_scenario

    for regime in ("dispersal", "containment"):
        run_scenario(default_scenario(regime), seed=1, days=3)


def pytest_collection_modifyitems(config, items):
    if not _distributed(config):
        return
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: keeps the rest
