"""No dead levers: every parameter moves some outcome at the defaults, unless documented.

The one-at-a-time screen (``wingsim.validation.screen``) on a small containment
establishment for 90 days, and for the parameters after release (the probation service
and the submodels from resettlement on) on a small establishment that releases many people
(``AFTER_RELEASE_TEST_ESTABLISHMENT``): each parameter halved and doubled (flags flipped,
choices switched), one seed, common random numbers. A parameter whose runs are bit-identical to
the default run does nothing there. It must be listed, with the reason, either as inert
at the defaults (``INERT_AT_DEFAULTS``) or as acting only through events too rare for
this short run (``RARE_IN_SHORT_RUNS``); the latter must act in the full screen whose
results ``docs/validation.md`` shows (``docs/figures/screen.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wingsim import default_scenario
from wingsim.validation import screen

FULL_SCREEN = Path(__file__).resolve().parents[1] / "docs" / "figures" / "screen.csv"


@pytest.fixture(scope="module")
def dead() -> set[str]:
    prison = default_scenario("containment").with_overrides(screen.TEST_ESTABLISHMENT)
    dead = screen.dead_parameters(
        prison, seeds=[1], days=screen.TEST_DAYS, workers=2, only=_not(screen.after_release)
    )
    after = default_scenario("dispersal").with_overrides(screen.AFTER_RELEASE_TEST_ESTABLISHMENT)
    dead_after = screen.dead_parameters(
        after, seeds=[1], days=screen.AFTER_RELEASE_TEST_DAYS, workers=2, only=screen.after_release
    )
    return set(dead) | set(dead_after)


def _not(predicate):
    return lambda name: not predicate(name)


def test_every_parameter_acts_at_the_defaults(dead):
    documented = set(screen.INERT_AT_DEFAULTS) | set(screen.RARE_IN_SHORT_RUNS)
    undocumented = dead - documented
    assert not undocumented, f"parameters with no effect at the defaults: {sorted(undocumented)}"


def test_documented_inert_parameters_are_still_inert(dead):
    """A parameter listed as inert at the defaults that starts to act must leave the list."""
    assert set(screen.INERT_AT_DEFAULTS) <= dead, set(screen.INERT_AT_DEFAULTS) - dead


def test_rare_parameters_act_in_the_full_screen():
    """Those too rare for the short run change some outcome in the full screen."""
    full = pd.read_csv(FULL_SCREEN)
    acting = set(full.loc[full["change"].abs() > 0, "parameter"])
    assert set(screen.RARE_IN_SHORT_RUNS) <= acting, set(screen.RARE_IN_SHORT_RUNS) - acting


def test_dead_parameters_is_the_full_screens_inert_set():
    """The early-stopping screen finds what the full screen finds (a few parameters, with
    one inert at the defaults and one that acts only at its second value or not at all)."""
    prison = default_scenario("containment").with_overrides(screen.TEST_ESTABLISHMENT)
    names = {
        "staff.training",
        "staff.fairness",
        "mechanisms.grievance.label_stigma",
        *sorted(screen.INERT_AT_DEFAULTS)[:2],
    }
    full = screen.inert(screen.screen(prison, [1], 20, workers=1, only=names.__contains__))
    assert screen.dead_parameters(prison, [1], 20, workers=1, only=names.__contains__) == full
    assert full  # the check covers a dead parameter, not only live ones


def test_screen_values_respect_the_allowed_range():
    defaults = screen._defaults(default_scenario())
    for name, info in screen.parameters().items():
        for value in screen.screen_values(info, defaults[name]):
            default_scenario().with_overrides({name: value})  # raises if out of range
