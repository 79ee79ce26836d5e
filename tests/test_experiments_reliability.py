"""Resume after SIGKILL, failing runs, and worker processes that die mid-run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pandas.testing as pdt

from wingsim.experiments.designs import plan
from wingsim.experiments.engine import execute_plan, prepare_folder
from wingsim.experiments.experiment_file import load_experiment
from wingsim.experiments.store import RunStore

SCENARIO = """name = "tiny"
[establishment]
wings = 2
wing_capacity = 30
"""

EXPERIMENT = """name = "resume"
scenarios = ["tiny.toml"]
design = "lhs"
samples = {samples}
replications = 2
days = {days}
seed = 3
[parameters."staff.training"]
min = 0.0
max = 1.0
"""


def make(tmp: Path, samples=4, days=5) -> Path:
    (tmp / "tiny.toml").write_text(SCENARIO)
    path = tmp / "exp.toml"
    path.write_text(EXPERIMENT.format(samples=samples, days=days))
    return path


def sweep(path: Path, out: Path, workers=1, faults=None):
    p = plan(load_experiment(path))
    store = prepare_folder(p, out, "sweep", path.read_text())
    finished, failed = execute_plan(p, store, workers=workers, progress=False, faults=faults)
    return p, store, failed


def test_resume_after_sigkill_equals_uninterrupted_sweep(tmp_path):
    path = make(tmp_path, samples=40, days=12)
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "wingsim.cli",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "runs").glob("*.parquet"))) < 10:
            assert proc.poll() is None, "sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its pool workers
        proc.wait()
    landed = len(list((out / "runs").glob("*.parquet")))
    assert 10 <= landed < 80, "the kill must land midway"
    # A half-written file from the killed process must be ignored and cleaned up.
    (out / "runs" / ".p00003-r0001.parquet.tmp-99999").write_bytes(b"PAR1 half")
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert not list((out / "runs").glob(".*"))

    _, clean_store, failed = sweep(path, tmp_path / "clean", workers=1)
    assert failed == 0
    resumed = RunStore(out).read_runs()
    clean = clean_store.read_runs()
    assert resumed["run_id"].is_unique and len(resumed) == 80
    pdt.assert_frame_equal(resumed, clean, check_exact=True)


def test_failing_run_is_logged_and_sweep_goes_on(tmp_path):
    path = make(tmp_path)
    p, store, failed = sweep(path, tmp_path / "out", faults={"p00001-r0001": "raise"})
    assert failed == 1
    runs = store.read_runs()
    assert len(runs) == len(p.table) - 1 and "p00001-r0001" not in set(runs["run_id"])
    [record] = store.failed()
    assert record["run_id"] == "p00001-r0001"
    assert "injected failure" in record["error"] and "Traceback" in record["traceback"]
    assert (
        record["run"]["staff.training"]
        == p.design_table().set_index("run_id").loc["p00001-r0001", "staff.training"]
    )
    assert record["run"]["seed"] > 0
    # Rerunning retries the failed run only, and clears its failure record.
    _, store, failed = sweep(path, tmp_path / "out")
    assert failed == 0 and store.failed() == [] and len(store.read_runs()) == len(p.table)


def test_worker_death_is_retried_or_reported(tmp_path):
    path = make(tmp_path)
    marker = tmp_path / "died-once"
    faults = {"p00002-r0000": "exit", "p00000-r0001": f"exit-once:{marker}"}
    p, store, failed = sweep(path, tmp_path / "out", workers=2, faults=faults)
    assert marker.exists()  # the flaky run did kill its worker once
    assert failed == 1
    [record] = store.failed()
    assert record["run_id"] == "p00002-r0000" and "worker process died" in record["error"]
    runs = store.read_runs()
    assert set(runs["run_id"]) == set(p.table["run_id"]) - {"p00002-r0000"}
    # The retried runs are bit-identical to a serial sweep without faults.
    _, serial, _ = sweep(path, tmp_path / "serial", workers=1)
    expected = serial.read_runs()
    expected = expected[expected["run_id"] != "p00002-r0000"].reset_index(drop=True)
    pdt.assert_frame_equal(runs, expected, check_exact=True)


def test_rerun_refuses_a_folder_of_another_experiment(tmp_path):
    path = make(tmp_path)
    sweep(path, tmp_path / "out")
    path.write_text(EXPERIMENT.format(samples=5, days=5))
    proc = subprocess.run(
        [sys.executable, "-m", "wingsim.cli", "sweep", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "different experiment" in proc.stderr
    assert len(pd.read_parquet(tmp_path / "out" / "design.parquet")) == 8
