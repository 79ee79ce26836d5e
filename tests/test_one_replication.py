"""One function runs a replication: ``wingsim.output.run_scenario``.

``wingsim run``, every run of a sweep or comparison (the experiments runner) and the
Table 2 checks (``patterns.replicate``) all go through it, so they cannot drift apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from wingsim import cli, default_scenario, output
from wingsim.experiments.runner import RunSpec, simulate
from wingsim.patterns import replicate

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"establishment.wings": 2, "establishment.wing_capacity": 30}


def _counting(monkeypatch) -> list[int]:
    calls = []
    real = output.run_scenario

    def run_scenario(scenario, seed=None, days=None, **kw):
        calls.append(seed)
        return real(scenario, seed=seed, days=days, **kw)

    monkeypatch.setattr(output, "run_scenario", run_scenario)
    return calls


def test_the_runner_the_patterns_and_wingsim_run_call_it(monkeypatch, tmp_path):
    calls = _counting(monkeypatch)
    sc = default_scenario("containment").with_overrides(SMALL)
    summary, daily = simulate(RunSpec("r", sc.model_dump(), 3, 5))
    assert calls == [3] and len(daily) == 6
    replicate({"x": sc}, [4, 5], 5, workers=1)
    assert calls == [3, 4, 5]
    path = tmp_path / "small.toml"
    path.write_text("name = 'small'\n[establishment]\nwings = 2\nwing_capacity = 30\n")
    assert cli.main(["run", str(path), "--seed", "6", "--days", "3", "--out", str(tmp_path)]) == 0
    assert calls == [3, 4, 5, 6]


def test_same_replication_whichever_entry_point(tmp_path):
    sc = default_scenario("combination").with_overrides(SMALL)
    model = output.run_scenario(sc, seed=8, days=12)
    direct = model.datacollector.get_model_vars_dataframe()
    _, via_runner = simulate(RunSpec("r", sc.model_dump(), 8, 12))
    pd.testing.assert_frame_equal(direct, via_runner, check_exact=True)


def test_nothing_else_builds_and_steps_a_model():
    """Only output.run_scenario (and the dashboard's live, user-stepped model) build one."""
    allowed = {"src/wingsim/output.py", "src/wingsim/dashboard/session.py"}
    found = set()
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "scripts").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name == "WingModel" or name.endswith(".run_for"):
                    found.add(str(path.relative_to(ROOT)))
    assert found <= allowed, found - allowed
