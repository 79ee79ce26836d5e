"""One run as a pure function, and the executors that run many of them.

Every executor is a :class:`concurrent.futures.Executor` (serial, a local process pool or
Dask's ``Client.get_executor()``), so the sweep loop is written once. Runs return plain
data; nothing about the executor can change a result.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


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
    #: Test-only fault injection: "raise", "exit" (kill the worker process) or
    #: "exit-once:<marker path>" (kill it only on the first attempt).
    fault: str | None = None


@dataclass
class RunResult:
    """The summary row (or the failure) of one run, plus its daily table if kept."""

    run_id: str
    ok: bool
    row: dict[str, Any]
    timeseries: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0


def _inject_fault(run_id: str, action: str | None) -> None:
    if action == "raise":
        raise RuntimeError(f"injected failure in {run_id}")
    if action == "exit":
        os._exit(13)
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


def execute(spec: RunSpec) -> RunResult:
    """Run one spec; an exception becomes a failed result carrying its traceback."""
    start = time.perf_counter()
    row = {"run_id": spec.run_id, **spec.meta, "seed": spec.seed, "days": spec.days}
    try:
        _inject_fault(spec.run_id, spec.fault)
        summary, daily = simulate(spec)
    except Exception as exc:  # a failing run must not stop the sweep
        return RunResult(
            spec.run_id,
            False,
            row,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
            seconds=time.perf_counter() - start,
        )
    ts = None
    if spec.timeseries:
        ts = daily.reset_index(drop=True)
        ts.insert(0, "run_id", spec.run_id)
    row.update(summary)
    return RunResult(spec.run_id, True, row, ts, seconds=time.perf_counter() - start)


class SerialExecutor(cf.Executor):
    """Runs each submitted call at once in this process (the reference executor)."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - mirror a pool's behaviour
            fut.set_exception(exc)
        return fut


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def make_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool that starts workers cheaply and safely.

    ``forkserver`` avoids forking a parent that has threads (tqdm, Dask), and preloading
    the runner means each worker imports the model once, not per run.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["wingsim.experiments.runner", "wingsim.output"])
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@contextlib.contextmanager
def executor_factory(workers: int | None = None, scheduler: str | None = None):
    """Yield a zero-argument callable returning a fresh executor (pools get recreated).

    ``scheduler`` (``tcp://HOST:PORT``) sends runs to an existing Dask cluster;
    otherwise ``workers`` processes run locally (1 = serially, in this process).
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise SystemExit("--scheduler needs Dask: pip install 'wingsim[dask]'") from exc
        client = Client(scheduler, timeout="30s")
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
    """
    pending: Iterator[RunSpec] = iter(specs)
    requeued: list[RunSpec] = []  # never started: not suspected of anything
    suspects: list[RunSpec] = []  # in flight when a worker died: retried alone
    attempts: dict[str, int] = {}
    executor = new_executor()
    in_flight: dict[cf.Future, RunSpec] = {}

    def fail(spec: RunSpec, message: str, tb: str | None = None) -> None:
        row = {"run_id": spec.run_id, **spec.meta, "seed": spec.seed, "days": spec.days}
        on_result(RunResult(spec.run_id, False, row, error=message, traceback=tb))

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
    finally:
        _shutdown(executor, wait=True)


def _shutdown(executor: cf.Executor, wait: bool) -> None:
    """Shut down any executor; Dask's ``ClientExecutor`` has no ``cancel_futures``."""
    try:
        executor.shutdown(wait=wait, cancel_futures=True)
    except TypeError:
        executor.shutdown(wait=wait)
