"""Compiled kernels are cached on disk, also from an install where the package's own
directory cannot be written (issue 11: "the cache must work from a fresh clone and
from a read-only install").

numba caches beside the source, in ``__pycache__``; where it cannot create or write
there, it falls back to the user's cache directory (``$XDG_CACHE_HOME/numba``). The
test copies the package and puts a plain *file* named ``__pycache__`` in each of its
directories: numba's check (make the directory, write a temporary file in it) then
fails exactly as it does on a read-only directory, without needing a read-only mount
or another user (the suite runs as root, who can write anywhere). Two fresh processes
call two kernels: the first compiles and writes to the user cache, the second loads
from it and compiles nothing; nothing is written beside the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import wingsim

PROBE = """
import json, numpy as np
import wingsim
from wingsim import kernels
n = 50
lo = np.arange(0, 40, dtype=np.int32); hi = lo + 5
kernels.tie_node_sum(lo, hi, np.ones(40), n)
kernels.stable_key_order(np.arange(30, 0, -1, dtype=np.int64), n)
# A kernel calling another module's kernel (outcomes -> pairwise) links from the cache.
from wingsim import outcomes
gini = outcomes.gini(np.linspace(0.0, 1.0, 300))
used = (kernels.tie_node_sum, kernels.stable_key_order, outcomes._gini_of_sorted)
print(json.dumps({
    "package": wingsim.__file__,
    "gini": gini,
    "hits": sum(sum(f.stats.cache_hits.values()) for f in used),
    "misses": sum(sum(f.stats.cache_misses.values()) for f in used),
}))
"""


def _read_only_copy(root: Path) -> Path:
    """The package copied under ``root/site`` with no usable ``__pycache__`` anywhere."""
    site = root / "site"
    package = Path(wingsim.__file__).parent
    shutil.copytree(package, site / "wingsim", ignore=shutil.ignore_patterns("__pycache__"))
    for directory in [site / "wingsim", *(p for p in (site / "wingsim").rglob("*") if p.is_dir())]:
        (directory / "__pycache__").write_text("not a directory: stands for a read-only install\n")
    return site


def _probe(site: Path, cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(cache), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_kernels_cache_in_the_user_cache_when_the_package_is_read_only(tmp_path):
    site = _read_only_copy(tmp_path)
    cache = tmp_path / "cache"
    first = _probe(site, cache)
    assert first["package"].startswith(str(site))  # the copy, not the development tree
    assert first["misses"] > 0 and first["hits"] == 0  # compiled...
    written = list((cache / "numba").rglob("*.nbi"))
    assert written, "nothing written to the user cache"  # ...into the user cache
    second = _probe(site, cache)
    assert second["hits"] > 0 and second["misses"] == 0  # loaded, not compiled again
    assert second["gini"] == first["gini"]
    beside = [p for p in site.rglob("*") if p.suffix in {".nbi", ".nbc"}]
    assert beside == []
