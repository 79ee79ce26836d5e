"""No dead levers: every parameter moves some outcome at the defaults, unless documented.

The one-at-a-time screen (``wingsim.validation.screen``) on a small containment
establishment: each parameter halved and doubled (flags flipped, choices switched), one
seed, common random numbers. A parameter whose runs are bit-identical to the default
run does nothing there; it must be listed in ``INERT_AT_DEFAULTS`` with the reason.
"""

from __future__ import annotations

import pytest

from wingsim import default_scenario
from wingsim.validation import screen


@pytest.fixture(scope="module")
def runs():
    small = default_scenario("containment").with_overrides(
        {
            "establishment.wings": 3,
            "establishment.wing_capacity": 40,
            "establishment.special_unit_capacity": 12,
        }
    )
    return screen.screen(small, seeds=[1], days=150, workers=2)


def test_every_parameter_acts_at_the_defaults(runs):
    dead = set(screen.inert(runs))
    undocumented = dead - set(screen.INERT_AT_DEFAULTS)
    assert not undocumented, f"parameters with no effect at the defaults: {sorted(undocumented)}"


def test_documented_inert_parameters_are_still_inert(runs):
    """A parameter listed as inert that starts to act must leave the list."""
    dead = set(screen.inert(runs))
    assert set(screen.INERT_AT_DEFAULTS) <= dead


def test_screen_values_respect_the_allowed_range():
    for name, info in screen.parameters().items():
        default = screen._defaults(default_scenario())[name]
        for value in screen.screen_values(info, default):
            default_scenario().with_overrides({name: value})  # raises if out of range
