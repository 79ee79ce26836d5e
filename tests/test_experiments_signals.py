"""A sweep killed by any signal leaves no worker behind, and its folder unlocked.

Each SIGKILL or SIGTERM of a sweep's parent process (what ``timeout`` or a batch
scheduler sends) used to leave its pool processes running (about 480 MB each kill). The
workers now watch the sweep process and end when it is gone; SIGTERM also ends the sweep
cleanly (exit 143, "interrupted"). Only the parent is signalled here, never the group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from wingsim.experiments.store import FolderLock

EXPERIMENT = """name = "signals"
scenarios = ["tiny.toml"]
replications = 4
days = 3000
[parameters."staff.training"]
values = [0.2, 0.8]
"""


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_worker_outlives_a_killed_sweep(tmp_path, sig):
    (tmp_path / "tiny.toml").write_text('name = "tiny"\n[establishment]\nwings = 2\n')
    (tmp_path / "exp.toml").write_text(EXPERIMENT)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "wingsim.cli", "sweep", str(tmp_path / "exp.toml")]
    proc = subprocess.Popen(
        [*cmd, "--out", str(out), "--workers", "2"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(proc.pid)
    family: list[psutil.Process] = []
    try:
        # Wait until both workers run (children of the pool's fork server, not of the sweep).
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the pool never started"
            family = parent.children(recursive=True)
            workers = [p for p in family if p.ppid() != proc.pid]
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _alive(family) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _alive(family)
        assert not survivors, [(p.pid, p.cmdline()[-1:]) for p in survivors]
        if sig == signal.SIGTERM:
            assert proc.returncode == 128 + signal.SIGTERM
            assert "interrupted" in proc.stderr.read()
        # The kernel released the lock with the process: the folder can be resumed at once.
        FolderLock(Path(out)).acquire().release()
    finally:
        for p in _alive([parent, *family]):
            p.kill()  # only the processes this test started
        proc.wait()
