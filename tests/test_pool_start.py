"""How a command starts: ``import wingsim`` is light, and a local pool's server is started
first and hands its workers the compiled kernels already loaded."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import wingsim
from wingsim.cli import build_parser, uses_local_pool
from wingsim.experiments.runner import make_pool


def test_import_wingsim_loads_no_model_until_a_name_is_used():
    code = (
        "import sys, wingsim\n"
        "heavy = [m for m in ('mesa', 'numba', 'pandas', 'wingsim.model') if m in sys.modules]\n"
        "print(heavy)\n"
        "print(wingsim.WingModel.__module__, 'wingsim.model' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]", "wingsim.model True"]


def test_the_package_exports_every_public_name_and_no_other():
    assert set(wingsim.__all__) == {*wingsim._EXPORTS, "__version__"}
    assert set(wingsim.__all__) <= set(dir(wingsim))
    for name in wingsim._EXPORTS:
        assert getattr(wingsim, name).__name__ == name
    with pytest.raises(AttributeError, match="no_such_name"):
        wingsim.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("argv", "pooled"),
    [
        (["compare", "a.toml", "--workers", "2"], True),
        (["compare", "a.toml", "--workers", "1"], False),
        (["sweep", "e.toml", "--workers", "2"], True),
        (["sweep", "e.toml", "--workers", "2", "--scheduler", "tcp://h:8786"], False),
        (["demo", "--workers", "3"], True),
        (["calibrate", "t.toml"], False),  # calibration's default is one process
        (["calibrate", "t.toml", "--workers", "2"], True),
        (["discover", "d.toml"], False),
        (["run", "a.toml"], False),
        (["check", "a.toml"], False),
    ],
)
def test_a_command_starts_the_pool_server_only_when_it_will_use_a_local_pool(argv, pooled):
    assert uses_local_pool(build_parser().parse_args(argv)) is pooled


def _kernels_loaded_before_any_run() -> bool:
    """Run in a pool worker: whether a day's kernels are loaded before it ran anything."""
    from wingsim import kernels

    return bool(kernels.tie_add_decay.overloads) and bool(kernels.tie_peer_sum.overloads)


def test_pool_workers_start_with_the_kernels_loaded():
    """The fork server warms up once (``wingsim.experiments.warm``); without that preload
    each worker would load the kernels at its first run."""
    with make_pool(1) as pool:
        assert pool.submit(_kernels_loaded_before_any_run).result(timeout=120)


def _specs(n: int, fault_at: int | None = None) -> list:
    from wingsim import default_scenario
    from wingsim.experiments.runner import RunSpec

    scen = default_scenario().model_copy(update={"name": "start"}).model_dump()
    return [
        RunSpec(f"r{i}", scen, i, 20, fault="raise" if i == fault_at else None) for i in range(n)
    ]


def _run(specs, new_executor) -> dict:
    from wingsim.experiments.runner import run_specs

    results = {}
    run_specs(specs, new_executor, lambda r: results.__setitem__(r.run_id, r), max_in_flight=4)
    return results


def test_while_the_pool_starts_the_sweep_process_runs_runs_and_nothing_changes():
    """The fork server's start (imports, warm-up) leaves the cores idle: the sweep's own
    process runs runs meanwhile, never one with an injected fault; every result is the
    serial one."""
    import os

    from wingsim.experiments.pool import stop_server
    from wingsim.experiments.runner import SerialExecutor

    specs = _specs(30, fault_at=1)
    serial = _run(specs, SerialExecutor)
    stop_server()  # a pool that starts from nothing, as in a fresh process
    pooled = _run(specs, lambda: make_pool(2))
    here = {k for k, r in pooled.items() if r.pid == os.getpid()}
    assert here, "the sweep's process ran nothing while the pool started"
    assert "r1" not in here and not pooled["r1"].ok  # the faulty run went to the pool
    assert {k: r.ok for k, r in pooled.items()} == {k: r.ok for k, r in serial.items()}
    rows = [pd.DataFrame.from_dict({k: r.row for k, r in d.items()}, "index").sort_index()
            for d in (pooled, serial)]  # fmt: skip
    pd.testing.assert_frame_equal(*rows, check_exact=True)  # NaN where NaN, the same bits


def test_a_command_that_started_the_server_early_leaves_the_runs_to_the_pool():
    import os

    from wingsim.experiments.pool import server_started_early, start_early, stop_server

    stop_server()
    start_early()
    try:
        pooled = _run(_specs(6), lambda: make_pool(2))
        assert server_started_early()
        assert all(r.ok and r.pid != os.getpid() for r in pooled.values())
    finally:
        stop_server()
    assert not server_started_early()
