"""``wingsim dashboard``: serve the workshop dashboard with Solara, fully offline.

Every front-end file comes from the ``solara-assets`` package (no CDN), Solara's
telemetry and version check are switched off, and the server binds to 127.0.0.1 unless
``--host`` says otherwise. Solara's diagnostics page (``/resourcez``: the host's memory,
CPU and session counts) answers only to this machine. ``--workshop`` adds the trainer's
page, protected by a token printed at start-up.

The command's process is a supervisor (:mod:`wingsim.dashboard.supervise`): it binds the
socket and runs the server itself in a child process (:func:`child_main`), which it
replaces when the room has been empty for ``--recycle-after`` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

APP = "wingsim.dashboard.app"
#: Paths served only to this machine: Solara's diagnostics show host details.
LOCAL_ONLY = ("/resourcez",)
LOCAL_CLIENTS = ("127.0.0.1", "::1")
#: A page whose connection dropped keeps its run this long (s), so a participant whose
#: wifi blinks gets it back; then its session, and its memory, are freed.
DROP_AFTER = 120
#: How long the child's server waits for open connections when told to stop (s).
STOP_GRACE = 5


class LocalOnly:
    """ASGI wrapper: the diagnostics paths answer 404 to any client but this machine."""

    def __init__(self, app, paths=LOCAL_ONLY):
        self.app = app
        self.paths = paths

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].rstrip("/") in self.paths:
            client = (scope.get("client") or ("", 0))[0]
            if client not in LOCAL_CLIENTS:
                await send({"type": "http.response.start", "status": 404, "headers": []})
                await send({"type": "http.response.body", "body": b"Not found"})
                return
        await self.app(scope, receive, send)


def configure(
    scenario: str | None = None,
    workshop: bool = False,
    max_sessions: int | None = None,
    token: str | None = None,
) -> str:
    """Environment for an offline Solara server; call before importing solara.server.

    Returns the trainer's token in workshop mode ("" otherwise): ``token``, or a new one.
    """
    from wingsim.dashboard import room

    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ.setdefault("SOLARA_THEME_LOADER", "solara")
    # reacton's fast renderer: a picture re-renders the run's stage alone, instead of walking
    # and re-checking every widget of the page (the levers too) on each of them.
    os.environ.setdefault("REACTON_FAST", "1")
    token = (token or new_token()) if workshop else ""
    room.ROOM.configure(
        workshop=workshop,
        token=token,
        max_sessions=room.MAX_SESSIONS if max_sessions is None else max_sessions,
    )
    if scenario:
        from wingsim.dashboard.session import SCENARIO_ENV
        from wingsim.scenario import load_scenario

        load_scenario(scenario)  # fail early, with the scenario's own error messages
        os.environ[SCENARIO_ENV] = str(Path(scenario).resolve())
    return token


def new_token() -> str:
    """The trainer's token: made once by the supervisor, kept over every recycle."""
    return secrets.token_urlsafe(12)


class _NoEvents:
    """IPython's ``shell.events``, with nothing registered: what the page's messages need."""

    def trigger(self, *args, **kwargs) -> None:
        pass

    def register(self, *args, **kwargs) -> None:
        pass

    def unregister(self, *args, **kwargs) -> None:
        pass


def lighter_messages() -> bool:
    """Make each message a page sends cheaper for the server (True if applied).

    For every message from a browser (a click, a picture drawn), Solara 1.58 builds a
    stand-in IPython shell whose ``events`` is a ``unittest.mock.MagicMock``, and ipywidgets
    calls ``events.trigger`` on it twice; building the mock was about an eighth of the
    server's busy time with five pages playing (py-spy). Nothing here registers IPython
    events (no matplotlib on the server), so a plain object with the same calls stands in.
    """
    try:
        import solara.server.server  # noqa: F401  (imports patch without a circular import)
        from solara.server import patch
    except ImportError:  # pragma: no cover - depends on the installed extras
        return False
    mock = getattr(patch, "mock", None)
    if mock is None or not hasattr(patch, "FakeIPython"):
        return False  # another Solara: leave it as it is
    patch.mock = argparse.Namespace(MagicMock=_NoEvents)
    return True


class DashboardError(Exception):
    """A dashboard option that cannot work; ``code`` is 2 (bad input) or 1 (system)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def check_options(
    host: str,
    port: int,
    scenario: str | None,
    max_sessions: int | None = None,
    drop_after: float = 60,
    recycle_after: float = 0,
) -> None:
    """Refuse a bad ``--port``, ``--host``, ``--scenario`` or limit before anything starts."""
    import socket

    if not 1 <= port <= 65535:
        raise DashboardError(f"wingsim dashboard: --port {port}: must be 1-65535")
    if max_sessions is not None and not 1 <= max_sessions <= 1000:
        raise DashboardError(f"wingsim dashboard: --max-sessions {max_sessions}: must be 1-1000")
    if not 5 <= drop_after <= 86400:
        raise DashboardError(
            f"wingsim dashboard: --drop-after {drop_after:g}: must be 5-86400 seconds"
        )
    if not (recycle_after == 0 or 1 <= recycle_after <= 86400):
        raise DashboardError(
            f"wingsim dashboard: --recycle-after {recycle_after:g}: must be 0 (never) or "
            "1-86400 seconds"
        )
    if scenario:
        from wingsim.scenario import ScenarioError, load_scenario

        try:
            load_scenario(scenario)
        except ScenarioError as exc:
            raise DashboardError(str(exc)) from None
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DashboardError(
            f"wingsim dashboard: --host {host!r}: not a host name or address of this machine "
            f"({getattr(exc, 'strerror', None) or exc})"
        ) from None


def main(args: argparse.Namespace) -> int:
    """The supervisor: check the options, bind the socket, print the links, run children."""
    from wingsim.dashboard import supervise

    scenario = getattr(args, "scenario", None)
    workshop = bool(getattr(args, "workshop", False))
    max_sessions = getattr(args, "max_sessions", None)  # None: the room's default
    drop_after = getattr(args, "drop_after", None)
    drop_after = DROP_AFTER if drop_after is None else drop_after
    recycle_after = getattr(args, "recycle_after", None)
    recycle_after = supervise.RECYCLE_AFTER if recycle_after is None else recycle_after
    try:
        check_options(args.host, args.port, scenario, max_sessions, drop_after, recycle_after)
    except DashboardError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    from importlib.util import find_spec

    if find_spec("solara") is None or find_spec("uvicorn") is None:  # pragma: no cover
        print("The dashboard needs the 'viz' extra: pip install -e '.[viz]'", file=sys.stderr)
        return 1
    try:
        sock = supervise.listen(args.host, args.port)
    except OSError as exc:
        print(
            f"wingsim dashboard: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    token = new_token() if workshop else ""
    options = {
        "host": args.host,
        "port": args.port,
        "scenario": str(Path(scenario).resolve()) if scenario else None,
        "workshop": workshop,
        "max_sessions": max_sessions,
        "drop_after": drop_after,
        "recycle_after": recycle_after,
    }
    url = f"http://{args.host}:{args.port}"
    print(f"wingsim dashboard at {url}  (Ctrl-C to stop)", flush=True)
    if workshop:
        print(f"trainer's page: {url}/trainer?token={token}  (keep this link private)", flush=True)
    supervise.become_supervisor(sock, options, token)  # does not return
    return 1


def _child_server(config, tick):
    """uvicorn's server, stopped by SIGTERM or SIGINT without raising the signal again after
    its graceful shutdown (uvicorn does, which would end the child before it closes its
    workers), and by ``tick(server)`` returning True. uvicorn's main loop asks it ten times
    a second, on the event loop: between that decision and the listening socket's close no
    connection is accepted, so a page arriving then waits for the next server process."""
    import uvicorn

    class ChildServer(uvicorn.Server):
        async def on_tick(self, counter: int) -> bool:
            return await super().on_tick(counter) or tick(self)

        @contextlib.contextmanager
        def capture_signals(self):
            signals = (signal.SIGINT, signal.SIGTERM)
            old = {s: signal.signal(s, self.handle_exit) for s in signals}
            try:
                yield
            finally:
                for s, handler in old.items():
                    signal.signal(s, handler)

    return ChildServer(config)


class _Reports:
    """The child's side of the report pipe: one JSON object a line, from any thread."""

    def __init__(self, fd: int):
        self.pipe = os.fdopen(fd, "w", buffering=1)
        self.lock = threading.Lock()

    def send(self, **message) -> None:
        with self.lock, contextlib.suppress(OSError, ValueError):  # the supervisor is gone
            self.pipe.write(json.dumps(message) + "\n")


def child_main() -> int:
    """The server, in the supervisor's child: serve on the inherited socket until stopped
    (0) or until the room has been empty for ``--recycle-after`` seconds (RECYCLE_EXIT)."""
    import socket

    from wingsim.dashboard import supervise

    try:
        state = json.loads(os.environ.pop(supervise.CHILD_ENV, ""))
        options = state["options"]
        fds = [state["listen_fd"], state["report_fd"], state["alive_fd"]]
    except (ValueError, TypeError, KeyError):
        print("wingsim dashboard: start it with `wingsim dashboard`", file=sys.stderr)
        return 2
    for fd in fds:  # not passed on to the forkserver and the workers
        os.set_inheritable(fd, False)
    reports = _Reports(state["report_fd"])
    import solara.server.settings as settings
    from solara.server import kernel_context

    from wingsim.dashboard.room import ROOM, Rules

    configure(options["scenario"], options["workshop"], options["max_sessions"], state["token"])
    if state.get("rules") is not None:
        try:
            ROOM.rules = Rules.parse(state["rules"])
        except ValueError as exc:
            print(f"wingsim dashboard: the trainer's rules were not kept: {exc}", file=sys.stderr)
    ROOM.on_rules = lambda rules: reports.send(rules=rules.as_dict())
    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.kernel.cull_timeout = f"{options['drop_after']:g}s"
    # Queue each session's messages and send them from the event loop every 50 ms, instead
    # of making the session's worker thread wait for the event loop on every message.
    settings.main.experimental_performance = True
    # Plain http on a workshop laptop: Solara falls back to samesite=lax cookies, which is fine.
    warnings.filterwarnings("ignore", message="Cookies with samesite")
    os.environ["SERVER_NAME"] = options["host"]
    os.environ["SERVER_PORT"] = str(options["port"])
    import uvicorn
    from solara.server.starlette import app

    from wingsim.dashboard.workers import POOL
    from wingsim.experiments.pool import stop_server

    lighter_messages()
    POOL.start()  # the forkserver imports wingsim now, not when the first page opens
    sock = socket.socket(fileno=state["listen_fd"])
    config = uvicorn.Config(
        LocalOnly(app), log_level="warning", timeout_graceful_shutdown=STOP_GRACE
    )
    rule = supervise.IdleRule(options["recycle_after"])
    recycled = threading.Event()
    ready = threading.Event()

    def tick(server) -> bool:
        """Say when serving; stop once the room has been empty long enough."""
        if not ready.is_set():
            reports.send(ready=os.getpid())
            ready.set()
        sessions = len(kernel_context.contexts)
        if rule.observe(sessions, len(server.server_state.connections), time.monotonic()):
            reports.send(recycling=options["recycle_after"])
            recycled.set()
            return True
        return False

    server = _child_server(config, tick)

    def orphaned() -> None:
        """The supervisor has gone (its end of the pipe closed): stop too."""
        with contextlib.suppress(OSError):
            os.read(state["alive_fd"], 1)
        server.should_exit = True

    threading.Thread(target=orphaned, name="wingsim-orphan", daemon=True).start()
    server.run(sockets=[sock])
    POOL.shutdown()
    stop_server()  # the workers' fork server
    return supervise.RECYCLE_EXIT if recycled.is_set() else 0


if __name__ == "__main__":
    sys.exit(child_main())
