"""A page's pictures while its run plays (dashboard/live.py) and clicks before pictures at
the worker's pipe (dashboard/workers.py): session logic with stand-ins, no browser, no clock."""

import threading
import time

import pytest

pytest.importorskip("solara", reason="the viz extra is not installed")

from solara.server import kernel_context  # noqa: E402

from wingsim.dashboard.live import ACK_TIMEOUT, Driver, Live  # noqa: E402
from wingsim.dashboard.workers import Worker  # noqa: E402

FPS = 10.0


class FakeRun:
    """A run in a worker that steps ``per_look`` days between two frame fetches."""

    def __init__(self, rid=1, per_look=3):
        self.rid, self.day, self.per_look = rid, 0, per_look
        self.finished, self.live, self.error = False, True, ""
        self.calls: list[str] = []
        self.play_state = (False, 0)

    def set_play(self, playing, speed):
        state = (playing, speed if playing else 0)
        if state == self.play_state:
            return False
        self.play_state = state
        self.calls.append("play" if playing else "pause")
        return True

    def refresh(self):
        self.calls.append("frame")
        self.day += self.per_look

    def wing_json(self, i):
        return f'{{"day":{self.day},"wing":{i}}}'

    def tail_json(self):
        return f'{{"tail":{self.day}}}'

    def released(self):
        self.calls.append("released")
        return f"<table>{self.day}</table>"


def _driver(run):
    shown = []
    d = Driver(show=lambda r, now: shown.append((r.day, now)), fps=lambda: FPS)
    d.run, d.playing = run, True
    return d, shown


def test_a_page_that_has_not_drawn_gets_no_new_picture():
    run = FakeRun()
    d, shown = _driver(run)
    d.tick(0.0)  # play goes to the worker; its answer is the first picture
    assert run.calls == ["play"] and shown == [(0, 0.0)]
    for now in (0.15, 0.5, 1.0, 1.9):  # the browser has not drawn day 0: nothing new
        d.tick(now)
    assert shown == [(0, 0.0)] and run.calls == ["play"], "a frame went to a page still drawing"
    d.on_drawn(0)
    d.tick(2.0)
    assert shown[-1] == (3, 2.0), "the drawn page did not get the newest day"
    d.tick(2.05)  # drawn or not, at most FPS pictures a second
    assert len(shown) == 2
    d.tick(2.0 + ACK_TIMEOUT + 0.01)  # a page silent for ACK_TIMEOUT gets the newest day
    assert shown[-1][0] == 6


def test_a_picture_always_shows_the_newest_day():
    """Days are stepped by the worker, not per picture: a slow page skips days."""
    run = FakeRun(per_look=7)
    d, shown = _driver(run)
    d.tick(0.0)
    for k in range(1, 6):
        d.on_drawn(shown[-1][0])
        d.tick(k * 0.5)
    assert [day for day, _ in shown] == [0, 7, 14, 21, 28, 35]


def test_a_day_already_shown_is_not_sent_again():
    run = FakeRun(per_look=0)  # a busy worker: no new day between two looks
    d, shown = _driver(run)
    d.tick(0.0)
    d.on_drawn(0)
    d.tick(0.2)
    assert run.calls == ["play", "frame"] and len(shown) == 1
    wait = d.tick(0.21)  # looked just now: the next look waits for the picture rate
    assert run.calls == ["play", "frame"] and wait > 0.05


def test_pause_goes_to_the_worker_before_any_picture():
    run = FakeRun()
    d, shown = _driver(run)
    d.tick(0.0)
    d.on_drawn(0)
    d.playing = False  # the click (the stage's re-render sets it)
    d.tick(0.5)
    assert run.calls == ["play", "pause"], "a frame was fetched for a paused page"
    d.tick(1.0)
    assert run.calls == ["play", "pause"]


def test_a_finished_run_stops_playing():
    run = FakeRun()
    ended = []
    d, shown = _driver(run)
    d.on_finished = lambda: ended.append(True)
    d.tick(0.0)
    d.on_drawn(0)
    run.finished = True  # the worker stopped it at its horizon
    d.tick(0.5)
    assert ended == [True], "the page's Play button was not given back"
    assert run.calls == ["play", "pause"], "frames fetched for a finished run"


def test_a_run_pauses_while_no_page_is_connected_and_plays_again_when_one_is():
    """A closed or dropped tab's session is kept for the grace period; its run must not
    keep stepping meanwhile (the workers' time and memory go to the pages still open)."""
    run = FakeRun()
    d, shown = _driver(run)
    d.tick(0.0)
    d.on_drawn(0)
    d.away = True  # the page's connection dropped
    d.tick(0.5)
    d.tick(1.0)
    assert run.calls == ["play", "pause"], "a run nobody sees kept playing or sent frames"
    assert d.playing, "the participant's own Play was forgotten"
    d.away = False  # the page reconnected within the grace period
    d.tick(1.5)
    assert run.calls[:3] == ["play", "pause", "play"]


def test_page_away_reads_the_sessions_page_statuses():
    from wingsim.dashboard.app import page_away

    status = kernel_context.PageStatus

    class Context:
        def __init__(self, *statuses):
            self.page_status = {f"page{i}": s for i, s in enumerate(statuses)}

    assert not page_away(Context()), "a session whose page has not connected yet is not away"
    assert not page_away(Context(status.CONNECTED))
    assert not page_away(Context(status.DISCONNECTED, status.CONNECTED)), "one page still open"
    assert page_away(Context(status.DISCONNECTED))
    assert page_away(Context(status.CLOSED, status.DISCONNECTED))


class Widget:
    pass


def test_live_puts_the_frame_in_the_page_widgets_without_a_render():
    run = FakeRun(rid=7)
    live = Live()
    assert not live.push(run), "pushed before the page had widgets"
    counter, wings, series, table = Widget(), [Widget(), Widget()], Widget(), Widget()
    live.attach(7, counter, wings, series, table)
    run.day = 5
    assert live.push(run)
    assert counter.day == 5
    assert [w.today_json for w in wings] == ['{"day":5,"wing":0}', '{"day":5,"wing":1}']
    assert series.today_json == '{"tail":5}' and table.html == "<table>5</table>"
    run.day = 6  # same week: the released table is not fetched again
    live.push(run)
    assert run.calls.count("released") == 1 and counter.day == 6
    run.day = 14
    live.push(run)
    assert run.calls.count("released") == 2 and table.html == "<table>14</table>"
    other = FakeRun(rid=8)
    other.day = 99
    assert not live.push(other), "another run's frame reached this page"
    assert counter.day == 14
    live.detach(7)
    assert not live.push(run)


class SlowPipe:
    """A worker's pipe whose answers come one at a time, when the test lets them."""

    def __init__(self):
        self.sent: list[str] = []
        self.answer = threading.Semaphore(0)

    def send(self, msg):
        self.sent.append(msg[0])

    def recv(self):
        self.answer.acquire()
        return "ok", None


def _wait(cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_click_goes_before_the_frames_waiting_for_the_same_worker():
    """Twenty pages' frame fetches wait for one worker; a pause is sent right after the
    request in flight, before all of them."""
    pipe = SlowPipe()
    worker = Worker.__new__(Worker)
    worker._attach(pipe, proc=None)
    threads = [threading.Thread(target=worker.call, args=("frame", rid)) for rid in range(20)]
    threads[0].start()
    _wait(lambda: pipe.sent == ["frame"])  # one request in flight
    for t in threads[1:]:
        t.start()
    _wait(lambda: len(worker.lock._waiters) == 19)  # the others queue for the pipe
    click = threading.Thread(target=worker.call, args=("pause", 99))
    click.start()
    _wait(lambda: worker.urgent == 1)
    for n in range(2, 22):
        pipe.answer.release()
        _wait(lambda n=n: len(pipe.sent) == min(n, 21))
    pipe.answer.release()
    for t in [*threads, click]:
        t.join(timeout=10)
    assert pipe.sent[:2] == ["frame", "pause"], pipe.sent[:4]
    assert pipe.sent.count("frame") == 20


def test_a_page_message_no_longer_builds_a_mock():
    """The stand-in shell Solara makes for each message from a page gets plain events."""
    from types import SimpleNamespace

    import solara.server.starlette  # noqa: F401  (as the server imports it, before patch)
    from solara.server import patch

    from wingsim.dashboard import serve

    assert serve.lighter_messages()
    kernel = SimpleNamespace(shell=SimpleNamespace(display_pub=None))
    shell = patch.FakeIPython(SimpleNamespace(kernel=kernel))
    assert isinstance(shell.events, serve._NoEvents)
    shell.events.trigger("pre_execute")  # what ipywidgets calls around each message
    shell.events.register("post_execute", print)


def test_the_room_rate_falls_while_the_cpu_is_saturated_and_comes_back():
    from wingsim.dashboard.live import LoadGauge

    state = {"total": 0.0, "busy": 0.0, "share": 0.95}

    def read():
        state["total"] += 100
        state["busy"] += 100 * state["share"]
        return state["total"], state["busy"]

    gauge = LoadGauge(ceiling=50, floor=10, period=2.0, read=read)
    gauge.at = 0.0
    assert gauge.room_rate(1.0) == 50  # within the period: no new reading
    rates = [gauge.room_rate(2.0 * k) for k in range(1, 8)]
    assert rates[0] < 50 and rates == sorted(rates, reverse=True) and rates[-1] == 10
    state["share"] = 0.8  # busy but not saturated: the rate holds
    assert gauge.room_rate(16.0) == 10
    state["share"] = 0.3
    back = [gauge.room_rate(16.0 + 2.0 * k) for k in range(1, 12)]
    assert back == sorted(back) and back[-1] == 50
    unreadable = LoadGauge(read=lambda: None)
    assert unreadable.room_rate(100.0) == unreadable.ceiling


def test_memory_report_counts_closed_sessions_held_by_thread_keys():
    """The debug report says when Solara's per-thread table still holds a closed session."""
    from types import SimpleNamespace

    from solara.server import kernel_context

    from wingsim.dashboard.room import memory_report

    assert "0 closed ones held by thread keys" in memory_report()
    key = "wingsim-test-thread"
    kernel_context.current_context[key] = SimpleNamespace(id="closed-session")
    try:
        assert "1 closed ones held by thread keys" in memory_report()
    finally:
        del kernel_context.current_context[key]


def test_a_closed_session_is_freed_before_its_memory_is_given_back(monkeypatch):
    """A closed page's Solara kernel context (and so its widgets) is gone when the server
    gives memory back, and nothing has to collect it afterwards.

    Solara binds every thread started inside a session to that session's context; a timer
    started from the close callback to collect two seconds later kept the context alive
    through its own collection, and nothing collected it after (automatic collection is
    off here, as on an idle server)."""
    import gc
    import weakref

    import solara.server.app  # noqa: F401  (applies Solara's patches, threads included)
    from solara.server import kernel, kernel_context

    import wingsim.dashboard.app  # noqa: F401  (registers the page's close callback)
    from wingsim.dashboard import room

    alive_at_trim: list[bool] = []
    reclaimer = room.Reclaimer(
        pauses=(0.2, 0.5, 1.0), trim=lambda: alive_at_trim.append(ref() is not None)
    )
    monkeypatch.setattr(room, "RECLAIMER", reclaimer)
    context = kernel_context.VirtualKernelContext(
        id="wingsim-test-closing", session_id="wingsim-test", kernel=kernel.Kernel()
    )
    context.user_dicts["page"] = bytearray(1_000_000)  # the page's state, in a cycle:
    context.user_dicts["self"] = context
    ref = weakref.ref(context)
    gc.collect()
    gc.disable()
    try:
        context.close("page-close")
        del context
        deadline = time.monotonic() + 10
        while reclaimer.rounds == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive_at_trim == [False], "the closed session was still alive when trimmed"
        assert ref() is None
    finally:
        gc.enable()
