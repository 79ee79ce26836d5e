"""`wingsim calibrate`: a tiny ABC-SMC end to end, its resume, its refusals, and Dask."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
import pytest

from wingsim import cli
from wingsim.experiments.targets import STATISTICS, load_targets

ROOT = Path(__file__).parents[1]

TINY_SCENARIO = 'name = "tiny"\n[establishment]\nwings = 2\nwing_capacity = 30\n'

TARGETS = """
[calibration]
scenario = "tiny.toml"
seed = 5
particles = 4
generations = 2
days = 10
warmup_days = 0
ppc_draws = 3

[priors."mechanisms.incidents.incident_base"]
low = 0.05
high = 0.6

[priors."mechanisms.staffing.stress_attrition"]
low = 0.0
high = 0.01

[targets.assaults]
use = "fit"
value = 356.0
uncertainty = 89.0
unit = "per 1,000 a year"
statistic = "incidents_per_1000_year"
source = "test"
verified = "test"
applies_to = "test"
definition = "test"

[targets.leaving]
use = "check"
value = 0.125
uncertainty = 0.02
unit = "share a year"
statistic = "staff_leaving_share_per_year"
source = "test"
verified = "test"
applies_to = "test"
definition = "test"

[targets.elsewhere]
use = "reference"
value = 9.0
uncertainty = 5.0
unit = "men"
source = "test"
verified = "test"
applies_to = "another establishment"
definition = "none"
note = "not computed here"
"""

PARAMETERS = ["mechanisms.incidents.incident_base", "mechanisms.staffing.stress_attrition"]


@pytest.fixture
def targets(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY_SCENARIO)
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS)
    return path


def _populations(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "abc.db") as db:
        return db.execute(
            "select t, epsilon, nr_samples, population_end_time from populations where t >= 0 "
            "order by t"
        ).fetchall()


def test_tiny_calibration_writes_the_contract_and_resumes(targets, tmp_path, monkeypatch, capsys):
    # Interrupted during generation 1, then the same command again.
    calls = {"n": 0}
    run = pyabc.ABCSMC.run

    def interrupt_second_generation(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return run(self, *args, **kwargs)

    out = tmp_path / "out"
    monkeypatch.setattr(pyabc.ABCSMC, "run", interrupt_second_generation)
    assert cli.main(["calibrate", str(targets), "--out", str(out)]) == 130
    first = _populations(out)
    assert [row[0] for row in first] == [0]
    assert not (out / "posterior.parquet").exists()

    monkeypatch.setattr(pyabc.ABCSMC, "run", run)
    assert cli.main(["calibrate", str(targets), "--out", str(out)]) == 0
    assert "resuming: 1 of 2 generation(s) already done" in capsys.readouterr().out
    resumed = _populations(out)
    assert resumed[0] == first[0]  # generation 0 kept, not redone
    assert [row[0] for row in resumed] == [0, 1]

    # The posterior: one column per dotted parameter, plus weight summing to 1.
    post = pd.read_parquet(out / "posterior.parquet")
    assert list(post.columns) == [*PARAMETERS, "weight"]
    assert len(post) == 4
    assert post["weight"].sum() == pytest.approx(1.0)
    assert post[PARAMETERS[0]].between(0.05, 0.6).all()
    assert post[PARAMETERS[1]].between(0.0, 0.01).all()

    diag = pd.read_csv(out / "diagnostics.csv")
    assert list(diag["generation"]) == [0, 1]
    assert diag["acceptance_rate"].iloc[0] == 1.0  # generation 0 is the prior
    assert np.isinf(diag["epsilon"].iloc[0])
    assert diag["epsilon"].iloc[1] < np.inf
    assert (diag["ess"] > 0).all() and (diag["ess"] <= 4).all()

    ppc = pd.read_csv(out / "ppc.csv").set_index("target")
    assert set(ppc.index) == {"assaults", "leaving", "elsewhere"}
    assert ppc.loc[["assaults", "leaving"], "share_within"].between(0, 1).all()
    assert ppc.loc[["assaults", "leaving"], "draws"].eq(3).all()
    assert np.isnan(ppc.loc["elsewhere", "share_within"])
    draws = pd.read_parquet(out / "ppc_draws.parquet")
    assert len(draws) == 3
    assert set(PARAMETERS) <= set(draws.columns)
    for png in ("marginals.png", "ppc.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Raising `generations` extends the finished calibration instead of restarting it, and
    # the interrupted, resumed and extended calibration gives what one uninterrupted run of
    # the same file and seed gives.
    targets.write_text(TARGETS.replace("generations = 2", "generations = 3"))
    assert cli.main(["calibrate", str(targets), "--out", str(out)]) == 0
    assert _populations(out)[:2] == resumed
    assert len(_populations(out)) == 3
    fresh = tmp_path / "fresh"
    assert cli.main(["calibrate", str(targets), "--out", str(fresh)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(fresh / "posterior.parquet"), pd.read_parquet(out / "posterior.parquet")
    )

    # A different targets file is refused in that folder.
    targets.write_text(TARGETS.replace("seed = 5", "seed = 6"))
    assert cli.main(["calibrate", str(targets), "--out", str(out)]) == 2
    assert "different targets file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ("ppc_draws = 3", "ppc_draws = 3\nparticle = 4", "calibration.particle", "unknown key"),
        ("particles = 4", 'particles = "four"', "calibration.particles", "valid integer"),
        ("particles = 4", "particles = 1", "calibration.particles", "ge 2"),
        ("low = 0.05", "low = -0.5", "priors.mechanisms.incidents.incident_base", "[0.0, 1.0]"),
        ("high = 0.01", "high = 0.0", "priors.mechanisms.staffing.stress_attrition", "below"),
        (
            '"mechanisms.staffing.stress_attrition"]',
            '"staff.training"]',
            "priors.staff.training",
            "levers and inputs",
        ),  # fmt: skip
        ('"incidents_per_1000_year"', '"assaults"', "targets.assaults", "allowed"),
        ("uncertainty = 89.0", "uncertainty = 0.0", "targets.assaults.uncertainty", "gt 0"),
    ],
)
def test_bad_targets_are_refused_in_one_line(targets, capsys, old, new, field, says):
    assert old in TARGETS
    targets.write_text(TARGETS.replace(old, new, 1))
    assert cli.main(["calibrate", str(targets), "--out", str(targets.parent / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"{targets}: {field}"), err
    assert says in err, err
    assert not (targets.parent / "out").exists()


def test_shipped_targets_file_is_valid_and_every_target_is_accounted_for():
    cal = load_targets(ROOT / "calibration" / "targets.toml")
    raw = tomllib.loads((ROOT / "calibration" / "targets.toml").read_text())
    assert set(cal.spec.targets) == set(raw["targets"])
    assert cal.fit, "at least one fitted target"
    for name, target in cal.spec.targets.items():
        assert target.source and target.verified and target.applies_to, name
        if target.use != "reference":
            assert target.statistic in STATISTICS, name
    assert all(name.startswith("mechanisms.") for name in cal.parameters)


def test_calibration_on_a_real_dask_scheduler(targets, tmp_path):
    """The tiny calibration through a real Dask scheduler on tcp://127.0.0.1 with one worker.

    The cluster runs in this process (worker threads, not processes): the command still
    connects to it as a client over TCP and ships every particle to the worker, and the
    worker starts in a second instead of importing wingsim and loading numba's cache anew.
    """
    distributed = pytest.importorskip("distributed")
    targets.write_text(TARGETS.replace("ppc_draws = 3", "ppc_draws = 1"))
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "dask"
        code = cli.main(
            ["calibrate", str(targets), "--out", str(out), "--scheduler", cluster.scheduler_address]
        )
        shipped_tasks = len(cluster.scheduler.task_prefixes)  # particles went to the worker
    assert code == 0
    post = pd.read_parquet(out / "posterior.parquet")
    assert list(post.columns) == [*PARAMETERS, "weight"]
    assert len(post) == 4 and post["weight"].sum() == pytest.approx(1.0)
    diag = pd.read_csv(out / "diagnostics.csv")
    assert list(diag["generation"]) == [0, 1]
    assert (diag["runs"] >= 4).all()
    assert shipped_tasks > 0


def test_malformed_scheduler_address_is_one_line(targets, capsys):
    out = targets.parent / "o"
    code = cli.main(["calibrate", str(targets), "--out", str(out), "--scheduler", "host:8786"])
    assert code == 2
    assert capsys.readouterr().err.strip().startswith("--scheduler 'host:8786': not a Dask")
    assert not out.exists()


@pytest.mark.parametrize(
    ("preset", "prisoners_per_officer"),
    [("high-security-dispersal", 1.6), ("category-b-local", 2.8), ("separation-centre", 1.6)],
)
def test_establishment_presets_take_the_published_staffing(preset, prisoners_per_officer):
    """Written answer 1220 (25 February 2020), band 3-5 officers at 30 June 2019: the wings'
    posts per prisoner in place at build match the published headcount ratio."""
    from wingsim import WingModel, load_scenario

    scenario = load_scenario(preset)
    assert 1 / scenario.staff.staff_ratio == pytest.approx(prisoners_per_officer, abs=0.01)
    model = WingModel(scenario, rng=1)
    est = scenario.establishment
    nominal_prisoners = est.wings * est.wing_capacity * est.occupancy
    # Every post (a separation centre's are taken from the wings': like for like).
    posts = int(model.staff.active.sum())
    assert nominal_prisoners / posts == pytest.approx(prisoners_per_officer, rel=0.02)


def test_shipped_posterior_keeps_the_contract():
    """calibration/default/posterior.parquet: what `compare --ensemble` reads."""
    from wingsim import default_scenario

    cal = load_targets(ROOT / "calibration" / "targets.toml")
    post = pd.read_parquet(ROOT / "calibration" / "default" / "posterior.parquet")
    assert list(post.columns) == [*cal.parameters, "weight"]
    assert post["weight"].sum() == pytest.approx(1.0)
    assert len(post) == cal.settings.particles
    row = post.iloc[int(post["weight"].idxmax())]
    default_scenario().with_overrides({k: float(row[k]) for k in cal.parameters})
    ppc = pd.read_csv(ROOT / "calibration" / "default" / "ppc.csv")
    assert set(ppc["target"]) == set(cal.spec.targets)
