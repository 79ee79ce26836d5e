"""Recycle the dashboard's server process when its room has emptied.

After a busy room the server process keeps about 30 MB it no longer uses (its allocators'
high-water mark: Python arenas pinned by a few long-lived objects, glibc arenas); only
the process's end gives those pages back. So ``wingsim dashboard`` is two processes:

- the **supervisor** (this module, the command's own process) binds the listening socket
  once, makes the trainer's token, and starts the server in a child process that serves
  on the inherited socket; it keeps the trainer's rules the child reports, and starts a
  new child, with the same socket, token, options and rules, when the child ends;
- the **child** (:func:`wingsim.dashboard.serve.child_main`) serves the pages and exits
  by itself once its room has had sessions and then none, and no connection, for
  ``--recycle-after`` seconds (:class:`IdleRule`), after closing its workers.

Between two children the socket stays open, so a page that arrives meanwhile waits in
the listen backlog and is answered by the new child instead of being refused.

The supervisor lives as long as the workshop, so it stays small: once ``wingsim
dashboard`` has checked its options and bound the socket it replaces itself (``exec``,
same process id) with a Python that runs this file alone (:func:`become_supervisor`),
which imports only the standard library, instead of keeping the 270 MB that importing the
``wingsim`` package (the model, Mesa, numba, pandas) costs.

The child's private start-up state (options, token, rules, the inherited descriptors) is
one JSON value in its environment (:data:`CHILD_ENV`), never on its command line, which
every user of the machine can read (``ps``). The child reports on a pipe, one JSON object
a line: ``{"ready": pid}`` when it serves, ``{"rules": {...}}`` when the trainer changes
them, ``{"recycling": seconds}`` when it leaves an empty room.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

#: Environment variable carrying the child's start-up state (JSON).
CHILD_ENV = "WINGSIM_DASHBOARD_CHILD"
#: Environment variable carrying the supervisor's own state over its ``exec`` (JSON).
SUPERVISOR_ENV = "WINGSIM_DASHBOARD_SUPERVISOR"
#: Seconds an emptied room waits before its server process is recycled (0: never).
RECYCLE_AFTER = 60.0
#: A child's exit status for "my room was empty: start a new one" (sysexits' EX_TEMPFAIL).
RECYCLE_EXIT = 75
#: Children in a row that may end before serving before the supervisor gives up.
START_FAILURES = 3
#: How long a stopping child may take before it is killed (s).
STOP_TIMEOUT = 15.0
#: Connections the socket queues while no child accepts them (a restart).
BACKLOG = 2048
#: A report line longer than this (bytes) is ignored: rules are a few hundred bytes.
REPORT_MAX = 4096


class IdleRule:
    """When an emptied room's server should be recycled.

    ``observe`` is called ten times a second with the room's Solara sessions (every page:
    participants, the trainer, a full room's page) and open connections; it says True once
    the room has had a session and then has had neither for ``after`` seconds. A room that
    never had a session is never recycled: it has nothing to give back.
    """

    def __init__(self, after: float = RECYCLE_AFTER):
        self.after = after
        self.used = False  # a session has been seen
        self.since: float | None = None  # empty since (monotonic seconds)

    def observe(self, sessions: int, connections: int, now: float) -> bool:
        if sessions:
            self.used = True
        if sessions or connections or not self.used or self.after <= 0:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since >= self.after


def listen(host: str, port: int) -> socket.socket:
    """The listening socket every child serves on (OSError if it cannot be had)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def rules_line(data) -> dict | None:
    """A rules report's shape checked (the child checks its values again at start)."""
    keys = {"scenario", "levers", "budget"}
    if not isinstance(data, dict) or set(data) != keys:
        return None
    if not isinstance(data["scenario"], str) or not isinstance(data["levers"], list):
        return None
    if not all(isinstance(x, str) for x in data["levers"]):
        return None
    if data["budget"] is not None and not isinstance(data["budget"], int | float):
        return None
    return data


class Supervisor:
    """Runs the server in a child process and starts a new one when it ends.

    ``command`` is the child's argument list (the tests give one that fails).
    """

    def __init__(self, sock: socket.socket, options: dict, token: str, command=None):
        self.sock = sock
        self.options = options
        self.token = token
        self.command = command or [sys.executable, "-m", "wingsim.dashboard.serve"]
        self.rules: dict | None = None  # the trainer's latest rules, as reported
        self.child: subprocess.Popen | None = None
        self.stopping = 0  # the signal that stops the supervisor
        self.restarts = 0

    # -- one child ---------------------------------------------------------------------------
    def _start(self, restart_from: float | None) -> tuple[subprocess.Popen, dict]:
        """A new child, and what its reports tell (``ready``, ``recycling``)."""
        report_r, report_w = os.pipe()
        alive_r, alive_w = os.pipe()
        state = {
            "options": self.options,
            "token": self.token,
            "rules": self.rules,
            "listen_fd": self.sock.fileno(),
            "report_fd": report_w,
            "alive_fd": alive_r,
        }
        env = {**os.environ, CHILD_ENV: json.dumps(state)}
        try:
            child = subprocess.Popen(
                self.command,
                env=env,
                pass_fds=(self.sock.fileno(), report_w, alive_r),
                start_new_session=True,  # Ctrl-C reaches the supervisor, which stops it
            )
        finally:
            os.close(report_w)
            os.close(alive_r)
        news = {"ready": threading.Event(), "recycling": None, "restart_from": restart_from}
        reader = threading.Thread(target=self._read, args=(report_r, news), daemon=True)
        reader.start()
        news["reader"], news["alive"] = reader, alive_w
        return child, news

    def _read(self, fd: int, news: dict) -> None:
        """The child's reports, until it ends (its end of the pipe closes)."""
        with os.fdopen(fd, "rb") as pipe:
            for raw in pipe:
                if len(raw) > REPORT_MAX:
                    continue
                with contextlib.suppress(ValueError):
                    message = json.loads(raw)
                    if not isinstance(message, dict):
                        continue
                    if "ready" in message:
                        news["ready"].set()
                        if news["restart_from"] is not None:
                            took = time.monotonic() - news["restart_from"]
                            print(f"wingsim dashboard: restarted in {took:.1f} s", flush=True)
                    elif "rules" in message and rules_line(message["rules"]) is not None:
                        self.rules = message["rules"]
                    elif "recycling" in message:
                        news["recycling"] = time.monotonic()
                        print(
                            f"wingsim dashboard: no page for {self.options['recycle_after']:g} s:"
                            " restarting the server process to give its memory back",
                            flush=True,
                        )

    def _terminate(self) -> bool:
        """Ask the running child to stop (SIGTERM); False if there is none."""
        child = self.child
        if child is None or child.poll() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGTERM)
        return True

    def _stop_child(self) -> None:
        if not self._terminate():
            return
        try:
            self.child.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()

    def _signalled(self, signum, _frame) -> None:
        self.stopping = signum
        self._terminate()

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> int:
        """Serve until Ctrl-C or SIGTERM (128 + the signal), or until children fail to
        start :data:`START_FAILURES` times in a row (1)."""
        old = {s: signal.signal(s, self._signalled) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._loop()
        finally:
            self._stop_child()
            for s, handler in old.items():
                signal.signal(s, handler)

    def _loop(self) -> int:
        failures = 0
        restart_from = None
        while not self.stopping:
            self.child, news = self._start(restart_from)
            if self.stopping:  # a signal came while it started
                self._stop_child()
            code = self.child.wait()
            news["reader"].join(timeout=STOP_TIMEOUT)
            os.close(news["alive"])
            if self.stopping:
                break
            restart_from = news["recycling"] or time.monotonic()
            if code == RECYCLE_EXIT and news["ready"].is_set():
                failures = 0
                self.restarts += 1
                continue
            if news["ready"].is_set():
                failures = 0
                print(
                    f"wingsim dashboard: the server process ended unexpectedly ({_status(code)});"
                    " starting a new one",
                    file=sys.stderr,
                    flush=True,
                )
                continue
            failures += 1
            if failures >= START_FAILURES:
                print(
                    f"wingsim dashboard: the server process failed to start {failures} times "
                    f"in a row (last: {_status(code)}); stopping. Its error is above.",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
        print(f"\nwingsim dashboard: stopped ({signal.Signals(self.stopping).name})", flush=True)
        return 128 + self.stopping


def _status(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"


def become_supervisor(sock: socket.socket, options: dict, token: str) -> None:
    """Replace this process (same pid, same socket) with the lean supervisor: a Python
    running this file alone. The original arguments follow, for ``ps``; the token goes in
    the environment, which only this user can read."""
    fd = sock.fileno()
    os.set_inheritable(fd, True)
    state = {"listen_fd": fd, "options": options, "token": token}
    env = {**os.environ, SUPERVISOR_ENV: json.dumps(state)}
    sys.stdout.flush()
    sys.stderr.flush()
    # -P: this file's folder (the dashboard's modules) is not put on the import path.
    os.execve(sys.executable, [sys.executable, "-P", __file__, *sys.argv[1:]], env)


def main() -> int:
    """The lean supervisor, after :func:`become_supervisor`'s ``exec``."""
    try:
        state = json.loads(os.environ.pop(SUPERVISOR_ENV, ""))
        sock = socket.socket(fileno=state["listen_fd"])
    except (ValueError, TypeError, KeyError, OSError):
        print("wingsim dashboard: start it with `wingsim dashboard`", file=sys.stderr)
        return 2
    os.set_inheritable(sock.fileno(), False)
    with sock:
        return Supervisor(sock, state["options"], state["token"]).run()


if __name__ == "__main__":
    sys.exit(main())
