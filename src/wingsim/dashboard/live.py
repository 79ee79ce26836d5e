"""A page's pictures while its run plays: when one is due, and putting it in the page.

A picture is the run's newest frame (fetched from its worker) put into the page's widgets:
the day counter, the wing chart(s), the outcome plots and, once a week, the released
table. The session's thread sets those widgets' values directly (:class:`Live`), so no
Solara component re-renders for a picture: a re-render of the page's stage cost the server
20-35 ms a picture, and 20 sessions' pictures took more than its two cores. Components
re-render only for what a person does (a click, a lever) and for a run's end or crash.

:class:`Driver` decides when (nothing here imports Solara, so it is unit-tested):

- the worker steps the run at its speed whatever the pictures do; a picture always shows
  the newest day, so the day counter moves at the days simulated;
- a page gets its next picture only when its browser has drawn the last one (the wing
  chart reports each day it draws), or after :data:`ACK_TIMEOUT` without word from it,
  and at most :func:`frames_per_second` a second: 10, less when the room is full, and
  less again while the machine's CPU is saturated (:class:`LoadGauge`: on one laptop the
  participants' browsers, if they run there too, and the workers share the cores);
- a frame whose day the page shows already is not sent again;
- a click's message to the worker (play, pause, speed) goes before the picture in the same
  look, and before other sessions' frame fetches waiting for the same worker
  (:class:`~wingsim.dashboard.workers.Worker`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from wingsim.dashboard.room import POLL_SECONDS, ROOM

#: Pictures sent per second to one page at most while playing: faster speeds step several
#: days per picture, so a page is never sent more than a browser draws (the step rate is
#: unchanged) ...
MAX_FRAMES_PER_SECOND = 10
#: ... and to all pages together: each page gets a share (at least MIN_FRAMES_PER_SECOND)
#: of the room's rate, which is ROOM_FRAMES_PER_SECOND on a machine with CPU to spare and
#: falls to FLOOR_FRAMES_PER_SECOND while its CPU is saturated (:class:`LoadGauge`): the
#: browsers' drawing then leaves the workers time to step the days.
ROOM_FRAMES_PER_SECOND = 50.0
FLOOR_FRAMES_PER_SECOND = 10.0
MIN_FRAMES_PER_SECOND = 0.5
#: A page is sent its next picture when it has drawn the last one (so pictures never queue
#: up in a busy browser), or after this long without word from it (s): a hidden tab draws
#: nothing.
ACK_TIMEOUT = 2.0
#: Shortest pause of a session's thread between two looks at its run (s).
MIN_PAUSE = 0.005
#: The released cohort's table is re-sent when the week changes (the community steps weekly).
DAYS_PER_TABLE = 7


class LoadGauge:
    """The room's picture rate, falling while the machine's CPU is saturated.

    Every ``period`` s it reads the share of CPU time the whole machine spent busy
    (``/proc/stat``): above ``high`` the rate is multiplied by ``down``, below ``low`` by
    ``up``, between ``floor`` and ``ceiling`` (additive increase would be slow at 50).
    Where ``/proc/stat`` cannot be read the rate stays at the ceiling.
    """

    def __init__(
        self,
        ceiling: float = ROOM_FRAMES_PER_SECOND,
        floor: float = FLOOR_FRAMES_PER_SECOND,
        period: float = 2.0,
        high: float = 0.9,
        low: float = 0.7,
        down: float = 0.7,
        up: float = 1.25,
        read: Callable[[], tuple[float, float] | None] | None = None,
    ):
        self.ceiling, self.floor, self.period = ceiling, floor, period
        self.high, self.low, self.down, self.up = high, low, down, up
        self.read = read or _cpu_times
        self.rate = ceiling
        self.lock = threading.Lock()
        self.last = self.read()
        self.at = time.monotonic()

    def busy(self, before, after) -> float | None:
        if before is None or after is None:
            return None
        total = after[0] - before[0]
        return (after[1] - before[1]) / total if total > 0 else None

    def room_rate(self, now: float | None = None) -> float:
        """Pictures per second for all pages together."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if now - self.at >= self.period:
                sample = self.read()
                busy = self.busy(self.last, sample)
                self.last, self.at = sample, now
                if busy is not None and busy > self.high:
                    self.rate = max(self.floor, self.rate * self.down)
                elif busy is not None and busy < self.low:
                    self.rate = min(self.ceiling, self.rate * self.up)
            return self.rate


def _cpu_times() -> tuple[float, float] | None:
    """The machine's CPU time so far: (total, busy) in clock ticks, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [float(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0.0)  # idle + iowait
    total = sum(ticks[:8])  # guest time is already counted in user
    return total, total - idle


#: The server's gauge, shared by every session's thread.
GAUGE = LoadGauge()


def frames_per_second() -> float:
    """This session's share of the pictures the server sends each second."""
    share = GAUGE.room_rate() / max(ROOM.count(), 1)
    return min(MAX_FRAMES_PER_SECOND, max(MIN_FRAMES_PER_SECOND, share))


class Live:
    """The widgets of one page that change with each picture, set without a re-render.

    The stage's effect hands it the widgets of the run it shows (:meth:`attach`);
    :meth:`push` puts a run's newest frame into them (nothing if the page shows another run).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.rid: int | None = None
        self.counter = None  # DayCounter
        self.wings: list = []  # EchartsData, one per model
        self.series = None  # EchartsData
        self.released = None  # HtmlBox
        self.week = -1
        self.pushed = 0  # pictures put in the page (for tests and the debug log)

    def attach(self, rid: int, counter, wings, series, released) -> None:
        """The widgets showing run ``rid`` (its released table is sent at the next push)."""
        with self.lock:
            self.rid, self.counter, self.wings = rid, counter, list(wings)
            self.series, self.released, self.week = series, released, -1

    def detach(self, rid: int) -> None:
        with self.lock:
            if self.rid == rid:
                self.rid, self.counter, self.wings = None, None, []
                self.series = self.released = None

    def push(self, run) -> bool:
        """Put ``run``'s newest frame into the page; False if the page shows another run."""
        with self.lock:
            if self.rid != run.rid or self.counter is None:
                return False
            day = run.day
            self.counter.day = day
            for i, widget in enumerate(self.wings):
                widget.today_json = run.wing_json(i)
            if self.series is not None:
                self.series.today_json = run.tail_json()
            week = day // DAYS_PER_TABLE
            if self.released is not None and week != self.week:
                self.week = week
                self.released.html = run.released()
            self.pushed += 1
            return True


def use_session_thread(target: Callable[[threading.Event], None], name: str) -> None:
    """Run ``target(stop)`` in a thread of this session, started when the component mounts;
    ``stop`` is set when it unmounts (a Solara hook: call it in a component).

    Not ``solara.lab.use_task``: Solara 1.58 keeps every task it makes in a module-level
    list of kernel-start callbacks (the task's ``Singleton`` registers one), and the task
    holds the function it runs, so each closed session's thread function, and through its
    closure the session's driver, participant and reactive values, stayed in the server
    for good (a tracemalloc probe: +20 participants and +20 callbacks per 20 sessions, never
    freed). A plain thread started by an effect is gone when it returns. Solara binds a
    thread started in a session to that session's context, which the target needs.
    """
    import solara

    def start():
        stop = threading.Event()
        threading.Thread(target=target, args=(stop,), name=name, daemon=True).start()
        return stop.set

    solara.use_effect(start, [])


class Driver:
    """A session's pictures: what its thread reads (the current run, play state, speed),
    when the page may have another picture, and the look that sends it (:meth:`tick`).

    ``show(run, now)`` is called with a run whose newest frame is fetched: it puts it in
    the page. ``on_finished()`` is called when a playing run reaches its horizon.
    """

    def __init__(
        self,
        show: Callable | None = None,
        on_finished: Callable | None = None,
        fps: Callable[[], float] = frames_per_second,
    ):
        self.run = None
        self.playing = False
        #: No page of the session is connected (its tab closed, or its connection dropped):
        #: the run pauses until a page is back, or until Solara frees the session.
        self.away = False
        self.speed = 10
        self.wake = threading.Event()
        self.mounted = True
        self.sent = (0, -1, 0.0)  # (run id, day, time) of the last picture sent
        self.drawn = -1  # the last day the browser reported drawn
        self.show = show
        self.on_finished = on_finished
        self.fps = fps
        self.state = None  # what the page last showed of the run: (run id, error, finished)
        self.cost_at = 0.0  # when the page's cost line was last updated

    def may_send(self, now: float, fps: float) -> bool:
        """Whether a new picture may go: the page drew the last one, and not too soon."""
        run_id, day, when = self.sent
        if run_id != id(self.run):
            return True
        if now - when < 1.0 / fps:
            return False
        return self.drawn == day or now - when > ACK_TIMEOUT

    def pause_for(self, now: float, fps: float) -> float:
        """How long the session's thread may sleep before it looks again (s): until the
        next picture may go, then every 1/fps until the page has drawn the last one."""
        run_id, _day, when = self.sent
        if run_id != id(self.run):
            return 0.0
        due = when + 1.0 / fps
        if now >= due:
            due = now + 1.0 / fps
        return min(POLL_SECONDS, max(MIN_PAUSE, due - now))

    def on_drawn(self, day: int) -> None:
        """The browser drew ``day`` (called from the page's message thread). The session's
        thread sees it at its next look: waking it for each picture drawn cost the server
        more than the look (py-spy)."""
        self.drawn = day

    def _show(self, current, now: float) -> None:
        self.sent = (id(current), current.day, now)
        if self.show is not None:
            self.show(current, now)

    def tick(self, now: float | None = None) -> float:
        """One look at the run: play/pause first, then a picture if one is due.

        Returns how long the thread may wait before the next look (s).
        """
        now = time.perf_counter() if now is None else now
        current = self.run
        if current is None:
            return POLL_SECONDS
        playing = self.playing and not self.away
        if current.set_play(playing and not current.finished, self.speed):
            self._show(current, now)  # the worker's answer carries its newest frame
        if not playing:
            return POLL_SECONDS
        if current.finished:  # the run reached its horizon (or its worker died)
            if self.on_finished is not None:
                self.on_finished()
            return POLL_SECONDS
        fps = self.fps()
        if self.may_send(now, fps):
            run_id, day, _when = self.sent
            current.refresh()
            same = run_id == id(current) and current.day == day
            if same and current.live and not current.finished:
                # No new day since the last picture (a busy worker): nothing to send.
                self.sent = (run_id, day, now)
            else:
                self._show(current, now)
            if current.finished and self.on_finished is not None:
                self.on_finished()
        return self.pause_for(now, fps)
