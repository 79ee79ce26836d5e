"""Every compiled kernel stays inside its arrays over whole runs of each regime.

The kernels run without numba's bounds checks, and the hottest loops read their
indices unsigned (``kernels._u``: no wraparound check for a negative index), which is
safe only where an index is never negative (a slot, a tie row, a counter; a unit of -1
for an empty slot goes through ``max(unit, 0)`` or a lookup table first). A negative
index read unsigned, or any index past an array, would read or write memory silently.
Here a fresh process turns numba's bounds checks on for every kernel
(``NUMBA_BOUNDSCHECK=1``, compiled into a cache of its own) and runs each regime, with
and without the community after release, and at 2,000 places: any access out of bounds
raises ``IndexError`` and fails the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNS = """
import sys
sys.path.insert(0, {benchmarks!r})
from bench_model import scenario_for
from wingsim import WingModel

off = {{f"submodels.{{name}}": False for name in (
    "community_ties", "barriers", "mental_health", "mentoring", "supervision",
    "transition", "reoffending",
)}}
for size, days in (("default", 400), ("2000", 120)):
    for regime in ("dispersal", "containment", "combination"):
        scenario = scenario_for(size).with_overrides({{"regime.type": regime}})
        WingModel(scenario, rng=3).run_for(days)
        if size == "default":
            WingModel(scenario.with_overrides(off), rng=4).run_for(days)
print("in bounds")
"""


def test_no_kernel_reads_or_writes_outside_its_arrays(tmp_path):
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    code = RUNS.format(benchmarks=str(ROOT / "benchmarks"))
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0 and "in bounds" in done.stdout, done.stderr[-3000:]
