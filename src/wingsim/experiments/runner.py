"""One run as a pure function, and the executors that run many of them.

Every executor is a :class:`concurrent.futures.Executor` (serial, a local process pool or
Dask's ``Client.get_executor()``), so the sweep loop is written once. Runs return plain
data; nothing about the executor can change a result.
"""

from __future__ import annotations

import concurrent.futures as cf
import concurrent.futures.process  # noqa: F401  (cf.process: a pool's errors, even if never used)
import contextlib
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wingsim.experiments.files import result_files
from wingsim.experiments.pool import default_workers, pool_context, server_started_early
from wingsim.output import pid_alive


@dataclass(frozen=True)
class RunSpec:
    """Everything one run depends on; ``meta`` is carried into the result row untouched."""

    run_id: str
    scenario: dict[str, Any]
    seed: int
    days: int
    outcomes: tuple[str, ...] | None = None
    timeseries: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    #: Test-only fault injection: "raise", "exit" (kill the worker process),
    #: "exit-once:<marker path>" (kill it only on the first attempt) or "interrupt"
    #: (Ctrl-C while this run is in flight, in a serial sweep).
    fault: str | None = None


@dataclass
class RunResult:
    """The summary row (or the failure) of one run, and the files a succeeded run
    writes, already encoded as Parquet where it ran (path in the results folder -> bytes:
    its summary row and, if kept, its daily table; see :func:`execute`)."""

    run_id: str
    ok: bool
    row: dict[str, Any]
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)
    #: The process that ran it (a pool worker, or the sweep's own process).
    pid: int = 0


def _inject_fault(run_id: str, action: str | None) -> None:
    if action == "raise":
        raise RuntimeError(f"injected failure in {run_id}")
    if action == "exit":
        os._exit(13)
    if action == "interrupt":
        raise KeyboardInterrupt(f"interrupted during {run_id}")
    if isinstance(action, str) and action.startswith("exit-once:"):
        marker = action.split(":", 1)[1]
        if not os.path.exists(marker):
            with open(marker, "w") as fh:
                fh.write(run_id)
            os._exit(13)


def simulate(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the model of ``spec`` and return (summary outcomes, daily table).

    The replication itself is :func:`wingsim.output.run_scenario`, as for ``wingsim run``.
    """
    from wingsim.outcomes import summarise
    from wingsim.output import run_scenario
    from wingsim.scenario import validate_scenario

    scenario = validate_scenario(spec.scenario, spec.run_id)
    model = run_scenario(scenario, seed=spec.seed, days=spec.days)
    daily = model.datacollector.get_model_vars_dataframe()
    summary = summarise(daily)
    if spec.outcomes is not None:
        summary = {k: summary[k] for k in spec.outcomes}
    return summary, daily


def _row(spec: RunSpec) -> dict[str, Any]:
    """The identity part of a run's row; ``wingsim_version`` is the version that ran it."""
    from wingsim import __version__

    return {
        "run_id": spec.run_id,
        **spec.meta,
        "seed": spec.seed,
        "days": spec.days,
        "wingsim_version": __version__,
    }


def execute(spec: RunSpec) -> RunResult:
    """Run one spec; an exception becomes a failed result carrying its traceback."""
    start = time.perf_counter()
    row = _row(spec)
    try:
        _inject_fault(spec.run_id, spec.fault)
        summary, daily = simulate(spec)
    except Exception as exc:  # a failing run must not stop the sweep
        return _failed(spec.run_id, row, exc, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    ts = None
    if spec.timeseries:
        ts = daily.reset_index(drop=True)
        ts.insert(0, "run_id", spec.run_id)
    row.update(summary)
    # The run's files are encoded here, in the worker: the sweep's process then only writes
    # bytes, instead of encoding every worker's results on the cores the workers need.
    try:
        files = result_files(spec.run_id, row, ts)
    except Exception as exc:  # an unreadable encoding fails this run, not the sweep
        return _failed(spec.run_id, row, exc, seconds)
    return RunResult(spec.run_id, True, row, seconds=seconds, files=files, pid=os.getpid())


def _failed(run_id: str, row: dict[str, Any], exc: Exception, seconds: float) -> RunResult:
    """A failed run's result: the error and the traceback being handled."""
    return RunResult(
        run_id,
        False,
        row,
        error=f"{type(exc).__name__}: {exc}",
        traceback=traceback.format_exc(),
        seconds=seconds,
        pid=os.getpid(),
    )


class SerialExecutor(cf.Executor):
    """Runs each submitted call at once in this process (the reference executor).

    An exception is kept in the future, as a pool would; Ctrl-C or SIGTERM
    (``KeyboardInterrupt``) propagates at once, so an interrupted sweep starts no more runs.
    """

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # mirror a pool's behaviour
            fut.set_exception(exc)
        return fut


#: Exit status of a worker that found its sweep process gone.
ORPHANED = 75
#: How often a worker checks that its sweep process is alive (seconds).
WATCH_INTERVAL = 0.5


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (to tell it from a later process with its id)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == b"Z" else fields[19].decode()  # a zombie is gone


def _alive(pid: int, started: str | None) -> bool:
    if started is not None:  # Linux: same id and same start time (not a zombie)
        return _start_time(pid) == started
    return pid_alive(pid)  # elsewhere: whether the process exists


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the pool's fork server) exits."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def watch_parent(pid: int, started: str | None, interval: float = WATCH_INTERVAL) -> None:
    """Pool-worker initializer: end this worker when the sweep process ``pid`` is gone.

    However the sweep ends (SIGKILL from a scheduler, ``timeout``, an out-of-memory
    kill), its workers follow within ``interval`` seconds instead of running on as
    orphans. Two mechanisms: the kernel's parent-death signal (the fork server exits when
    the sweep does) and a thread that checks the sweep's process id and start time.
    """
    import threading

    _die_with_parent()

    def watch() -> None:
        while True:
            if not _alive(pid, started):
                os._exit(ORPHANED)
            time.sleep(interval)

    threading.Thread(target=watch, name="wingsim-watch-parent", daemon=True).start()


def make_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool that starts workers cheaply and safely, and never outlives this process.

    Workers are forked from a server with the model loaded
    (:func:`wingsim.experiments.pool.pool_context`), never from this process, which has
    threads (pyarrow, tqdm, Dask). Each worker watches this process (:func:`watch_parent`)
    and ends when it is gone.
    """
    me = os.getpid()
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=pool_context(),
        initializer=watch_parent,
        initargs=(me, _start_time(me)),
    )


class SchedulerError(OSError):
    """The Dask scheduler address is malformed or cannot be reached (one-line message)."""


class SchedulerAddressError(ValueError):
    """``--scheduler`` is not an address (one-line message)."""


def check_scheduler_address(address: str) -> str:
    """``tcp://HOST:PORT`` (or tls://, ucx://, ws://, wss://), or :class:`SchedulerAddressError`."""
    import re

    if not re.fullmatch(r"(tcp|tls|ucx|ws|wss)://[^\s/:]+(:\d{1,5})?/?", address or ""):
        raise SchedulerAddressError(
            f"--scheduler {address!r}: not a Dask scheduler address; expected tcp://HOST:PORT"
        )
    port = address.rstrip("/").rpartition(":")[2]
    if port.isdigit() and not 0 < int(port) < 65536:
        raise SchedulerAddressError(f"--scheduler {address!r}: port must be 1-65535")
    return address


@contextlib.contextmanager
def executor_factory(
    workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0
):
    """Yield a zero-argument callable returning a fresh executor (pools get recreated).

    ``scheduler`` (``tcp://HOST:PORT``) sends runs to an existing Dask cluster, giving up
    after ``timeout`` seconds if it cannot be reached (:class:`SchedulerError`);
    otherwise ``workers`` processes run locally (1 = serially, in this process).
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise SystemExit("--scheduler needs Dask: pip install 'wingsim[dask]'") from exc
        check_scheduler_address(scheduler)
        try:
            client = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''})"
            ) from None
        try:
            yield client.get_executor
        finally:
            client.close()
        return
    n = default_workers() if workers is None else workers
    if n <= 1:
        yield SerialExecutor
    else:
        yield lambda: make_pool(n)


def _is_pool_breakage(exc: BaseException) -> bool:
    return isinstance(exc, cf.process.BrokenProcessPool)


def run_specs(
    specs: Iterable[RunSpec],
    new_executor: Callable[[], cf.Executor],
    on_result: Callable[[RunResult], None],
    *,
    max_in_flight: int = 8,
    on_event: Callable[[str, RunSpec], None] | None = None,
) -> None:
    """Run ``specs`` through executors made by ``new_executor``; hand each result over.

    At most ``max_in_flight`` runs are submitted at a time, so memory stays flat however
    many runs a sweep has. If a worker process dies (``BrokenProcessPool``), the pool is
    recreated and the runs that were in flight are retried one at a time: an innocent run
    then succeeds, and a run that kills its worker twice is reported as failed.
    Executor-level errors (e.g. Dask's ``KilledWorker``) are reported as failures too.

    While a local pool's workers start (its fork server imports the model first: 1.3-1.5
    s), this process runs the next runs itself, one at a time: the cores are otherwise
    idle then. Runs are pure functions of their spec, so where a run ran changes no
    result. (A run with an injected fault always goes to the pool. A command that started
    the server first thing, :func:`wingsim.experiments.pool.start_early`, does not: its
    own imports overlapped the start, and a run here would compete with the workers.)
    """
    pending: Iterator[RunSpec] = iter(specs)
    requeued: list[RunSpec] = []  # never started: not suspected of anything
    suspects: list[RunSpec] = []  # in flight when a worker died: retried alone
    attempts: dict[str, int] = {}
    executor = new_executor()
    in_flight: dict[cf.Future, RunSpec] = {}
    # Alive while a local pool's workers start (unless the command's own imports already
    # overlapped the start).
    starting = None if server_started_early() else _start_workers(executor)

    def fail(spec: RunSpec, message: str, tb: str | None = None) -> None:
        row = _row(spec)
        on_result(RunResult(spec.run_id, False, row, error=message, traceback=tb))

    def run_here() -> bool:
        """While the pool starts, run the next spec in this process; whether one ran."""
        spec = requeued.pop(0) if requeued else next(pending, None)
        if spec is None:
            return False
        if spec.fault is not None:  # an injected crash must not end the sweep's process
            requeued.insert(0, spec)
            return False
        on_result(execute(spec))
        return True

    def next_spec() -> RunSpec | None:
        if any(attempts.get(s.run_id) for s in in_flight.values()):
            return None  # a suspect is running alone
        if suspects:
            return suspects.pop(0) if not in_flight else None
        if requeued:
            return requeued.pop(0)
        if len(in_flight) >= max_in_flight:
            return None
        return next(pending, None)

    try:
        while True:
            pool_broke = False
            if starting is not None and starting.is_alive() and run_here():
                continue  # the pool's workers are not there yet: run here meanwhile
            while (spec := next_spec()) is not None:
                try:
                    in_flight[executor.submit(execute, spec)] = spec
                except cf.process.BrokenProcessPool:
                    requeued.insert(0, spec)
                    pool_broke = True
                    break
                if suspects or attempts.get(spec.run_id):
                    break  # a suspect runs alone
            if not in_flight and not pool_broke:
                break
            broken: list[RunSpec] = []
            if in_flight:
                done, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    spec = in_flight.pop(fut)
                    try:
                        result = fut.result()
                    except cf.process.BrokenProcessPool:
                        broken.append(spec)
                        continue
                    except Exception as exc:
                        fail(spec, f"{type(exc).__name__}: {exc}", traceback.format_exc())
                        continue
                    on_result(result)
            if not (broken or pool_broke):
                continue
            # Every other in-flight future is doomed or done: collect them all.
            for fut, spec in list(in_flight.items()):
                del in_flight[fut]
                try:
                    result = fut.result()
                except Exception:
                    broken.append(spec)
                else:
                    on_result(result)
            alone = len(broken) == 1
            for spec in broken:
                attempts[spec.run_id] = attempts.get(spec.run_id, 0) + 1
                if on_event:
                    on_event("worker died", spec)
                # Retried alone once; a second death while alone means this run did it.
                if attempts[spec.run_id] >= 2 and alone:
                    fail(spec, "worker process died while running this run (retried once)")
                else:
                    suspects.append(spec)
            _shutdown(executor, wait=False)
            executor = new_executor()
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): keep what finished, stop the rest
        for fut in list(in_flight):
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                with contextlib.suppress(Exception):
                    on_result(fut.result())
        terminate_workers(executor)
        raise
    finally:
        _shutdown(executor, wait=True)


def _start_workers(executor: cf.Executor):
    """A local pool's workers, started from a thread (each start waits for the fork
    server's imports, 1.3-1.5 s the first time); the thread, or None for other executors."""
    if not isinstance(executor, cf.ProcessPoolExecutor):
        return None
    import threading

    def start() -> None:
        with contextlib.suppress(Exception):  # a broken pool shows at the next submit
            for _ in range(executor._max_workers):
                executor.submit(int)  # a no-op: the pool starts one worker per call

    thread = threading.Thread(target=start, name="wingsim-pool-start", daemon=True)
    thread.start()
    return thread


def terminate_workers(executor: cf.Executor) -> None:
    """End a process pool's workers now (runs in flight are lost, and redone on resume)."""
    stop = getattr(executor, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        with contextlib.suppress(Exception):
            stop()
        return
    for proc in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.join(5)


def _shutdown(executor: cf.Executor, wait: bool) -> None:
    """Shut down any executor; Dask's ``ClientExecutor`` has no ``cancel_futures``."""
    try:
        executor.shutdown(wait=wait, cancel_futures=True)
    except TypeError:
        executor.shutdown(wait=wait)
