"""Scenario discovery (PRIM) over the policy levers and the posterior's draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tiny import tiny_scenarios
from wingsim.experiments.experiment_file import ExperimentError
from wingsim.validation import discovery

CONFIG = """name = "tiny-discovery"
samples = 16
days = 8
seed = 4
ensemble = "posterior.parquet"
[scenarios]
dispersal = "dispersal.toml"
containment = "containment.toml"
[levers."staff.fairness"]
min = 0.5
max = 0.9
[levers."regime.special_unit_security"]
min = 0.6
max = 1.0
"""


def test_prim_finds_the_box_that_decides_the_outcome():
    """A planted rule: containment does better exactly where a > 0.6 and b < 0.5."""
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"a": rng.random(800), "b": rng.random(800), "c": rng.random(800)})
    better = (x["a"] > 0.6) & (x["b"] < 0.5)
    diffs = x.copy()
    for o in discovery.OUTCOMES:
        diffs[o] = np.where(better, -1.0, 1.0)
    boxes = discovery.prim_boxes(diffs, ["a", "b", "c"], min_coverage=0.5).set_index(
        ["outcome", "direction"]
    )
    row = boxes.loc[(discovery.OUTCOMES[0], "better")]
    assert row["density"] > 0.9 and row["coverage"] >= 0.5
    assert "a in [0.6" in row["box"] and "b in [" in row["box"] and "c in" not in row["box"]
    assert row["cases"] == pytest.approx(better.mean())


def test_a_tiny_discovery_runs_end_to_end(tmp_path):
    tiny_scenarios(tmp_path, discovery.REGIMES)
    pd.DataFrame(
        {"mechanisms.grievance.label_stigma": [0.1, 0.4, 0.7], "weight": [1.0, 1.0, 1.0]}
    ).to_parquet(tmp_path / "posterior.parquet")
    (tmp_path / "d.toml").write_text(CONFIG)
    res = discovery.run(tmp_path / "d.toml", tmp_path / "out")
    diffs, boxes = res["differences"], res["boxes"]
    assert len(diffs) == 16 and res["summary"]["runs"] == 32
    assert set(boxes["outcome"]) == set(discovery.OUTCOMES)
    assert len(boxes) == 2 * len(discovery.OUTCOMES)
    assert {"staff.fairness", "mechanisms.grievance.label_stigma"} <= set(diffs.columns)
    # Cost is accounting (the unit's places cost more): containment is dearer at every point.
    assert (diffs["cost_per_prisoner_year_eur"] > 0).all()
    assert "PRIM boxes" in (tmp_path / "out" / "report.html").read_text()
    for f in ("boxes.csv", "boxes.md", "differences.csv", "discovery-shares.png"):
        assert (tmp_path / "out" / f).stat().st_size > 0


def test_a_bad_discovery_file_is_refused_naming_the_key(tmp_path):
    (tmp_path / "d.toml").write_text(CONFIG.replace("samples = 16", "samples = 2\nspeed = 1"))
    with pytest.raises(ExperimentError) as err:
        discovery.load_config(tmp_path / "d.toml")
    text = "\n".join(err.value.errors)
    assert "samples" in text and "speed" in text


def test_the_shipped_discovery_file_loads_with_the_shipped_posterior():
    root = Path(__file__).resolve().parents[1]
    cfg, exp = discovery.load_config(
        root / "experiments" / "discovery-prim.toml",
        ensemble=str(root / "calibration" / "default" / "posterior.parquet"),
    )
    assert exp.design == "lhs" and len(cfg.levers) >= 4 and exp.ensemble
