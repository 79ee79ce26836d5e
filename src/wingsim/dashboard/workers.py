"""Sessions' models in worker processes: the server keeps a thin proxy of each run.

The dashboard's server is one Python process serving every page from one event loop.
Stepping 20 sessions' models in its threads starved that loop (the compiled kernels and
numpy hold the GIL in small chunks) and left the freed models' memory in its heap. So the
models live in a few worker processes instead (:class:`Pool`, by default one per core),
each hosting many sessions' :class:`~wingsim.dashboard.session.Run` objects by a run id:

- A playing run is stepped by its worker itself, at the run's speed (the proxy sends play,
  pause and speed); the session's thread in the server only asks for the newest
  :meth:`Run.frame <wingsim.dashboard.session.Run.frame>` (the day's small integer lists,
  pickled) when its page may draw another picture. One round trip per picture, not per day.
- A worker whose last run closes exits, which is how a workshop's memory goes back to the
  system; the next session starts a new one.
- A worker that dies (killed, out of memory) takes only its own runs: their pages show
  :data:`CRASHED` and a new run (Reset) starts on a new worker.

Workers are started from a ``forkserver`` (never by forking the threaded server), which
has imported wingsim and stepped a small model once (:mod:`wingsim.dashboard.warm`), so a
worker starts in tens of milliseconds and shares those pages with its siblings.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import os
import signal
import threading
import time
import traceback

from wingsim.dashboard.frames import series_spec
from wingsim.dashboard.session import Run, Settings

#: Workers at most (default: one per core, at most this many).
MAX_WORKERS = 4
#: Environment variable setting the number of workers (``wingsim dashboard`` reads it).
WORKERS_ENV = "WINGSIM_DASHBOARD_WORKERS"
#: Modules the forkserver imports once, before it forks any worker.
PRELOAD = ["wingsim.dashboard.warm"]
#: A run that fell behind its speed catches up at most this much (s), not in a burst.
MAX_LAG = 0.5
#: How long a closing worker may take to exit before it is killed (s).
EXIT_TIMEOUT = 5.0
#: Shown in the page of a run whose worker died (no traceback: the server log has it).
CRASHED = (
    "The simulation behind this page stopped unexpectedly (its worker process ended). "
    "Press Reset to start a new run; the other participants are not affected."
)


class WorkerGone(RuntimeError):
    """The worker process hosting a run has ended."""


# -- the worker process ---------------------------------------------------------------------
class _Host:
    """A worker's runs, their play state, and the answers to the server's requests."""

    def __init__(self):
        self.runs: dict[int, Run] = {}
        self.playing: dict[int, list] = {}  # run id -> [speed, time of its next day]

    def handle(self, op: str, rid: int, args: tuple):
        if op == "open":
            settings, compare_with, base = args
            run = Run(settings, compare_with, base=base)
            self.runs[rid] = run
            return {"frame": run.frame(), "specs": [run.wing_spec(i) for i in range(run.count)]}
        if op == "pid":
            return os.getpid()
        run = self.runs.get(rid)
        if run is None:
            return None  # closed already
        if op == "close":
            self.runs.pop(rid, None)
            self.playing.pop(rid, None)
            run.close()
            return None
        if op == "play":
            (speed,) = args
            state = self.playing.setdefault(rid, [speed, time.perf_counter()])
            state[0] = max(float(speed), 0.1)
        elif op == "pause":
            self.playing.pop(rid, None)
        elif op == "step":
            run.step()
        elif op == "series_spec":
            return run.series_spec()
        elif op == "released":
            return run.released()
        elif op != "frame":
            raise ValueError(f"unknown request {op!r}")
        return run.frame()

    def due(self) -> float | None:
        """Seconds until the next playing run's next day (None: nothing plays)."""
        if not self.playing:
            return None
        return max(0.0, min(s[1] for s in self.playing.values()) - time.perf_counter())

    def step_one(self) -> None:
        """One day for the playing run furthest behind (fair when the worker is busy)."""
        rid = min(self.playing, key=lambda r: self.playing[r][1])
        speed, when = self.playing[rid]
        now = time.perf_counter()
        if when > now:
            return
        run = self.runs[rid]
        run.step()
        if run.finished:
            del self.playing[rid]
        else:
            self.playing[rid][1] = max(when + 1.0 / speed, now - MAX_LAG)


def serve(conn) -> None:
    """A worker's life: answer requests first, step playing runs in between, and exit when
    the server closes the pipe (after this worker's last run closed, or when it stops)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which ends us
    host = _Host()
    while True:
        try:
            if conn.poll(host.due()):
                op, rid, *args = conn.recv()
                try:
                    reply = ("ok", host.handle(op, rid, tuple(args)))
                except Exception:  # a bug in one run: its page gets an error, others go on
                    reply = ("error", traceback.format_exc(limit=5))
                conn.send(reply)
            elif host.playing:
                host.step_one()
        except (EOFError, OSError):  # the server closed its end
            return


# -- the server's side ----------------------------------------------------------------------
#: Requests that only read for a picture: they wait while any other request (play, pause,
#: step, open, close: what a click sends) is waiting for the same worker.
BACKGROUND = frozenset({"frame", "released"})


class Worker:
    """One worker process and the pipe to it; one request at a time, clicks first.

    Many sessions share a worker, so their requests queue for its pipe. A request that
    answers a click (anything not in :data:`BACKGROUND`) goes before every picture's
    frame fetch waiting at that moment: it waits at most for the one request in flight.
    """

    def __init__(self, ctx):
        here, there = ctx.Pipe()
        proc = ctx.Process(target=serve, args=(there,), name="wingsim-worker", daemon=True)
        proc.start()
        there.close()
        self._attach(here, proc)

    def _attach(self, conn, proc) -> None:
        self.conn = conn
        self.proc = proc
        self.lock = threading.Condition()  # guards busy and urgent
        self.busy = False  # a request is on the pipe
        self.urgent = 0  # click requests waiting for the pipe
        self.runs = 0  # runs hosted (the pool's count, under the pool's lock)
        self.alive = True

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    @contextlib.contextmanager
    def _turn(self, urgent: bool):
        """The pipe to this worker, for one request: urgent ones first."""
        with self.lock:
            self.urgent += urgent
            try:
                while self.busy or (not urgent and self.urgent):
                    self.lock.wait()
            finally:
                self.urgent -= urgent
            self.busy = True
        try:
            yield
        finally:
            with self.lock:
                self.busy = False
                self.lock.notify_all()

    def call(self, op: str, rid: int, *args):
        with self._turn(urgent=op not in BACKGROUND):
            if not self.alive:
                raise WorkerGone(f"worker {self.pid} has ended")
            try:
                self.conn.send((op, rid, *args))
                kind, value = self.conn.recv()
            except (EOFError, OSError) as exc:
                self._ended()
                raise WorkerGone(f"worker {self.pid} has ended") from exc
        if kind == "error":
            raise RuntimeError(f"worker {self.pid}: {op} failed:\n{value}")
        return value

    def _ended(self) -> None:
        self.alive = False
        self.conn.close()
        self.proc.join(timeout=EXIT_TIMEOUT)
        if self.proc.exitcode is None:
            self.proc.kill()
            self.proc.join(timeout=EXIT_TIMEOUT)

    def finish(self) -> None:
        """After its last run's close: close the pipe (the worker exits), and reap it."""
        with self._turn(urgent=True):
            if self.alive:
                self._ended()


def default_workers() -> int:
    text = os.environ.get(WORKERS_ENV, "")
    if text.strip():
        return max(1, int(text))
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


class Pool:
    """The worker processes of this server, started when a run needs one."""

    def __init__(self, workers: int | None = None):
        self.size = workers
        self.lock = threading.Lock()
        self.workers: list[Worker] = []
        self.ids = itertools.count(1)
        self._ctx = None

    def start(self) -> None:
        """Start the forkserver (and its imports) now, so the first session does not wait."""
        with self.lock:
            self._context()
        from multiprocessing import forkserver

        forkserver.ensure_running()

    def _context(self):
        if self._ctx is None:
            self._ctx = multiprocessing.get_context("forkserver")
            self._ctx.set_forkserver_preload(PRELOAD)
        return self._ctx

    def _pick(self) -> Worker:
        """A worker for one more run (under the lock): a new one while there are fewer than
        ``size``, else the one hosting fewest runs."""
        self.workers = [w for w in self.workers if w.alive and w.proc.is_alive()]
        size = self.size or default_workers()
        if len(self.workers) < size:
            worker = Worker(self._context())
            self.workers.append(worker)
        else:
            worker = min(self.workers, key=lambda w: w.runs)
        worker.runs += 1
        return worker

    def open(self, settings: Settings, compare_with: str | None = None, base=None) -> RemoteRun:
        """A new run in a worker; ``base`` is the scenario the settings apply to. A worker
        that dies as the run opens is replaced once."""
        try:
            return self._open(settings, compare_with, base)
        except WorkerGone:
            return self._open(settings, compare_with, base)

    def _open(self, settings, compare_with, base) -> RemoteRun:
        with self.lock:
            worker = self._pick()
        rid = next(self.ids)
        try:
            answer = worker.call("open", rid, settings, compare_with, base)
        except Exception:
            self._forget(worker)
            raise
        return RemoteRun(self, worker, rid, settings, compare_with, answer)

    def _forget(self, worker: Worker) -> None:
        """One run fewer on ``worker``; a worker left with none exits."""
        with self.lock:
            worker.runs -= 1
            last = worker.runs <= 0
            if last and worker in self.workers:
                self.workers.remove(worker)  # no new run goes to a worker about to exit
        if last:
            worker.finish()

    def close(self, run: RemoteRun) -> None:
        with contextlib.suppress(WorkerGone):
            run.worker.call("close", run.rid)
        self._forget(run.worker)

    def pids(self) -> list[int]:
        with self.lock:
            return [w.pid for w in self.workers if w.alive]

    def shutdown(self) -> None:
        with self.lock:
            workers, self.workers = self.workers, []
        for w in workers:
            w.finish()


class RemoteRun:
    """The server's proxy of a :class:`~wingsim.dashboard.session.Run` in a worker.

    Reads (:attr:`day`, :meth:`wing_day`, :meth:`series_tail`, :meth:`outcomes`, and the
    pictures' JSON text :meth:`wing_json`, :meth:`tail_json`) answer from the newest frame
    fetched (by :meth:`refresh`, :meth:`step`, :meth:`set_play`), so
    a page and the trainer's big screen draw the same day without asking the worker again.
    A closed run, or one whose worker died, keeps answering with its last frame;
    :attr:`error` then says why a page shows no run.
    """

    def __init__(self, pool, worker, rid, settings, compare_with, answer):
        self.pool, self.worker, self.rid = pool, worker, rid
        self.settings = settings
        self.regimes = [settings.regime] + ([compare_with] if compare_with else [])
        self.names = [r.capitalize() for r in self.regimes]
        self.specs = answer["specs"]
        self._frame = answer["frame"]
        self.play_state = (False, 0)
        self.closed = False
        self.error = ""
        self._close_lock = threading.Lock()

    def _ask(self, op: str, *args):
        """The worker's answer, or None once the run is closed or its worker has died."""
        if self.closed or self.error:
            return None
        try:
            return self.worker.call(op, self.rid, *args)
        except WorkerGone:
            self.error = CRASHED
            return None

    def _update(self, frame) -> None:
        if frame is not None:
            self._frame = frame

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def live(self) -> bool:
        return not (self.closed or self.error)

    @property
    def day(self) -> int:
        return self._frame["day"]

    @property
    def finished(self) -> bool:
        return self._frame["finished"] or not self.live

    def refresh(self) -> None:
        """Fetch the newest frame (the worker may have stepped since the last one)."""
        self._update(self._ask("frame"))

    def step(self) -> None:
        self._update(self._ask("step"))

    def set_play(self, playing: bool, speed: int) -> bool:
        """Tell the worker to play at ``speed`` days per second, or pause; only changes are
        sent (True when one was)."""
        state = (playing, speed if playing else 0)
        if state == self.play_state or not self.live:
            return False
        self.play_state = state
        self._update(self._ask("play", speed) if playing else self._ask("pause"))
        return True

    def close(self) -> None:
        with self._close_lock:
            if self.closed:
                return
            self.closed = True
        self.pool.close(self)

    def wing_spec(self, i: int) -> dict:
        return self.specs[i]

    def wing_day(self, i: int) -> dict:
        return json.loads(self._frame["wing"][i])

    def wing_json(self, i: int) -> str:
        """Today's wing ``i`` as the page's chart takes it (made in the worker)."""
        return self._frame["wing"][i]

    def series_spec(self) -> dict:
        spec = self._ask("series_spec")
        if spec is None:  # gone: the plots' titles and the newest days
            return {**series_spec(self.names), "history": self.series_tail()["tail"]}
        return spec

    def series_tail(self) -> dict:
        return json.loads(self._frame["tail"])

    def tail_json(self) -> str:
        """The series' newest points as the page's chart takes them."""
        return self._frame["tail"]

    def outcomes(self) -> dict[str, float]:
        return self._frame["outcomes"]

    def frame(self) -> dict:
        return self._frame

    def released(self) -> str:
        return self._ask("released") or ""


#: The server's pool: ``wingsim dashboard`` starts it, the pages open runs in it.
POOL = Pool()
