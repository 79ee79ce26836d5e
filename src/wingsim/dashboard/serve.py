"""``wingsim dashboard``: serve the workshop dashboard with Solara, fully offline.

Every front-end file comes from the ``solara-assets`` package (no CDN), Solara's
telemetry and version check are switched off, and the server binds to 127.0.0.1 unless
``--host`` says otherwise. Solara's diagnostics page (``/resourcez``: the host's memory,
CPU and session counts) answers only to this machine. ``--workshop`` adds the trainer's
page, protected by a token printed at start-up.
"""

from __future__ import annotations

import argparse
import os
import secrets
import warnings
from pathlib import Path

APP = "wingsim.dashboard.app"
#: Paths served only to this machine: Solara's diagnostics show host details.
LOCAL_ONLY = ("/resourcez",)
LOCAL_CLIENTS = ("127.0.0.1", "::1")
#: A page whose connection dropped keeps its run this long (s), so a participant whose
#: wifi blinks gets it back; then its session, and its memory, are freed.
DROP_AFTER = 120


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
    scenario: str | None = None, workshop: bool = False, max_sessions: int | None = None
) -> str:
    """Environment for an offline Solara server; call before importing solara.server.

    Returns the trainer's token in workshop mode ("" otherwise).
    """
    from wingsim.dashboard import room

    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ.setdefault("SOLARA_THEME_LOADER", "solara")
    # reacton's fast renderer: a picture re-renders the run's stage alone, instead of walking
    # and re-checking every widget of the page (the levers too) on each of them.
    os.environ.setdefault("REACTON_FAST", "1")
    token = secrets.token_urlsafe(12) if workshop else ""
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
    host: str, port: int, scenario: str | None, max_sessions: int = 1, drop_after: float = 60
) -> None:
    """Refuse a bad ``--port``, ``--host`` or ``--scenario`` before anything starts.

    The port and host are tried by binding a socket (then closed), so an address in use
    or one this machine does not have is reported in one line instead of after the banner.
    """
    import socket

    if not 1 <= port <= 65535:
        raise DashboardError(f"wingsim dashboard: --port {port}: must be 1-65535")
    if not 1 <= max_sessions <= 1000:
        raise DashboardError(f"wingsim dashboard: --max-sessions {max_sessions}: must be 1-1000")
    if not 5 <= drop_after <= 86400:
        raise DashboardError(
            f"wingsim dashboard: --drop-after {drop_after:g}: must be 5-86400 seconds"
        )
    if scenario:
        from wingsim.scenario import ScenarioError, load_scenario

        try:
            load_scenario(scenario)
        except ScenarioError as exc:
            raise DashboardError(str(exc)) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DashboardError(
            f"wingsim dashboard: --host {host!r}: not a host name or address of this machine "
            f"({getattr(exc, 'strerror', None) or exc})"
        ) from None
    family, kind, proto, _, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        raise DashboardError(
            f"wingsim dashboard: cannot listen on {host}:{port}: {exc.strerror or exc}", code=1
        ) from None


def main(args: argparse.Namespace) -> int:
    import sys

    scenario = getattr(args, "scenario", None)
    workshop = bool(getattr(args, "workshop", False))
    from wingsim.dashboard.room import MAX_SESSIONS

    max_sessions = getattr(args, "max_sessions", None)
    max_sessions = MAX_SESSIONS if max_sessions is None else max_sessions
    drop_after = getattr(args, "drop_after", None)
    drop_after = DROP_AFTER if drop_after is None else drop_after
    try:
        check_options(args.host, args.port, scenario, max_sessions, drop_after)
    except DashboardError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    try:
        import solara.server.settings as settings
        import uvicorn
    except ImportError:  # pragma: no cover - depends on the installed extras
        print("The dashboard needs the 'viz' extra: pip install -e '.[viz]'", file=sys.stderr)
        return 1
    token = configure(scenario, workshop, max_sessions)
    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.kernel.cull_timeout = f"{drop_after:g}s"
    # Queue each session's messages and send them from the event loop every 50 ms, instead
    # of making the session's worker thread wait for the event loop on every message.
    settings.main.experimental_performance = True
    # Plain http on a workshop laptop: Solara falls back to samesite=lax cookies, which is fine.
    warnings.filterwarnings("ignore", message="Cookies with samesite")
    os.environ["SERVER_NAME"] = args.host
    os.environ["SERVER_PORT"] = str(args.port)
    url = f"http://{args.host}:{args.port}"
    print(f"wingsim dashboard at {url}  (Ctrl-C to stop)", flush=True)
    if workshop:
        print(f"trainer's page: {url}/trainer?token={token}  (keep this link private)", flush=True)
    from solara.server.starlette import app

    from wingsim.dashboard.workers import POOL

    lighter_messages()

    POOL.start()  # the forkserver imports wingsim now, not when the first page opens
    uvicorn.run(LocalOnly(app), host=args.host, port=args.port, log_level="warning")
    return 0
