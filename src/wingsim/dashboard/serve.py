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


def main(args: argparse.Namespace) -> int:
    try:
        import solara.server.settings as settings
        import uvicorn
    except ImportError:  # pragma: no cover - depends on the installed extras
        print("The dashboard needs the 'viz' extra: pip install -e '.[viz]'")
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
