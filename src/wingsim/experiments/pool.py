"""How the local process pool's workers start: forked from a server that has the model loaded.

Workers are forked from a ``forkserver`` (never from the sweep's process, which always
has threads: pyarrow starts its own on import). The server imports the runner and runs a
short model (:mod:`wingsim.experiments.warm`) once, so every worker starts with the
modules and the compiled kernels loaded and shares their pages with its siblings.

The server takes about a second to be ready. A command that will use a pool starts it
first thing (:func:`start_early`), so it gets ready while the command's own process
imports the model and prepares its folder, instead of after.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from multiprocessing.context import ForkServerContext

#: What the fork server imports before it forks any worker.
PRELOAD = ["wingsim.experiments.runner", "wingsim.output", "wingsim.experiments.warm"]


def default_workers() -> int:
    """All the cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def pool_context() -> ForkServerContext:
    """The ``forkserver`` start context, with :data:`PRELOAD` set."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


#: Whether this process started its fork server ahead of its first pool (start_early).
_EARLY: list[bool] = [False]


def start_early() -> None:
    """Start the fork server now (it imports and warms up in its own process)."""
    from multiprocessing import forkserver

    pool_context()
    forkserver.ensure_running()
    _EARLY[0] = True


def server_started_early() -> bool:
    return _EARLY[0]


def stop_server() -> None:
    """End this process's fork server now (it ends anyway when this process exits)."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:  # a private method of CPython's forkserver (3.8-3.13)
        with contextlib.suppress(Exception):
            stop()
    _EARLY[0] = False
