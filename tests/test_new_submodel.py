"""A newcomer adds a mechanism: one class and one line in a copy of the schedule.

The submodel below is defined here, in the test file, and nothing else in wingsim is
edited: it gets its own ``[mechanisms.toy]`` parameters, its own random stream and its
own ``[submodels] toy`` switch, and the other submodels' results do not move.
"""

from __future__ import annotations

import numpy as np
import pytest

from wingsim import WingModel
from wingsim.params import Params, par
from wingsim.scenario import ScenarioError, scenario_schema, validate_scenario
from wingsim.schedule import DAY
from wingsim.submodels.base import Submodel


class ToyParams(Params):
    calm: float = par(0.5, ge=0.0, le=1.0, unit="share per day", doc="Extremism shed per day.")


class Toy(Submodel):
    """A toy mechanism: a random tenth of prisoners shed some extremism each day."""

    name = "toy"
    paper = "a toy sentence"
    Params = ToyParams

    def step(self) -> None:
        p = self.model.prisoners
        calmed = p.active & (self.rng.random(p.n) < 0.1)
        p.extremism[calmed] *= 1.0 - self.params.calm
        self.model.day_counts["toy_calmed"] += int(calmed.sum())


TOY_DAY = (*DAY, Toy)
ToyScenario = scenario_schema(TOY_DAY)


def _run(data: dict, day=TOY_DAY, days: int = 10) -> WingModel:
    model = WingModel(ToyScenario.model_validate(data), rng=3, day=day)
    model.run_for(days)
    return model


def test_toy_gets_parameters_stream_and_switch():
    sc = ToyScenario.model_validate({"mechanisms": {"toy": {"calm": 0.9}}})
    assert sc.mechanisms.toy.calm == 0.9
    assert sc.submodels.toy is True
    model = _run({"mechanisms": {"toy": {"calm": 0.9}}})
    toy = model.submodels["toy"]
    assert toy.params.calm == 0.9
    assert toy.rng is model.streams["toy"]
    assert model.day_counts["toy_calmed"] > 0


def test_toy_parameters_are_validated_like_any_other():
    with pytest.raises(ScenarioError) as err:
        validate_scenario({"mechanisms": {"toy": {"calm": 2.0}}}, "toy.toml", schema=ToyScenario)
    assert "mechanisms.toy.calm" in str(err.value) and "<= 1.0" in str(err.value)


def test_switching_the_toy_off_is_the_plain_model():
    """Off, the toy leaves every other stream untouched: the run equals the plain model's."""
    off = _run({"submodels": {"toy": False}})
    plain = WingModel(ToyScenario.model_validate({}), rng=3)
    plain.run_for(10)
    assert np.array_equal(off.prisoners.extremism, plain.prisoners.extremism)
    on = _run({"mechanisms": {"toy": {"calm": 0.9}}})
    assert (
        on.prisoners.extremism[on.prisoners.active].mean()
        < off.prisoners.extremism[off.prisoners.active].mean()
    )
