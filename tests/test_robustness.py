"""Robustness pipeline end to end on a tiny design (2 parameters, Morris r=2, 20 days)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wingsim.experiments.experiment_file import ExperimentError
from wingsim.patterns import regime, replicate
from wingsim.validation import robustness as rb

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
TINY = f"""
name = "tiny"
design = "morris"
samples = 2
levels = 4
replications = 2
days = 20
seed = 3
scenarios = {{ {", ".join(f'{r} = "{SCEN / r}.toml"' for r in rb.REGIMES)} }}

[overrides]
"establishment.wings" = 2
"establishment.wing_capacity" = 30
"establishment.special_unit_capacity" = 8

[parameters."staff.staff_ratio"]
min = 0.12
max = 0.35

[parameters."mechanisms.status.special_unit_status"]
min = 0.1
max = 0.4
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rob")
    cfg = folder / "tiny.toml"
    cfg.write_text(TINY)
    return rb.run(cfg, folder / "out", workers=1, progress=False), folder


def test_differences_are_paired_on_seed_and_point(result):
    res, folder = result
    diffs = pd.read_csv(res["files"]["differences"])
    assert len(diffs) == 6 * 2 * len(rb.PATTERNS)  # Morris r(D+1) points x 2 replications
    # one seed per replication, shared by every point and regime (common random numbers)
    assert diffs.groupby("replication")["seed"].nunique().eq(1).all()
    assert diffs["seed"].nunique() == 2
    # recompute one difference from scratch: containment minus dispersal, same point, seed
    row = diffs[diffs["pattern"] == "containment-dispersal:bonding_veo"].iloc[0]
    over = {
        "establishment.wings": 2,
        "establishment.wing_capacity": 30,
        "establishment.special_unit_capacity": 8,
        "staff.staff_ratio": float(row["staff.staff_ratio"]),
        "mechanisms.status.special_unit_status": float(
            row["mechanisms.status.special_unit_status"]
        ),
    }
    pair = {"a": regime("containment", **over), "b": regime("dispersal", **over)}
    runs = replicate(pair, [int(row["seed"])], 20, workers=1)
    a, b = (runs[k][0]["mean_bonding_veo"] for k in ("a", "b"))
    assert row["diff"] == pytest.approx(a - b, abs=1e-12)


def test_shares_are_proportions_and_salib_names_the_parameters(result):
    res, _ = result
    sh = res["shares"]
    assert list(sh["pattern"]) == [p.key for p in rb.PATTERNS]
    for col in ("share_holds", "share_significant", "share_significant_opposite"):
        assert sh[col].between(0, 1).all(), col
    assert (sh["share_significant"] + sh["share_significant_opposite"] <= 1).all()
    idx = res["indices"]
    assert set(idx["parameter"]) == {"staff.staff_ratio", "mechanisms.status.special_unit_status"}
    assert np.isfinite(idx["mu_star"]).all() and (idx["mu_star"] >= 0).all()
    # the unit's status marker moves the containment status gap; it cannot move cost
    st = idx[idx["pattern"] == "containment-dispersal:status_share_veo"].set_index("parameter")
    assert st.loc["mechanisms.status.special_unit_status", "rank"] == 1
    # a containment unit costs more than dispersal everywhere
    assert sh.set_index("pattern").loc["containment-dispersal:cost", "share_holds"] == 1.0
    for key in ("shares_png", "indices_png", "scatter_png"):
        assert res["files"][key].stat().st_size > 0


def test_rerun_resumes_without_running_again(result, monkeypatch):
    res, folder = result
    from wingsim.experiments import runner

    def boom(spec):
        raise AssertionError("a finished run was run again")

    monkeypatch.setattr(runner, "execute", boom)
    again = rb.run(folder / "tiny.toml", folder / "out", workers=1, progress=False)
    pd.testing.assert_frame_equal(again["shares"], res["shares"])


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        ("days = 20", "days = 20\nreplicates = 3"),
        ("max = 0.35", "max = 0.35\nstep = 0.1"),
    ],
)
def test_loader_rejects_unknown_keys_with_file_and_key(tmp_path, edit, needle):
    path = tmp_path / "bad.toml"
    path.write_text(TINY.replace(edit, needle))
    with pytest.raises(ExperimentError) as err:
        rb.load_config(path)
    msg = str(err.value)
    assert str(path) in msg and "unknown key" in msg
    key = "replicates" if "replicates" in needle else "parameters.staff.staff_ratio.step"
    assert key in msg


def test_loader_rejects_out_of_schema_range(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(TINY.replace("max = 0.35", "max = 5.0"))
    with pytest.raises(ExperimentError, match=r"parameters.staff.staff_ratio.max: 5.0 is outside"):
        rb.load_config(path)


def test_shipped_robustness_files_load():
    files = sorted((ROOT / "experiments").glob("robustness-*.toml"))
    assert {rb.load_config(f)[0].design for f in files} == {"morris", "sobol"}


def test_flips_find_the_threshold_and_ignore_an_unrelated_parameter():
    rng = np.random.default_rng(0)
    n = 400
    a, b = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rows = []
    for pat in rb.PATTERNS:
        # the paper's sign holds exactly when a > 0.6
        mean = pat.sign * (a - 0.6)
        rows.append(pd.DataFrame({"pattern": pat.key, "a.x": a, "b.y": b, "mean": mean}))
    fl = rb.flips(pd.concat(rows), ["a.x", "b.y"], bins=5).set_index(["pattern", "parameter"])
    key = rb.PATTERNS[0].key
    assert fl.loc[(key, "a.x"), "flips"]
    assert fl.loc[(key, "a.x"), "holds_when"] == "above"
    assert fl.loc[(key, "a.x"), "threshold"] == pytest.approx(0.6, abs=0.05)
    assert not fl.loc[(key, "b.y"), "flips"]
