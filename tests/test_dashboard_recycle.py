"""The dashboard's server process recycled when its room has emptied (dashboard/supervise.py).

The idle rule and the supervisor are tested without Solara (stand-in children that speak
the report protocol); one test starts the real command, lets a trainer set rules, closes
every page, and checks that the new server process serves the same port, token and rules.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from wingsim.dashboard import supervise
from wingsim.dashboard.supervise import IdleRule, Supervisor

ROOT = Path(__file__).resolve().parents[1]


def test_idle_rule():
    """Recycle once the room has had a session and then none, nor a connection, for
    ``after`` seconds; never a room that was never used; never with ``after`` 0."""
    rule = IdleRule(after=60)
    # Nobody ever came: nothing to give back, however long.
    assert not rule.observe(0, 0, 0) and not rule.observe(0, 0, 1000)
    assert not rule.observe(0, 2, 1010)  # a connection (a page loading) is not a session
    assert not rule.observe(0, 0, 2000)
    assert not rule.observe(3, 3, 2001)  # the room is used
    assert not rule.observe(1, 1, 2050)
    assert not rule.observe(0, 0, 2100)  # empty from here
    assert not rule.observe(0, 0, 2159)
    assert not rule.observe(0, 1, 2160)  # a connection arrives: the wait starts again
    assert not rule.observe(0, 0, 2170)
    assert not rule.observe(1, 1, 2200)  # the trainer's page counts as a session too
    assert not rule.observe(0, 0, 2210)
    assert not rule.observe(0, 0, 2269)
    assert rule.observe(0, 0, 2270)  # 60 s empty
    never = IdleRule(after=0)
    assert not never.observe(1, 1, 0)
    assert not never.observe(0, 0, 10_000)


def test_rules_kept_as_plain_values():
    """The trainer's rules go to the supervisor as JSON and come back checked."""
    pytest.importorskip("solara", reason="the viz extra is not installed")
    from wingsim.dashboard.room import Rules
    from wingsim.dashboard.session import LEVER_FIELDS

    rules = Rules(scenario="", levers=frozenset(LEVER_FIELDS[:2]), budget=1500.0)
    data = json.loads(json.dumps(rules.as_dict()))
    assert supervise.rules_line(data) == data
    assert Rules.parse(data) == rules
    for bad in (
        {**data, "scenario": "../../etc/passwd"},
        {**data, "levers": ["no such lever"]},
        {**data, "budget": -1},
        {**data, "budget": 1e12},
        {**data, "budget": True},
        {**data, "extra": 1},
        ["not", "a", "dict"],
    ):
        with pytest.raises(ValueError):
            Rules.parse(bad)


def _supervisor(tmp_path, script: str) -> Supervisor:
    """A supervisor whose child is ``script`` (a stand-in for the server)."""
    path = tmp_path / "child.py"
    path.write_text(textwrap.dedent(script))
    sock = supervise.listen("127.0.0.1", 0)
    options = {"recycle_after": 1}
    return Supervisor(sock, options, "secret", command=[sys.executable, str(path)])


def test_a_child_that_keeps_failing_to_start_stops_the_supervisor(tmp_path, capfd):
    """No restart loop: after START_FAILURES children in a row end before serving, the
    supervisor stops with a clear message and status 1."""
    sup = _supervisor(tmp_path, "import sys; print('boom', file=sys.stderr); sys.exit(3)")
    t0 = time.monotonic()
    with sup.sock:
        assert sup.run() == 1
    assert time.monotonic() - t0 < 30
    err = capfd.readouterr().err
    assert err.count("boom") == supervise.START_FAILURES
    assert f"failed to start {supervise.START_FAILURES} times in a row" in err
    assert "exit status 3" in err and "Traceback" not in err


CHILD = """
import json, os, signal, sys
from pathlib import Path
state = json.loads(os.environ["{env}"])
report = os.fdopen(state["report_fd"], "w", buffering=1)
log = Path(r"{log}")
runs = log.read_text().splitlines() if log.exists() else []
log.write_text("\\n".join(runs + [json.dumps({{"rules": state["rules"],
    "token": state["token"], "fd": state["listen_fd"], "argv": sys.argv}})]))
report.write(json.dumps({{"ready": os.getpid()}}) + "\\n")
if len(runs) == 0:  # serves, the trainer sets rules, then it crashes
    report.write(json.dumps({{"rules": {{"scenario": "", "levers": ["seed"],
        "budget": 7.0}}}}) + "\\n")
    report.write("not json\\n")
    sys.exit(1)
if len(runs) == 1:  # its room emptied: a planned recycle
    report.write(json.dumps({{"recycling": 1}}) + "\\n")
    sys.exit({recycle})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
os.kill(os.getppid(), signal.SIGTERM)  # the third one stops the supervisor, as Ctrl-C would
signal.pause()
"""


def test_supervisor_restarts_and_keeps_the_rules(tmp_path, capfd):
    """A crash after serving is restarted with one line; a recycle without a word of error;
    each new child gets the same socket and token and the rules the last one reported;
    SIGTERM stops the child and the supervisor cleanly."""
    log = tmp_path / "runs.txt"
    script = CHILD.format(env=supervise.CHILD_ENV, log=log, recycle=supervise.RECYCLE_EXIT)
    sup = _supervisor(tmp_path, script)
    with sup.sock:
        assert sup.run() == 128 + 15
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(runs) == 3
    rules = {"scenario": "", "levers": ["seed"], "budget": 7.0}
    assert [r["rules"] for r in runs] == [None, rules, rules]
    assert {r["token"] for r in runs} == {"secret"}
    assert len({r["fd"] for r in runs}) == 1
    assert all("secret" not in " ".join(r["argv"]) for r in runs)  # not in `ps`
    out = capfd.readouterr()
    assert out.err.count("ended unexpectedly (exit status 1)") == 1
    assert "Traceback" not in out.err
    assert "restarting the server process to give its memory back" in out.out
    assert out.out.count("restarted in") == 2
    assert "stopped (SIGTERM)" in out.out


# -- the real command, in Chromium --------------------------------------------------------
def _browser():
    from wingsim.dashboard.drive import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("solara", reason="the viz extra is not installed")
    pytest.importorskip("psutil")
    return pytest.importorskip("playwright.sync_api", reason="playwright not installed")


def test_recycled_server_keeps_port_token_and_rules():
    playwright_sync = _browser()
    from wingsim.dashboard.drive import CHROMIUM, CHROMIUM_ARGS, Server, join, watch

    errors: list[str] = []
    offsite: list[str] = []
    options = ["--workshop", "--recycle-after", "2", "--drop-after", "5"]
    with Server(*options, cwd=ROOT) as srv, playwright_sync.sync_playwright() as pw:
        first = srv.server_pid()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context()
        trainer = ctx.new_page()
        watch(trainer, errors, offsite)
        trainer.goto(srv.trainer_url)
        trainer.wait_for_selector(".wingsim-room", timeout=60_000)
        # The trainer takes the regime from the participants and sets a budget.
        trainer.locator("label", has_text="Regime").first.click()
        budget = trainer.get_by_label("Budget (EUR per day; empty = none)")
        budget.fill("1")
        budget.press("Enter")
        trainer.get_by_role("button", name="Apply to everyone").click()
        ana = ctx.new_page()
        watch(ana, errors, offsite)
        join(ana, srv.url, "Ana")
        ana.wait_for_selector("text=Budget: EUR 1 per day", timeout=15_000)
        ana.wait_for_selector("text=(set by the trainer)", timeout=15_000)
        lines = len(srv.output)
        ctx.close()  # every page closed: the room empties
        at = srv.wait_output("restarting the server process", lines, timeout=60)
        # A page arriving during the restart waits in the listen backlog, is not refused.
        t0 = time.monotonic()
        with urllib.request.urlopen(srv.url, timeout=60) as answer:
            assert answer.status == 200
        print(f"\na page asked for during the restart: answered in {time.monotonic() - t0:.2f} s")
        srv.wait_output("restarted in", at, timeout=60)
        second = srv.server_pid()
        assert second != first, "the server process was not replaced"
        assert srv.proc.poll() is None
        # Same port, same token, same rules.
        ctx = browser.new_context()
        trainer = ctx.new_page()
        watch(trainer, errors, offsite)
        trainer.goto(srv.trainer_url)
        trainer.wait_for_selector(".wingsim-room", timeout=60_000)
        assert trainer.get_by_label("Budget (EUR per day; empty = none)").input_value() == "1"
        ben = ctx.new_page()
        watch(ben, errors, offsite)
        join(ben, srv.url, "Ben")
        ben.wait_for_selector("text=Budget: EUR 1 per day", timeout=15_000)
        ben.wait_for_selector("text=(set by the trainer)", timeout=15_000)
        browser.close()
    assert "Traceback" not in "".join(srv.output)
    assert not errors, f"browser console errors: {errors}"
    assert not offsite, f"requests off the machine: {offsite}"
