"""``wingsim dashboard``: serve the workshop dashboard with Solara, fully offline.

Every front-end file comes from the ``solara-assets`` package (no CDN), Solara's
telemetry and version check are switched off, and the server binds to 127.0.0.1 unless
``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

APP = "wingsim.dashboard.app"


def configure(scenario: str | None = None) -> None:
    """Environment for an offline Solara server; call before importing solara.server."""
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ.setdefault("SOLARA_THEME_LOADER", "solara")
    if scenario:
        from wingsim.dashboard.app import SCENARIO_ENV
        from wingsim.scenario import load_scenario

        load_scenario(scenario)  # fail early, with the scenario's own error messages
        os.environ[SCENARIO_ENV] = str(Path(scenario).resolve())


class DashboardError(Exception):
    """A dashboard option that cannot work; ``code`` is 2 (bad input) or 1 (system)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def check_options(host: str, port: int, scenario: str | None) -> None:
    """Refuse a bad ``--port``, ``--host`` or ``--scenario`` before anything starts.

    The port and host are tried by binding a socket (then closed), so an address in use
    or one this machine does not have is reported in one line instead of after the banner.
    """
    import socket

    if not 1 <= port <= 65535:
        raise DashboardError(f"wingsim dashboard: --port {port}: must be 1-65535")
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

    try:
        check_options(args.host, args.port, getattr(args, "scenario", None))
    except DashboardError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    try:
        import solara.server.settings as settings
        import uvicorn
    except ImportError:  # pragma: no cover - depends on the installed extras
        print("The dashboard needs the 'viz' extra: pip install -e '.[viz]'", file=sys.stderr)
        return 1
    configure(getattr(args, "scenario", None))
    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    # Plain http on a workshop laptop: Solara falls back to samesite=lax cookies, which is fine.
    warnings.filterwarnings("ignore", message="Cookies with samesite")
    os.environ["SERVER_NAME"] = args.host
    os.environ["SERVER_PORT"] = str(args.port)
    print(f"wingsim dashboard at http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    uvicorn.run("solara.server.starlette:app", host=args.host, port=args.port, log_level="warning")
    return 0
