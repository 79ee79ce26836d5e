import numpy as np

from wingsim import Chaplain, Leader, Prisoner, Staff, WingModel, default_scenario
from wingsim.outcomes import COLUMNS


def test_model_runs_and_collects_every_column():
    model = WingModel(default_scenario("containment"), rng=3)
    model.run_for(20)
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == 21 and df["day"].iloc[-1] == 20
    assert model.time == 20
    assert np.isfinite(df["trust_in_staff"]).all()


def test_agents_are_live_views_and_typed():
    model = WingModel(default_scenario(), rng=1)
    prisoners = model.agents_by_type[Prisoner]
    assert (
        len(prisoners) + len(model.agents_by_type.get(Leader, [])) == model.prisoners.active.sum()
    )
    assert len(model.agents_by_type[Staff]) == model.staff.active.sum()
    assert len(model.agents_by_type[Chaplain]) == model.config.chaplaincy.chaplains
    agent = next(iter(prisoners))
    model.prisoners.trust_in_staff[agent.slot] = 0.123
    assert agent.trust_in_staff == 0.123


def test_leader_kind_follows_the_scenarios_radical_threshold():
    scenario = default_scenario().with_overrides({"definitions.radical_threshold": 0.8})
    model = WingModel(scenario, rng=3)
    leader = next(iter(model.agents_by_type[Leader]))
    model.prisoners.extremism[leader.slot] = 0.7
    assert leader.kind == "order-keeping"  # above 0.5, below this scenario's threshold
    model.prisoners.extremism[leader.slot] = 0.85
    assert leader.kind == "extremist"
