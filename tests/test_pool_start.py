"""How a command starts: ``import wingsim`` is light, and a local pool's server is started
first and hands its workers the compiled kernels already loaded."""

from __future__ import annotations

import subprocess
import sys

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
