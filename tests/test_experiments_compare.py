"""compare: outputs on disk, CI and paired-difference math, and the offline report."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tiny import tiny_scenarios
from wingsim.experiments.analysis import comparison
from wingsim.experiments.engine import run_compare
from wingsim.experiments.report import write_report
from wingsim.experiments.stats import t_interval


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    scen = tiny_scenarios(tmp)
    folder, table, failed = run_compare(scen, 4, 12, 1, str(tmp / "out"), seed=5, progress=False)
    return folder, table, failed


def test_compare_writes_runs_timeseries_and_table(compared):
    folder, table, failed = compared
    assert failed == 0
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 8 and set(runs["scenario"]) == {"dispersal", "containment"}
    assert {"scenario", "replication", "seed", "mean_trust_in_staff_veo"} <= set(runs.columns)
    # common random numbers: replication i has the same seed in every scenario
    seeds = runs.pivot(index="replication", columns="scenario", values="seed")
    assert (seeds["dispersal"] == seeds["containment"]).all()
    assert seeds["dispersal"].nunique() == 4
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert len(ts) == 8 * 13 and set(ts["run_id"]) == set(runs["run_id"])
    csv = pd.read_csv(folder / "comparison.csv")
    assert {"mean", "ci_low", "ci_high", "diff", "diff_ci_low", "diff_ci_high"} <= set(csv)
    for png in ("timeseries.png", "distributions.png"):
        assert (folder / png).read_bytes()[:4] == b"\x89PNG"
    manifest = (folder / "manifest.json").read_text()
    assert "wingsim_version" in manifest and str(int(seeds["dispersal"].iloc[0])) in manifest


def test_paired_ci_matches_hand_computation(compared):
    folder, table, _ = compared
    runs = pd.read_parquet(folder / "runs.parquet")
    o = "mean_bonding_veo"
    a = runs[runs.scenario == "containment"].sort_values("replication")[o].to_numpy()
    b = runs[runs.scenario == "dispersal"].sort_values("replication")[o].to_numpy()
    d = a - b
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2.0  # sqrt(4) = 2
    row = table[(table.scenario == "containment") & (table.outcome == o)].iloc[0]
    assert row["diff"] == pytest.approx(d.mean(), rel=1e-12)
    assert row["diff_ci_low"] == pytest.approx(d.mean() - half, rel=1e-12)
    assert row["diff_ci_high"] == pytest.approx(d.mean() + half, rel=1e-12)
    half_a = stats.t.ppf(0.975, 3) * a.std(ddof=1) / 2.0
    assert row["ci_high"] - row["mean"] == pytest.approx(half_a, rel=1e-9)


def test_t_interval_and_pairing_on_known_numbers():
    n, m, lo, hi = t_interval([1.0, 2.0, 3.0])
    assert (n, m) == (3, 2.0)
    assert hi - m == pytest.approx(4.302652729911275 * 1.0 / np.sqrt(3))
    runs = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2, 0, 1, 2],
            "mean_x": [10.0, 20.0, 30.0, 11.0, 21.2, 31.1],
        }
    )
    t = comparison(runs).set_index("scenario")
    # the unpaired spread is huge, the paired differences are 1.0, 1.2, 1.1
    assert t.loc["b", "diff"] == pytest.approx(1.1)
    assert t.loc["b", "diff_ci_high"] - t.loc["b", "diff"] == pytest.approx(
        4.302652729911275 * np.std([1.0, 1.2, 1.1], ddof=1) / np.sqrt(3)
    )
    # pairing detects the shift although the two scenarios' own CIs overlap widely
    assert t.loc["b", "diff_ci_low"] > 0
    assert t.loc["b", "ci_low"] < t.loc["a", "ci_high"]


def test_report_is_self_contained(compared):
    folder, _, _ = compared
    html = write_report(folder).read_text()
    assert "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "regime.type" in html  # what differs between the scenarios
    assert "containment" in html and "95% CI" in html
    assert "replications per point" in html


def test_folder_records_reload_as_what_was_run(compared):
    """experiment.toml and scenarios/*.toml (written by tomlout) read back as the settings."""
    import json
    import tomllib

    from wingsim.scenario import load_scenario

    folder, _, _ = compared
    exp = json.loads((folder / "experiment.json").read_text())
    back = tomllib.loads((folder / "experiment.toml").read_text())
    assert back == {k: v for k, v in exp.items() if v is not None}
    for name in ("dispersal", "containment"):
        scenario = load_scenario(folder / "scenarios" / f"{name}.toml")
        assert scenario.regime.type == name and scenario.establishment.wing_capacity == 30


def test_decompose_separates_regime_from_resources(tmp_path):
    """Four scenarios from one; regime + resources add up to what a newly funded unit does."""
    from wingsim import cli

    small = tmp_path / "small.toml"
    small.write_text(
        'name = "small"\n[regime]\ntype = "containment"\n'
        "[establishment]\nwings = 2\nwing_capacity = 30\nspecial_unit_capacity = 8\n"
    )
    out = tmp_path / "dec"
    args = ["compare", str(small), "--decompose", "--replications", "2", "--days", "15"]
    assert cli.main([*args, "--workers", "1", "--out", str(out)]) == 0
    table = pd.read_csv(out / "decomposition.csv")
    cost = table[table["outcome"] == "cost_per_prisoner_year_eur"].iloc[0]
    assert cost["resources"] + cost["regime"] == pytest.approx(cost["added_total"])
    assert cost["resources"] > 0  # extra posts and places cost money
    runs = pd.read_parquet(out / "runs.parquet")
    posts = runs.groupby("scenario")["mean_staff_posts"].mean()
    assert posts["dispersal_plus_resources"] == posts["containment_added"]
    assert posts["dispersal"] == posts["containment_like_for_like"]
    report = (out / "report.html").read_text()
    assert "The trade-off" in report and "euros" in report and "forest.png" in report
    assert cli.main(["compare", "dispersal", "--decompose", "--out", str(tmp_path / "x")]) == 2
