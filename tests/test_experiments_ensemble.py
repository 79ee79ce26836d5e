"""Comparisons under parameter uncertainty: ``compare --ensemble POSTERIOR``.

Each replication draws one parameter set from the posterior in proportion to its weights,
and every scenario of that replication gets the same draw, so the scenarios stay paired.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tiny import tiny_scenarios
from wingsim import cli
from wingsim.experiments.engine import compare_plan, run_compare
from wingsim.experiments.ensemble import (
    ROW,
    PosteriorError,
    draw,
    effective_sample_size,
    load_posterior,
)
from wingsim.experiments.report import make_report
from wingsim.outcomes import summarise
from wingsim.output import run_scenario
from wingsim.scenario import validate_scenario

STIGMA = "mechanisms.grievance.label_stigma"
INFLUENCE = "mechanisms.prisoner_contacts.influence_rate"


def posterior(tmp, rows: dict, name="posterior.parquet"):
    path = tmp / name
    pd.DataFrame(rows).to_parquet(path)
    return path


def test_draws_follow_the_weights_and_are_reproducible(tmp_path):
    post = load_posterior(posterior(tmp_path, {STIGMA: [0.1, 0.2, 0.3], "weight": [0.0, 1.0, 3.0]}))
    assert post["weight"].sum() == pytest.approx(1.0)
    d = draw(post, 4000, seed=7)
    assert (d[ROW] != 0).all()  # a row of weight 0 is never drawn
    assert (d[ROW] == 2).mean() == pytest.approx(0.75, abs=0.03)
    pd.testing.assert_frame_equal(d, draw(post, 4000, seed=7))
    assert not d.equals(draw(post, 4000, seed=8))
    assert effective_sample_size(post) == pytest.approx(1 / (0.25**2 + 0.75**2))


def test_every_scenario_of_a_replication_gets_the_same_draw(tmp_path):
    path = posterior(
        tmp_path,
        {STIGMA: [0.1, 0.3, 0.5, 0.7], INFLUENCE: [0.02, 0.03, 0.04, 0.05], "weight": [1, 1, 1, 1]},
    )
    p = compare_plan(tiny_scenarios(tmp_path), 12, 3, seed=5, ensemble=str(path))
    table = p.design_table()
    wide = table.pivot(index="replication", columns="scenario", values=STIGMA)
    assert (wide["dispersal"] == wide["containment"]).all()
    assert wide["dispersal"].nunique() > 1  # replications draw different parameter sets
    specs = list(p.specs())
    for spec in specs:  # the run's scenario carries its draw, and its row records it
        assert spec.scenario["mechanisms"]["grievance"]["label_stigma"] == spec.meta[STIGMA]
    assert {s.meta[ROW] for s in specs} <= {0, 1, 2, 3}


def test_an_ensemble_run_is_the_run_with_its_draw_applied(tmp_path):
    """A one-row posterior: the ensemble run equals the scenario with the row as
    overrides, same seed (the draw changes the parameters, nothing else)."""
    path = posterior(tmp_path, {STIGMA: [0.6], INFLUENCE: [0.05], "weight": [1.0]})
    folder, _, failed = run_compare(
        tiny_scenarios(tmp_path), 2, 5, 1, str(tmp_path / "out"), seed=9, ensemble=str(path)
    )
    assert failed == 0
    runs = pd.read_parquet(folder / "runs.parquet")
    row = runs[runs["scenario"] == "containment"].iloc[0]
    base = validate_scenario(
        {
            "name": "containment",
            "regime": {"type": "containment"},
            "establishment": {"wings": 2, "wing_capacity": 30},
        },
        "test",
    )
    direct = summarise(
        run_scenario(
            base.with_overrides({STIGMA: 0.6, INFLUENCE: 0.05}), seed=int(row["seed"]), days=5
        ).datacollector.get_model_vars_dataframe()
    )
    for col in ("mean_trust_in_staff", "mean_extremism_veo", "mean_bonding_veo"):
        assert row[col] == direct[col]
    assert (runs[STIGMA] == 0.6).all()


def test_claims_share_is_the_share_of_paired_draws(tmp_path):
    path = posterior(tmp_path, {STIGMA: [0.1, 0.7], "weight": [1, 1]})
    folder, _, _ = run_compare(
        tiny_scenarios(tmp_path), 6, 5, 1, str(tmp_path / "out"), seed=3, ensemble=str(path)
    )
    runs = pd.read_parquet(folder / "runs.parquet").set_index(["scenario", "replication"])
    claims = pd.read_csv(folder / "claims.csv").set_index("claim")
    c = claims.loc["containment_trust"]
    d = (runs.loc["containment", c.outcome] - runs.loc["dispersal", c.outcome]).to_numpy()
    assert c.share_holds == pytest.approx(np.mean(np.sign(d) == c.expected_sign))
    assert c["diff"] == pytest.approx(d.mean())
    html, _, _ = make_report(folder)
    assert "The paper's claims" in html.read_text()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({STIGMA: [0.1]}, "weight: missing"),
        ({"mechanisms.grievance.no_such": [0.1], "weight": [1.0]}, "not a scenario parameter"),
        ({STIGMA: [1.5], "weight": [1.0]}, "outside the allowed range 0 to 1"),
        ({STIGMA: [0.1], "weight": [-1.0]}, "weights must be finite"),
        ({STIGMA: [float("nan")], "weight": [1.0]}, "NaN"),
        ({"regime.type": ["containment"], "weight": [1.0]}, "numeric parameters only"),
    ],
)
def test_a_bad_posterior_is_refused_naming_file_and_field(tmp_path, rows, expected):
    path = posterior(tmp_path, rows)
    with pytest.raises(PosteriorError) as err:
        load_posterior(path)
    assert err.value.source == str(path)
    assert any(expected in e for e in err.value.errors), err.value.errors


def test_cli_refuses_a_bad_posterior_in_one_line(tmp_path, capsys):
    bad = tmp_path / "post.parquet"
    bad.write_text("not parquet")
    code = cli.main(
        [
            "compare",
            *tiny_scenarios(tmp_path),
            "--replications",
            "2",
            "--days",
            "2",
            "--out",
            str(tmp_path / "out"),
            "--ensemble",
            str(bad),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "post.parquet" in err and "not a Parquet table" in err
    assert "Traceback" not in err
