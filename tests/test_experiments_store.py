"""The run store: status records and checksums, the folder lock, provenance, honest partials.

Each test reproduces a defect of issue 13 first (a killed sweep reported as complete, a
truncated run or timeseries file, two sweeps in one folder, a version change on resume,
``demo --out`` deleting a folder it did not make) and then checks the behaviour that
replaces it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import wingsim
from tiny import tiny_scenarios
from wingsim import cli
from wingsim.experiments.designs import plan
from wingsim.experiments.engine import (
    DEMO_MARK,
    VersionChange,
    compare_plan,
    execute_plan,
    prepare_folder,
)
from wingsim.experiments.experiment_file import load_experiment
from wingsim.experiments.folder_analysis import IncompleteDesign, analyze_folder
from wingsim.experiments.store import FolderBusy, FolderLock, RunStore

EXPERIMENT = """name = "store"
scenarios = ["dispersal.toml"]
design = "{design}"
samples = {samples}
replications = {replications}
days = {days}
seed = 3
[parameters."staff.training"]
{range}
[parameters."staff.fairness"]
{range}
"""


def scenarios(tmp: Path, names=("dispersal", "containment", "combination")) -> list[str]:
    return tiny_scenarios(tmp, names)


def experiment(tmp: Path, design="grid", samples=4, replications=2, days=3) -> Path:
    scenarios(tmp, ("dispersal",))
    rng = "values = [0.2, 0.8]" if design == "grid" else "min = 0.1\nmax = 0.9"
    path = tmp / "exp.toml"
    path.write_text(
        EXPERIMENT.format(
            design=design, samples=samples, replications=replications, days=days, range=rng
        )
    )
    return path


def sweep(path: Path, out: Path, faults=None, **kw):
    p = plan(load_experiment(path))
    store = prepare_folder(p, out, "sweep", path.read_text(), **kw)
    try:
        return p, store, execute_plan(p, store, workers=1, progress=False, faults=faults)
    except KeyboardInterrupt:
        return p, store, None


def statuses(folder: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in (folder / "status").glob("*.json"):
        s = json.loads(f.read_text())["status"]
        out[s] = out.get(s, 0) + 1
    return out


# -- a sweep killed midway -------------------------------------------------------------------
@pytest.fixture(scope="module")
def killed_compare(tmp_path_factory):
    """The issue's case: three regimes x 6 replications, interrupted after 8 of 18 runs."""
    tmp = tmp_path_factory.mktemp("killed")
    p = compare_plan(scenarios(tmp), 6, 3, seed=5)
    out = tmp / "out"
    store = prepare_folder(p, out, "compare", None)
    with pytest.raises(KeyboardInterrupt):
        execute_plan(p, store, workers=1, progress=False, faults={"p00001-r0002": "interrupt"})
    return tmp, out


def test_a_killed_sweep_records_planned_running_and_succeeded(killed_compare):
    _, out = killed_compare
    assert statuses(out) == {"succeeded": 8, "running": 1, "planned": 9}
    record = json.loads((out / "status" / "p00000-r0000.json").read_text())
    assert record["wingsim_version"] == wingsim.__version__ and record["time"]
    [(name, digest)] = [(k, v) for k, v in record["files"].items() if k.startswith("runs/")]
    assert len(digest) == 64 and (out / name).exists()
    assert pd.read_parquet(out / name)["wingsim_version"].iloc[0] == wingsim.__version__


def test_a_killed_sweep_is_analysed_and_reported_as_partial(killed_compare, capsys):
    _, out = killed_compare
    assert cli.main(["analyze", str(out)]) == 1  # was 0, as if complete
    captured = capsys.readouterr()
    assert "8 of 18 planned runs finished" in captured.out
    assert captured.err.startswith("PARTIAL: 8 of 18 planned runs finished")
    assert "combination: 0 of 6 finished" in captured.out
    csv = pd.read_csv(out / "comparison.csv")
    counts = csv.groupby("scenario")[["runs_planned", "runs_finished"]].first()
    assert counts.loc["dispersal"].tolist() == [6, 6]
    assert counts.loc["containment"].tolist() == [6, 2]
    assert "combination" not in counts.index  # no runs: no rows, and the report says so

    assert cli.main(["report", str(out)]) == 1
    html = (out / "report.html").read_text()
    assert html.index("PARTIAL RESULTS") < html.index("The question")
    assert "8 of 18 planned runs finished" in html
    assert "combination: no finished runs (0 of 6)" in html
    assert "containment: from 2 of 6 planned replications only" in html
    assert "18 runs planned, 8 finished" in html
    analysis = json.loads((out / "analysis.json").read_text())
    assert analysis["complete"] is False and analysis["counts"]["planned"] == 18

    # --partial: the user accepts the partial results
    assert cli.main(["report", str(out), "--partial"]) == 0
    capsys.readouterr()


def test_resuming_a_killed_sweep_finishes_it_and_the_report_follows(killed_compare, capsys):
    tmp, out = killed_compare
    p = compare_plan(
        [str(tmp / f"{n}.toml") for n in ("dispersal", "containment", "combination")], 6, 3, seed=5
    )
    said = []
    store = prepare_folder(p, out, "compare", None)
    finished, failed = execute_plan(p, store, workers=1, progress=False, say=said.append)
    assert (finished, failed) == (18, 0)
    assert said == ["resuming: 8 of 18 runs done; redoing 1 interrupted"]
    # The report notices the runs changed since the last analysis and re-runs it.
    assert cli.main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "analysed" in printed and "18 of 18" in printed
    assert "PARTIAL" not in (out / "report.html").read_text()


# -- damaged files ---------------------------------------------------------------------------
def test_a_truncated_run_file_is_found_left_out_and_redone(tmp_path, capsys):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    p, store, _ = sweep(path, out)
    victim = out / "runs" / "p00001-r0001.parquet"
    victim.write_bytes(victim.read_bytes()[:100])  # used to crash analyze with a DuckDB error
    assert store.verify(p.table["run_id"]).damaged == {
        "p00001-r0001": "runs/p00001-r0001.parquet does not match its checksum (damaged or changed)"
    }
    assert cli.main(["analyze", str(out)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "1 damaged" in captured.out
    # Resume redoes it (it used to count as done because its file existed) and says so.
    said = []
    store = prepare_folder(p, out, "sweep", path.read_text())
    assert execute_plan(p, store, workers=1, progress=False, say=said.append) == (8, 0)
    assert said == [
        "resuming: 7 of 8 runs done; redoing 1 damaged (p00001-r0001: runs/p00001-r0001.parquet "
        f"does not match its checksum (damaged or changed)); their files moved to {out}/damaged/"
    ]
    [kept] = (out / "damaged").iterdir()  # kept for inspection, out of the runs/ glob
    assert kept.name.startswith("runs-p00001-r0001-") and kept.stat().st_size == 100
    _, clean, _ = sweep(path, tmp_path / "clean")
    pdt.assert_frame_equal(store.read_runs(), clean.read_runs(), check_exact=True)


def test_resume_says_what_it_redoes(tmp_path):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    p, store, _ = sweep(path, out)
    (out / "runs" / "p00000-r0000.parquet").unlink()
    (out / "runs" / "p00002-r0001.parquet").write_bytes(b"PAR1 not really")
    (out / "status" / "p00003-r0000.json").write_text("{")  # a damaged record
    said = []
    store = prepare_folder(p, out, "sweep", path.read_text())
    assert execute_plan(p, store, workers=1, progress=False, say=said.append) == (8, 0)
    [line] = said
    assert line.startswith("resuming: 5 of 8 runs done; redoing 3 damaged (")
    assert "p00000-r0000: runs/p00000-r0000.parquet is missing" in line
    assert "p00002-r0001: runs/p00002-r0001.parquet does not match its checksum" in line
    assert "p00003-r0000: status record unreadable" in line
    assert len(store.verify(p.table["run_id"]).succeeded) == 8


def test_a_truncated_timeseries_file_is_found(tmp_path, capsys):
    p = compare_plan(scenarios(tmp_path, ("dispersal", "containment")), 2, 3, seed=5)
    out = tmp_path / "out"
    store = prepare_folder(p, out, "compare", None)
    execute_plan(p, store, workers=1, progress=False)
    ts = out / "timeseries" / "p00001-r0000.parquet"
    ts.write_bytes(ts.read_bytes()[: len(ts.read_bytes()) // 2])  # used to pass every command
    v = store.verify(p.table["run_id"])
    assert set(v.damaged) == {"p00001-r0000"} and "timeseries/" in v.damaged["p00001-r0000"]
    assert cli.main(["analyze", str(out)]) == 1
    assert "1 damaged" in capsys.readouterr().out
    store = prepare_folder(p, out, "compare", None)
    assert execute_plan(p, store, workers=1, progress=False, say=lambda m: None) == (4, 0)
    assert store.verify(p.table["run_id"]).complete


# -- the folder lock -------------------------------------------------------------------------
HOLDER = """import fcntl, json, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, json.dumps({"pid": os.getpid(), "command": ["holder"]}).encode())
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding a folder's lock (a few lines of Python, quick to start)."""
    procs = []

    def hold(folder: Path, seconds: float = 60.0) -> subprocess.Popen:
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(folder / ".lock"), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


def test_a_busy_folder_is_refused_naming_the_holder(tmp_path, holder, capsys):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    other = holder(out)
    with pytest.raises(FolderBusy, match=rf"in use by another wingsim process \(pid {other.pid}"):
        sweep(path, out)
    assert cli.main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert f"pid {other.pid}" in err and "--wait" in err and len(err.strip().splitlines()) == 1
    assert not (out / "manifest.json").exists()  # nothing written into the busy folder


def test_wait_waits_for_the_holder(tmp_path, holder):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    holder(out, seconds=1.5)
    waited = []
    start = time.monotonic()
    p, store, (finished, failed) = sweep(path, out, wait=True, on_wait=waited.append)
    assert waited and waited[0]["command"] == ["holder"]
    assert time.monotonic() - start > 0.5 and finished == 8


def test_the_lock_is_reentrant_in_one_process_and_released(tmp_path):
    a = FolderLock(tmp_path).acquire()
    b = FolderLock(tmp_path).acquire()  # same process: a notebook preparing a folder twice
    a.release()
    b.release()
    proc = subprocess.run(
        [sys.executable, "-c", HOLDER, str(tmp_path / ".lock"), "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.stdout.strip() == "locked"  # released: another process can take it


TRY = """import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("busy")
else:
    print("free")
"""


def test_the_folder_is_locked_from_prepare_to_the_end_of_the_runs(tmp_path):
    import gc

    path = experiment(tmp_path)
    out = tmp_path / "out"
    p = plan(load_experiment(path))

    def probe() -> str:
        gc.collect()  # a lock must not depend on an object being alive
        cmd = [sys.executable, "-c", TRY, str(out / ".lock")]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()

    store = prepare_folder(p, out, "sweep", None)
    assert probe() == "busy"
    execute_plan(p, store, workers=1, progress=False)
    assert probe() == "free"


def test_two_concurrent_sweeps_into_one_folder(tmp_path):
    """Both used to do the work, and one's clean-up could delete the other's half-written file."""
    # Long enough runs that the first still holds the folder when the second has started
    # (400 days: the first was done within the second's start-up on a fast machine).
    path = experiment(tmp_path, days=2000)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "wingsim.cli", "sweep", str(path), "--out", str(out)]
    first = subprocess.Popen(
        [*cmd, "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 90
        while not (out / ".lock").exists() or not (out / ".lock").read_text():
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        second = subprocess.run([*cmd, "--workers", "1"], capture_output=True, text=True)
        if first.poll() is None:  # (on a slow machine the first may be done already)
            assert second.returncode == 2, second.stderr
            assert f"pid {first.pid}" in second.stderr and "Traceback" not in second.stderr
        _, err = first.communicate(timeout=180)
        assert first.returncode == 0, err
    finally:
        first.kill()
        first.wait()
    assert statuses(out) == {"succeeded": 8}


# -- provenance ------------------------------------------------------------------------------
def test_a_version_change_on_resume_is_refused_unless_allowed(tmp_path, monkeypatch, capsys):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    p, store, _ = sweep(path, out, faults={"p00002-r0000": "interrupt"})
    created = json.loads((out / "manifest.json").read_text())
    monkeypatch.setattr(wingsim, "__version__", "9.9.9")
    with pytest.raises(VersionChange, match="made by wingsim 0.1.0, this is wingsim 9.9.9"):
        sweep(path, out)
    argv = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    assert cli.main(argv) == 2
    assert "--allow-version-change" in capsys.readouterr().err
    assert cli.main([*argv, "--allow-version-change"]) == 0
    assert "holds runs of wingsim 0.1.0" in capsys.readouterr().err
    versions = {
        json.loads(f.read_text())["wingsim_version"] for f in (out / "status").glob("*.json")
    }
    assert versions == {"0.1.0", "9.9.9"}
    runs = RunStore(out).read_runs()
    assert runs.groupby("wingsim_version").size().to_dict() == {"0.1.0": 4, "9.9.9": 4}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["created"] == created["created"]
    assert manifest["wingsim_version"] == "0.1.0"  # the original is kept ...
    assert [h["event"] for h in manifest["history"]] == ["created", "resumed"]
    assert manifest["history"][-1]["wingsim_version"] == "9.9.9"  # ... and the history grows
    assert manifest["wingsim_versions"] == ["0.1.0", "9.9.9"]
    result = analyze_folder(out)
    assert any("several wingsim versions: 0.1.0 (4), 9.9.9 (4)" in n for n in result.notes)


# -- demo deletes only what it made ----------------------------------------------------------
def test_demo_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    sweep(path, out)
    (out / "notes.txt").write_text("my notes")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    assert cli.main(["demo", "--out", str(out), "--replications", "2", "--days", "2"]) == 2
    err = capsys.readouterr().err
    assert "not a folder made by wingsim demo" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before  # nothing deleted


def test_demo_replaces_only_its_own_folder(tmp_path, capsys):
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--replications", "2", "--days", "2", "--workers", "1"]
    assert cli.main(argv) == 0
    assert json.loads((out / DEMO_MARK).read_text())["made_by"] == "wingsim demo"
    (out / "runs" / "extra.parquet").write_text("stale")  # inside its own folders: replaced
    assert cli.main(argv) == 0
    assert "replacing the previous demo output" in capsys.readouterr().out
    assert not (out / "runs" / "extra.parquet").exists() and (out / "report.html").exists()
    (out / "notes.txt").write_text("mine")  # the user's own file: refused, kept
    assert cli.main(argv) == 2
    assert "holds files wingsim demo did not make (notes.txt)" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine" and (out / "report.html").exists()
    (out / "notes.txt").unlink()
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in out.iterdir():
        if f.is_file():
            (copy / f.name).write_bytes(f.read_bytes())
    assert cli.main([*argv[:2], str(copy), *argv[3:]]) == 2  # the mark names another folder
    assert "no demo mark" in capsys.readouterr().err and (copy / "report.html").exists()


# -- sensitivity designs ---------------------------------------------------------------------
def test_incomplete_sobol_is_refused_unless_partial(tmp_path, capsys):
    path = experiment(tmp_path, design="sobol", samples=4, replications=1, days=2)
    out = tmp_path / "out"
    # Interrupt in the third of four Saltelli blocks (4 points each): two complete blocks.
    p, store, _ = sweep(path, out, faults={"p00009-r0000": "interrupt"})
    with pytest.raises(IncompleteDesign, match="9 of 16 planned runs finished"):
        analyze_folder(out)
    assert cli.main(["analyze", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--partial" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["analyze", str(out), "--partial"]) == 0
    printed = capsys.readouterr().out
    assert "complete Saltelli blocks only: dispersal 8 of 16 points" in printed
    idx = pd.read_csv(out / "sensitivity.csv")
    assert (idx["points_used"] == 8).all() and (idx["runs_finished"] == 9).all()
    # A report without --partial withholds the indices rather than show partial ones as final.
    (out / "analysis.json").unlink()
    assert cli.main(["report", str(out)]) == 1
    html = (out / "report.html").read_text()
    assert "sobol indices withheld" in html and "<h2>Sensitivity</h2>" not in html
    assert cli.main(["report", str(out), "--partial"]) == 0
    assert "<h2>Sensitivity</h2>" in (out / "report.html").read_text()
    capsys.readouterr()


# -- guard rails -----------------------------------------------------------------------------
def test_workers_must_be_positive_and_warn_above_the_cores():
    from wingsim.experiments.engine import BadOption, check_workers
    from wingsim.experiments.runner import default_workers

    with pytest.raises(BadOption, match=r"--workers must be at least 1 \(got 0\)"):
        check_workers(0)  # used to run serially without a word
    assert check_workers(1) is None and check_workers(None) is None
    cores = default_workers()
    assert f"more than the {cores} core(s)" in check_workers(cores + 30)


def test_a_questioned_design_says_how_long_and_runs_with_confirm(tmp_path, capsys):
    path = experiment(tmp_path, design="sobol", samples=6, replications=1, days=2)
    out = tmp_path / "out"
    argv = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    assert cli.main(argv) == 2  # used to run, with only a SALib warning
    err = capsys.readouterr().err
    assert "sobol samples N = 6 is not a power of two" in err and "use 4 or 8" in err
    assert "it would take about" in err and "s per run on 1 worker(s)" in err
    assert "--confirm" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # refused before anything is written
    assert cli.main([*argv, "--confirm"]) == 0
    assert "confirmed" in capsys.readouterr().err
    assert cli.main(["analyze", str(out)]) == 0
    assert "N = 6 is not a power of two" in capsys.readouterr().out  # said with the indices


def test_a_huge_design_is_questioned_before_it_is_sampled(tmp_path, capsys):
    scenarios(tmp_path, ("dispersal",))
    path = tmp_path / "big.toml"
    path.write_text(
        'name = "big"\nscenarios = ["dispersal.toml"]\ndesign = "sobol"\nsamples = 65536\n'
        "replications = 2\ndays = 365\n"
        '[parameters."staff.training"]\nmin = 0.1\nmax = 0.9\n'
        '[parameters."staff.fairness"]\nmin = 0.1\nmax = 0.9\n'
    )
    start = time.monotonic()
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    assert time.monotonic() - start < 30  # it used to take minutes and 1.4 GB to get here
    err = capsys.readouterr().err
    assert "524,288 runs planned (more than 100,000)" in err and "--confirm" in err


def test_a_name_cannot_lead_out_of_runs(tmp_path, monkeypatch):
    from wingsim.experiments.engine import default_folder, safe_name

    assert default_folder("../../../escaped") == Path("runs/escaped")
    assert safe_name("..") == "unnamed" and safe_name("a/b c") == "a_b_c"
    assert default_folder("staffing-training-grid") == Path("runs/staffing-training-grid")


def test_a_pipe_in_a_results_folder_is_never_read(tmp_path, capsys):
    """Reading a named pipe blocks for ever: records and run files must be regular files."""
    import os
    import signal

    path = experiment(tmp_path)
    out = tmp_path / "out"
    p, store, _ = sweep(path, out)
    run = out / "runs" / "p00000-r0000.parquet"
    run.unlink()
    os.mkfifo(run)
    old = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("blocked")))
    signal.alarm(60)
    try:
        assert "p00000-r0000" in store.verify(p.table["run_id"]).damaged
        (out / "manifest.json").unlink()
        os.mkfifo(out / "manifest.json")
        assert cli.main(["analyze", str(out)]) == 2
        assert "manifest.json: damaged or unreadable" in capsys.readouterr().err
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


EXIT_AFTER_RUNS = """
from wingsim.experiments.runner import RunSpec, execute
from wingsim.scenario import default_scenario
scenario = default_scenario("dispersal").model_dump(mode="json")
for i in range(4):
    assert execute(RunSpec(f"r{i}", scenario, i, 60, timeseries=True)).ok
"""


def test_a_process_that_ran_and_encoded_runs_exits_cleanly():
    """A process that ran models and encoded their files used to abort at interpreter exit
    most times ("terminate called without an active exception", SIGABRT) when the check
    that the Parquet bytes read back used Arrow's threads: after a complete sweep, a
    script saw exit code -6. Each of three such processes must exit with 0."""
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", EXIT_AFTER_RUNS], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
