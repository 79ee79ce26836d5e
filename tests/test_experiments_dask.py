"""Serial, process pool and a real Dask cluster give bit-identical results."""

import socket
import subprocess
import sys
from pathlib import Path

import pandas.testing as pdt
import pytest

from wingsim.experiments.designs import plan
from wingsim.experiments.engine import execute_plan, prepare_folder
from wingsim.experiments.experiment_file import load_experiment

distributed = pytest.importorskip("distributed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two single-threaded workers, as separate processes on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
                "--no-show",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--dashboard-address",
                        ":0",
                        "--no-nanny",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        client = distributed.Client(address, timeout="30s")
        try:
            client.wait_for_workers(2, timeout=60)
        finally:
            client.close()
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_serial_pool_and_dask_are_bit_identical(tmp_path, cluster):
    (tmp_path / "tiny.toml").write_text(
        'name = "tiny"\n[establishment]\nwings = 2\nwing_capacity = 30\n'
    )
    path = tmp_path / "exp.toml"
    path.write_text("""name = "dask"
scenarios = ["tiny.toml"]
design = "grid"
replications = 3
days = 8
[parameters."staff.training"]
values = [0.1, 0.9]
""")
    results = {}
    for label, kw in {
        "serial": {"workers": 1},
        "pool": {"workers": 2},
        "dask": {"scheduler": cluster},
    }.items():
        p = plan(load_experiment(path))
        store = prepare_folder(p, tmp_path / label, "sweep", None)
        finished, failed = execute_plan(p, store, progress=False, **kw)
        assert failed == 0
        results[label] = store.read_runs()
    assert len(results["serial"]) == 6
    pdt.assert_frame_equal(results["serial"], results["pool"], check_exact=True)
    pdt.assert_frame_equal(results["serial"], results["dask"], check_exact=True)
    assert Path(tmp_path / "dask" / "manifest.json").exists()
