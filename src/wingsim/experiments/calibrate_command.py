"""Handler of ``wingsim calibrate TARGETS [--out DIR] [--workers W] [--scheduler A]``.

Kept apart from :mod:`wingsim.experiments.calibration` so that a missing pyabc (the
``calibrate`` extra) is one line, not a traceback; a refused targets file or option exits
2, a folder that cannot be written or an unreachable scheduler 1.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from wingsim.experiments.targets import TargetsError, load_targets


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def calibrate(args) -> int:
    from wingsim.experiments.runner import (
        SchedulerAddressError,
        SchedulerError,
        check_scheduler_address,
    )

    if args.workers < 1:
        _err(f"--workers {args.workers}: must be at least 1")
        return 2
    if args.scheduler is not None:
        try:
            check_scheduler_address(args.scheduler)
        except SchedulerAddressError as exc:
            _err(str(exc))
            return 2
    try:
        from wingsim.experiments.calibration import run_abc, write_results
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        _err(f"wingsim calibrate needs {exc.name}: pip install 'wingsim[calibrate]'")
        return 1
    try:
        cal = load_targets(args.targets)
        out = Path(args.out) if args.out else Path("runs") / f"calibrate-{cal.path.stem}"
        start = time.perf_counter()
        history = run_abc(cal, out, args.workers, args.scheduler)
        table = write_results(cal, history, out)
    except (TargetsError, SchedulerAddressError) as exc:
        _err(str(exc))
        return 2
    except (SchedulerError, OSError) as exc:
        _err(f"wingsim calibrate: {exc}")
        return 1
    for _, r in table[table["use"] != "reference"].iterrows():
        print(
            f"{r['target']:<32} {r['use']:<5} {r['value']:.4g} +/- {r['uncertainty']:.3g}: "
            f"{r['share_within']:.0%} of {int(r['draws'])} posterior draws within"
        )
    print(f"wrote {out} in {time.perf_counter() - start:.0f} s")
    return 0
