"""The dashboard's worker processes: same frames as in the server, memory freed, crashes kept."""

import os
import signal
import time

import pytest

pytest.importorskip("solara", reason="the viz extra is not installed")
psutil = pytest.importorskip("psutil")

from wingsim.dashboard.session import Run, Settings  # noqa: E402
from wingsim.dashboard.workers import CRASHED, Pool  # noqa: E402


@pytest.fixture
def pool():
    p = Pool(workers=2)
    yield p
    p.shutdown()


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` has exited (a zombie counts: it holds no memory)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_same_frames_as_in_process(pool):
    """Same settings and seed: the worker's run draws what an in-process run draws, whether
    it was stepped day by day or played by the worker itself."""
    settings = Settings(regime="dispersal", veo_share=0.08, chaplains=3, seed=11)
    remote = pool.open(settings, "containment")
    local = Run(settings, "containment")
    assert remote.names == local.names == ["Dispersal", "Containment"]
    assert [remote.wing_spec(i) for i in range(2)] == [local.wing_spec(i) for i in range(2)]
    assert remote.frame() == local.frame()
    for _ in range(3):
        remote.step()
        local.step()
    assert remote.frame() == local.frame()
    remote.set_play(True, 30)
    deadline = time.monotonic() + 20
    while remote.day < 12 and time.monotonic() < deadline:
        time.sleep(0.1)
        remote.refresh()
    remote.set_play(False, 30)
    played = remote.day
    assert played >= 12
    time.sleep(0.3)
    remote.refresh()
    assert remote.day == played, "a paused run went on in its worker"
    while local.day < played:
        local.step()
    assert remote.frame() == local.frame()
    assert remote.series_spec() == local.series_spec()
    assert remote.released() == local.released()
    assert remote.outcomes() == local.outcomes()
    remote.close()


def test_worker_exits_when_its_last_run_closes(pool):
    one = pool.open(Settings(seed=1))
    two = pool.open(Settings(seed=2))
    three = pool.open(Settings(seed=3))  # two workers: this one shares the first's
    assert len(pool.pids()) == 2
    first, second = one.worker.pid, two.worker.pid
    assert three.worker.pid == first
    one.close()
    one.close()  # a second close is harmless
    assert not _gone(first, timeout=0.5), "a worker with a run left exited"
    three.step()
    assert three.day == 1 and not three.error
    three.close()
    assert _gone(first), "the worker stayed after its last run closed"
    assert pool.pids() == [second]
    # A closed run keeps answering with its last frame (a page may draw it once more).
    assert one.day == 0 and one.finished and not one.live
    # A new run starts a new worker (the pool holds fewer than two).
    four = pool.open(Settings(seed=4))
    assert four.worker.pid not in (first, second)
    two.close()
    four.close()
    assert _gone(second) and pool.pids() == []


def test_a_killed_worker_takes_only_its_own_runs(pool):
    mine = pool.open(Settings(seed=5))
    other = pool.open(Settings(seed=6))
    assert mine.worker is not other.worker
    victim = mine.worker.pid
    os.kill(victim, signal.SIGKILL)
    assert _gone(victim)
    mine.refresh()
    assert mine.error == CRASHED and "Traceback" not in mine.error
    assert not mine.live and mine.finished
    mine.step()  # nothing raises after the crash
    mine.set_play(True, 10)
    assert mine.series_spec()["history"] and mine.released() == ""
    # The other worker's run goes on; a new session still gets a working run.
    other.step()
    assert other.day == 1 and not other.error
    new = pool.open(Settings(seed=5))
    assert new.worker.pid != victim
    new.step()
    assert new.day == 1 and not new.error
    mine.close()
    other.close()
    new.close()
    assert pool.pids() == []


def test_a_new_run_never_lands_on_a_dead_worker():
    """A worker that died with no request pending is not given the next session."""
    single = Pool(workers=1)
    try:
        first = single.open(Settings(seed=7))
        victim = first.worker.pid
        os.kill(victim, signal.SIGKILL)
        assert _gone(victim)
        second = single.open(Settings(seed=7))
        assert second.worker.pid != victim and not second.error
        second.step()
        assert second.day == 1
        first.close()
        second.close()
        assert single.pids() == []
    finally:
        single.shutdown()


def test_budget_message():
    from wingsim.dashboard.app import budget_text

    assert budget_text(None, 1000.0) == ("", False)
    assert budget_text(900.0, None) == ("", False)
    text, over = budget_text(1234.4, 1000.0)
    assert over and "EUR 1,234 per day" in text and "over the trainer's budget of EUR 1,000" in text
    text, over = budget_text(999.0, 1000.0)
    assert not over and "within the budget" in text
