"""The ``wingsim`` command line: one parser, each command implemented in its own module.

``run``, ``check`` and ``schedule`` live in :mod:`wingsim.commands`; ``demo``, ``compare``,
``sweep``, ``analyze`` and ``report`` in :mod:`wingsim.experiments.commands`; ``dashboard`` in
:mod:`wingsim.dashboard.serve`. Each handler takes the parsed ``argparse.Namespace``
and returns an exit code. Modules are imported only when their command runs, so
``wingsim check`` stays fast and optional extras stay optional.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading

#: command -> "module:function"
HANDLERS = {
    "run": "wingsim.commands:run",
    "check": "wingsim.commands:check",
    "demo": "wingsim.experiments.commands:demo",
    "schedule": "wingsim.commands:show_schedule",
    "scenarios": "wingsim.commands:list_scenarios",
    "compare": "wingsim.experiments.commands:compare",
    "sweep": "wingsim.experiments.commands:sweep",
    "analyze": "wingsim.experiments.commands:analyze",
    "report": "wingsim.experiments.commands:report",
    "dashboard": "wingsim.dashboard.serve:main",
    "discover": "wingsim.validation.discovery:command",
    "calibrate": "wingsim.experiments.calibrate_command:calibrate",
}


PARTIAL_HELP = (
    "accept an incomplete folder: exit 0, and compute Sobol/Morris indices from the "
    "complete Saltelli blocks or trajectories only"
)


def _store_options(p: argparse.ArgumentParser) -> None:
    """Options of the commands that write runs into a results folder."""
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another process is writing into the folder, wait for it (default: refuse)",
    )
    p.add_argument(
        "--allow-version-change",
        action="store_true",
        help="resume a folder whose runs another wingsim version made (recorded per run)",
    )
    p.add_argument(
        "--confirm",
        action="store_true",
        help="run a design over 100,000 runs, or a Sobol N that is not a power of two",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wingsim",
        description="Prison wing dynamics under containment, dispersal and combination regimes.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="run one replication of a scenario")
    p.add_argument("scenario", help="scenario TOML file, or a built-in name (wingsim scenarios)")
    p.add_argument("--seed", type=int, default=None, help="seed (default: the file's run.seed)")
    p.add_argument("--days", type=int, default=None, help="days (default: the file's run.days)")
    p.add_argument("--out", default=None, help="output folder (default: runs/<scenario name>)")

    p = sub.add_parser("check", help="validate a scenario file and print it resolved")
    p.add_argument("scenario", nargs="+", help="scenario TOML file(s)")

    p = sub.add_parser("demo", help="the three regimes side by side, replicated")
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--out", default="runs/demo")

    sub.add_parser("schedule", help="print the day's ordered submodels")

    p = sub.add_parser("scenarios", help="list the built-in scenarios, or copy them to edit")
    p.add_argument("--copy", metavar="DIR", default=None, help="write editable copies into DIR")

    p = sub.add_parser("compare", help="replicated comparison of scenarios (common seeds)")
    p.add_argument("scenarios", nargs="+", help="scenario TOML files; the first is the reference")
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--days", type=int, default=None)
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--out", default="runs/compare")
    p.add_argument(
        "--decompose",
        action="store_true",
        help="one scenario with a special unit: separate the regime's effect from its "
        "resources' (dispersal, dispersal + the unit's places and posts, the regime with "
        "them added, the regime like for like)",
    )
    p.add_argument(
        "--ensemble",
        metavar="POSTERIOR",
        default=None,
        help="a posterior (Parquet, from `wingsim calibrate`): each replication draws its "
        "mechanism parameters from it, the same draw in every scenario, so the CIs include "
        "parameter uncertainty",
    )

    _store_options(p)

    p = sub.add_parser("sweep", help="run an experiment file (grid, lhs, sobol, morris)")
    p.add_argument("experiment", help="experiment TOML file")
    p.add_argument("--out", default=None, help="results folder (default: runs/<name>)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://HOST:PORT")
    p.add_argument(
        "--scheduler-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="give up on an unreachable --scheduler after this long (default: 10)",
    )
    _store_options(p)

    p = sub.add_parser("analyze", help="sensitivity indices or summaries of a sweep folder")
    p.add_argument("folder")
    p.add_argument("--partial", action="store_true", help=PARTIAL_HELP)

    p = sub.add_parser("report", help="self-contained HTML brief from a compare or sweep folder")
    p.add_argument("folder")
    p.add_argument("--out", default=None, help="HTML file (default: FOLDER/report.html)")
    p.add_argument("--partial", action="store_true", help=PARTIAL_HELP)

    p = sub.add_parser(
        "discover",
        help="scenario discovery (PRIM): where containment does better or worse than dispersal",
    )
    p.add_argument("config", help="discovery TOML file (experiments/discovery-prim.toml)")
    p.add_argument("--out", default=None, help="results folder (default: runs/<name>)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--ensemble",
        metavar="POSTERIOR",
        default=None,
        help="a posterior (Parquet, from `wingsim calibrate`): each point draws its mechanism "
        "parameters from it (replaces the file's `ensemble`)",
    )
    p = sub.add_parser("calibrate", help="ABC-SMC calibration against published targets")
    p.add_argument("targets", help="targets TOML file (calibration/targets.toml)")
    p.add_argument("--out", default=None, help="output folder (default: runs/calibrate-<file>)")
    p.add_argument("--workers", type=int, default=1, help="processes (default: 1)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://HOST:PORT")

    p = sub.add_parser("dashboard", help="start the workshop dashboard")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--scenario", default=None)
    p.add_argument("--workshop", action="store_true", help="participant and trainer pages")
    p.add_argument("--max-sessions", type=int, help="pages served at once (default 40)")
    p.add_argument("--drop-after", type=float, help="seconds a dropped page keeps its run")
    p.add_argument(
        "--recycle-after",
        type=float,
        metavar="S",
        help="restart the server process (same port, token and trainer's rules) to give its "
        "memory back once no page has been open for S seconds (default 60; 0: never)",
    )
    return parser


def _terminated(signum, frame):
    """SIGTERM (``timeout``, a batch scheduler) ends a command as Ctrl-C does: cleanly."""
    exc = KeyboardInterrupt(f"terminated by signal {signum}")
    exc.signum = signum
    raise exc


@contextlib.contextmanager
def _sigterm_as_interrupt():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


#: Commands that can run in a local process pool (``--workers``; none given: all cores).
POOL_COMMANDS = frozenset({"compare", "sweep", "demo", "discover", "calibrate"})


def uses_local_pool(args: argparse.Namespace) -> bool:
    """Whether the command will run in a local process pool (several workers, no Dask)."""
    if args.command not in POOL_COMMANDS or getattr(args, "scheduler", None):
        return False
    if args.workers is None:
        from wingsim.experiments.pool import default_workers

        return default_workers() > 1
    return args.workers > 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from wingsim import __version__

        print(__version__)
        return 0
    if not args.command:
        parser.print_help()
        return 2
    module_name, func_name = HANDLERS[args.command].split(":")
    if uses_local_pool(args):  # the pool's server gets ready while this process imports
        from wingsim.experiments.pool import start_early

        start_early()
    with _sigterm_as_interrupt():
        try:
            handler = getattr(importlib.import_module(module_name), func_name)
            return int(handler(args) or 0)
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", signal.SIGINT)
            print(f"\nwingsim {args.command}: interrupted", file=sys.stderr)
            return 128 + int(signum)
        except BrokenPipeError:  # ``wingsim ... | head``: the reader left; end quietly
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 128 + 13  # as if killed by SIGPIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
