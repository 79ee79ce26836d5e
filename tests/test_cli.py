"""The single-run workflow end to end: `wingsim run`, `check` and `schedule`."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wingsim
from wingsim import Scenario, cli, load_scenario, output, tomlout
from wingsim.outcomes import COLUMNS, KEY_OUTCOMES

SCENARIO_DIR = Path(__file__).parents[1] / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.toml"))

TINY = """
name = "tiny wing"
[establishment]
wings = 2
wing_capacity = 40
special_unit_capacity = 8
[regime]
type = "containment"
[run]
days = 15
seed = 7
"""


@pytest.fixture
def no_plot(monkeypatch):
    """Skip the PNG (about 1.5 s of matplotlib) where a test is about something else."""
    monkeypatch.setattr(output, "plot_outcomes", lambda *args, **kwargs: None)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One in-process `wingsim run` of a 2-wing, 15-day scenario, shared by the checks."""
    tmp = tmp_path_factory.mktemp("run")
    path = tmp / "tiny.toml"
    path.write_text(TINY)
    out = tmp / "out"
    code = cli.main(["run", str(path), "--out", str(out)])
    return code, out


def test_run_writes_three_files(tiny_run):
    code, out = tiny_run
    assert code == 0
    for name in ("timeseries.parquet", "summary.json", "outcomes.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "outcomes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_timeseries_has_every_column_and_one_row_per_day(tiny_run):
    _, out = tiny_run
    pq = str(out / "timeseries.parquet")
    cols = set(duckdb.sql(f"select * from read_parquet('{pq}')").columns)
    assert set(COLUMNS) <= cols
    n, lo, hi, distinct = duckdb.sql(
        f"select count(*), min(day), max(day), count(distinct day) from read_parquet('{pq}')"
    ).fetchall()[0]
    assert (n, lo, hi, distinct) == (16, 0, 15, 16)  # day 0 (initial state) .. day 15


def test_summary_records_scenario_seed_version_outcomes(tiny_run):
    _, out = tiny_run
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 7 and summary["days"] == 15
    assert summary["version"] == wingsim.__version__
    assert summary["scenario"]["name"] == "tiny wing"
    # Resolved: defaults are filled in, not only what the file set.
    assert summary["scenario"]["staff"] == Scenario().staff.model_dump()
    assert summary["scenario"]["establishment"]["wings"] == 2
    assert set(summary["scenario"]) >= {"staff", "mechanisms", "assessment", "run"}
    assert summary["wall_time_seconds"] >= 0
    res = summary["outcomes"]
    for col in KEY_OUTCOMES:
        assert f"end_{col}" in res
        assert f"mean_{col}" in res or f"total_{col}" in res


def test_summary_round_trips_to_the_same_scenario(tiny_run, tmp_path, no_plot):
    """summary.json's scenario is complete: rerunning it reproduces the run exactly."""
    _, out = tiny_run
    summary = json.loads((out / "summary.json").read_text())
    again = tmp_path / "again.toml"
    again.write_text(tomlout.dumps(summary["scenario"]))
    assert cli.main(["run", str(again), "--out", str(tmp_path / "o")]) == 0
    rerun = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert rerun["outcomes"] == summary["outcomes"]


def test_run_flags_override_seed_and_days(tmp_path, capsys, no_plot):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "o"
    assert cli.main(["run", str(path), "--seed", "3", "--days", "4", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["seed"], summary["days"]) == (3, 4)
    assert summary["scenario"]["run"] == {
        "days": 4,
        "seed": 3,
        "warmup_days": 0,
        "slot_order_days": 0,
    }
    printed = capsys.readouterr().out
    for col in KEY_OUTCOMES:
        assert col in printed


def test_run_default_out_dir_is_runs_scenario_name(tmp_path, monkeypatch, no_plot):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("days = 15", "days = 2"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", str(path)]) == 0
    assert (tmp_path / "runs" / "tiny-wing" / "summary.json").exists()


@pytest.mark.parametrize("argv_tail", [["--days", "0"], ["--seed", "-1"]])
def test_run_refuses_bad_flags(tmp_path, capsys, argv_tail):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    assert cli.main(["run", str(path), "--out", str(tmp_path / "o"), *argv_tail]) == 2
    err = capsys.readouterr().err
    assert "tiny.toml" in err and ">= " in err
    assert not (tmp_path / "o").exists()


def test_run_bad_scenario_exits_2_with_message(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[staff]\nfairness = 1.5\n")
    assert cli.main(["run", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "staff.fairness" in err and "<= 1.0" in err


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(tmp_path, capsys, monkeypatch, no_plot, tty):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("days = 15", "days = 3"))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    assert cli.main(["run", str(path), "--out", str(tmp_path / "o")]) == 0
    assert ("0/3 [" in capsys.readouterr().err) is tty  # tqdm draws "0/3 [" at start


def test_run_unwritable_out_exits_1(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("days = 15", "days = 1"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert cli.main(["run", str(path), "--out", str(blocker)]) == 1
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_check_accepts_every_shipped_scenario(path, capsys):
    assert cli.main(["check", str(path)]) == 0
    printed = capsys.readouterr().out
    # The printed TOML is the resolved scenario and itself a valid scenario file.
    resolved = tomllib.loads(printed)
    assert resolved == load_scenario(path).model_dump(mode="json")


def test_shipped_scenarios_cover_the_analyst_questions():
    names = {p.stem for p in SCENARIOS}
    assert {"dispersal", "containment", "combination", "large-establishment"} <= names
    for stem in ("dispersal", "containment", "combination"):
        assert f"healthy-prison-{stem}" in names
    regimes = ("dispersal", "containment", "combination")
    bases = [load_scenario(SCENARIO_DIR / f"{r}.toml") for r in regimes]
    dumped = [b.model_dump(exclude={"name", "description"}) for b in bases]
    for d in dumped:
        d["regime"].pop("type")
    assert dumped[0] == dumped[1] == dumped[2], "base files must differ only in regime.type"


def test_check_bad_files_exit_2_naming_file_field_range(tmp_path, capsys):
    good = SCENARIOS[0]
    bad1 = tmp_path / "bad1.toml"
    bad1.write_text("[establishment]\nwings = 0\n[staff]\ntraining = 'high'\n")
    bad2 = tmp_path / "bad2.toml"
    bad2.write_text("[regime]\ntype = 'isolation'\nbogus = 1\n")
    assert cli.main(["check", str(good), str(bad1), str(bad2)]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert "bad1.toml" in err and "establishment.wings" in err and ">= 1 and <= 200" in err
    assert "staff.training" in err and ">= 0.0 and <= 1.0" in err
    assert "bad2.toml" in err and "regime.type" in err and "'containment'" in err
    assert "regime.bogus: unknown key" in err
    assert f"# {good}" in captured.out  # the good file is still printed


def test_schedule_lists_every_submodel(capsys):
    assert cli.main(["schedule"]) == 0
    out = capsys.readouterr().out
    for name in ("intake", "prisoner_contacts", "chaplaincy", "assessment", "release"):
        assert name in out


def test_console_script_check(tmp_path):
    """The installed entry point works outside the test process: output, errors, exit code."""
    exe = Path(sys.executable).with_name("wingsim")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "wingsim.cli"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[run]\ndays = 'long'\n")
    proc = subprocess.run(
        [*cmd, "check", str(SCENARIOS[0]), str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "[regime]" in proc.stdout
    assert "bad.toml" in proc.stderr and "run.days" in proc.stderr


# -- the TOML writer ----------------------------------------------------------------------
_keys = st.text(min_size=1, max_size=12)
_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)


@given(
    st.dictionaries(
        _keys, st.one_of(_scalars, st.dictionaries(_keys, _scalars, max_size=5)), max_size=6
    )
)
def test_toml_writer_round_trips_through_tomllib(data):
    assert tomllib.loads(tomlout.dumps(data)) == data


_values = st.one_of(_scalars, st.lists(_scalars, max_size=4))
_tables = st.recursive(
    st.dictionaries(_keys, _values, max_size=5),
    lambda inner: st.dictionaries(_keys, st.one_of(_values, inner), max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(_keys, st.one_of(_values, _tables), max_size=6))
def test_toml_writer_round_trips_nested_tables_and_arrays(data):
    """Experiment records need arrays and tables in tables (``parameters."a.b".min``)."""
    assert tomllib.loads(tomlout.dumps(data)) == data


def test_toml_writer_leaves_out_none_and_writes_empty_tables():
    data = {"outcomes": None, "overrides": {}, "parameters": {"a.b": {"values": None, "min": 0.1}}}
    text = tomlout.dumps(data)
    assert tomllib.loads(text) == {"overrides": {}, "parameters": {"a.b": {"min": 0.1}}}
    assert "[parameters]" not in text  # a table of tables needs no header of its own
    with pytest.raises(TypeError):
        tomlout.dumps({"a": [1, None]})


def test_the_toml_writer_is_the_only_one():
    """Results folders write their TOML records with tomlout (no second writer)."""
    import wingsim.experiments.store as store

    assert not hasattr(store, "to_toml")


def test_toml_writer_nan_and_inf():
    back = tomllib.loads(tomlout.dumps({"a": float("nan"), "b": float("-inf"), "c": 1e-5}))
    assert math.isnan(back["a"]) and back["b"] == float("-inf") and back["c"] == 1e-5


def test_builtin_scenarios_work_from_any_folder(tmp_path, monkeypatch, capsys):
    """An installed wingsim needs no checkout: built-in names, a listing, editable copies."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    assert "containment" in listing and "Default establishment, containment regime" in listing
    out = tmp_path / "run"
    assert cli.main(["run", "containment", "--days", "3", "--out", str(out)]) == 0
    assert (out / "timeseries.parquet").exists()
    assert cli.main(["scenarios", "--copy", "mine"]) == 0
    copied = load_scenario(tmp_path / "mine" / "scenarios" / "containment.toml")
    assert copied == load_scenario("containment")
    assert (tmp_path / "mine" / "experiments" / "three_regimes.toml").exists()
    assert cli.main(["run", "no-such-scenario"]) == 2
    assert "built-in scenarios: " in capsys.readouterr().err


# -- a run folder holds one whole run or none -------------------------------------------------
def _files(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


def test_run_killed_while_writing_keeps_the_previous_run(tmp_path, monkeypatch, no_plot):
    """It used to leave an unreadable timeseries.parquet beside the previous summary.json."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("days = 15", "days = 2"))
    out = tmp_path / "o"
    assert cli.main(["run", str(path), "--out", str(out)]) == 0
    before = _files(out)

    def killed(df, target, title=None):
        assert _files(out) == before  # the new files are elsewhere until all are written
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "plot_outcomes", killed)
    assert cli.main(["run", str(path), "--out", str(out), "--seed", "9"]) == 130
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_run_sigkill_while_writing_leaves_a_whole_run(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("days = 15", "days = 2"))
    out = tmp_path / "o"
    code = (
        "import os, sys, wingsim.output as o\n"
        "from wingsim import cli\n"
        "o.plot_outcomes = lambda *a, **k: os.kill(os.getpid(), 9)\n"
        "cli.main(sys.argv[1:])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(path), "--out", str(out)], timeout=120
    )
    assert proc.returncode == -9
    assert not out.exists()  # no run rather than half a run
    assert cli.main(["run", str(path), "--out", str(out)]) == 0  # the leftover is cleaned up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "tiny.toml"]


def test_run_into_a_shared_folder_keeps_its_files(tmp_path, monkeypatch, no_plot):
    """A folder with other files is never replaced; summary.json comes last, so it always
    belongs to the timeseries beside it."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("days = 15", "days = 2"))
    assert cli.main(["run", str(path), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "tiny.toml").exists() and (tmp_path / "summary.json").exists()
    before = _files(tmp_path)

    def killed(df, target, title=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "plot_outcomes", killed)
    assert cli.main(["run", str(path), "--out", str(tmp_path), "--seed", "9"]) == 130
    assert _files(tmp_path) == before  # killed before anything moved: the previous run
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
