"""Run the bad-input table of tests/test_bad_inputs.py in subprocesses and count the outcomes.

Each case runs as ``python -m wingsim.cli ...`` in a fresh folder, with a time limit (an
input that never ends counts as a hang) and a memory limit (an endless read counts as a
crash), and is *handled* if it ends with the expected exit code, a message of at most two
lines on stderr and no traceback, and passes the case's check (nothing deleted, nothing
written outside its folder).

    python scripts/bad_inputs.py                       # this checkout
    python scripts/bad_inputs.py --src /tmp/base/src --before   # the commit before issue 13

Setups run with the same wingsim as the cases (through its command line).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_table():
    path = ROOT / "tests" / "test_bad_inputs.py"
    spec = importlib.util.spec_from_file_location("bad_inputs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bad_inputs"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def limit_memory(megabytes: int):
    def apply() -> None:
        size = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return apply


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(ROOT / "src"), help="the src/ folder to test")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--memory", type=int, default=3000, help="MB per case")
    parser.add_argument("-k", default="", help="only cases whose id contains this")
    parser.add_argument(
        "--before",
        action="store_true",
        help="a wingsim from before issue 13: leave out options it did not have",
    )
    args = parser.parse_args()
    table = load_table()
    env = {**os.environ, "PYTHONPATH": args.src}

    def cli(argv, cwd):
        return subprocess.run(
            [sys.executable, "-m", "wingsim.cli", *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        ).returncode

    handled = 0
    cases = [c for c in table.CASES if args.k in c.id]
    for case in cases:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            ctx = table.Ctx(tmp, lambda argv, tmp=tmp: cli(argv, tmp))
            verdict = ""
            try:
                if case.setup:
                    case.setup(ctx)
                argv = table.fill(ctx, (args.before and case.base_argv) or case.argv)
                start = time.monotonic()
                try:
                    proc = subprocess.run(
                        [sys.executable, "-m", "wingsim.cli", *argv],
                        cwd=case.cwd.format(tmp=tmp),
                        env=env,
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                        stdin=subprocess.DEVNULL,
                        preexec_fn=limit_memory(args.memory),
                    )
                except subprocess.TimeoutExpired:
                    verdict = f"hang (no answer in {args.timeout:.0f} s)"
                else:
                    seconds = time.monotonic() - start
                    err = proc.stderr
                    if "Traceback" in err:
                        last = err.strip().splitlines()[-1][:80]
                        verdict = f"traceback ({last})"
                    elif proc.returncode != case.code:
                        verdict = f"exit {proc.returncode}, expected {case.code}"
                    elif case.code and not table.short_message(err):
                        verdict = f"message of {len(err.strip().splitlines())} lines"
                    elif case.code and table.fill(ctx, [case.needle])[0].lower() not in err.lower():
                        verdict = f"message without {case.needle!r}: {err.strip()[:80]!r}"
                    elif case.check and not case.check(ctx):
                        verdict = "its check failed (deleted or wrote what it should not)"
                    else:
                        verdict = f"handled ({seconds:.1f} s)"
                        handled += 1
            except Exception as exc:  # a setup that does not work with this version
                verdict = f"setup failed: {type(exc).__name__}: {exc}"[:120]
            finally:
                for cleanup in reversed(ctx.cleanups):
                    cleanup()
        print(f"{case.id:<48} {verdict}", flush=True)
    print(f"\n{handled} of {len(cases)} bad inputs handled ({args.src})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
