"""Handlers of ``wingsim run``, ``wingsim check`` and ``wingsim schedule``.

Each takes the parsed ``argparse.Namespace`` and returns an exit code: 0 on success,
2 when a scenario is refused (the message on stderr names the file, field and range).
Heavy imports (the model, pandas, matplotlib) happen only in ``run``, so ``check``
stays quick enough for an editor hook.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from wingsim.scenario import ScenarioError, load_scenario

EXIT_OK = 0
EXIT_BAD_SCENARIO = 2
EXIT_CANNOT_WRITE = 1


def _slug(name: str) -> str:
    """A folder name from a scenario name ("Healthy prison / 2" -> "healthy-prison-2")."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.").lower()
    return slug or "unnamed"


def run(args) -> int:
    """Run one replication, write the run folder, print the key outcomes."""
    overrides = {}
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    if args.days is not None:
        overrides["run.days"] = args.days
    try:
        scenario = load_scenario(args.scenario)
        # Through the schema, so a bad --days/--seed gets the same range message as a file,
        # and summary.json's resolved scenario records what was actually run.
        if overrides:
            scenario = scenario.with_overrides(
                overrides, source=f"{args.scenario} with --seed/--days"
            )
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_SCENARIO

    from wingsim.output import key_outcome_table, timed_run

    out = Path(args.out) if args.out else Path("runs") / _slug(scenario.name)
    try:
        _, summary = timed_run(
            scenario,
            seed=scenario.run.seed,
            days=scenario.run.days,
            out_dir=out,
            progress=sys.stdout.isatty(),
        )
    except OSError as exc:  # e.g. --out names a file, or a read-only folder
        print(f"wingsim run: cannot write {out}: {exc}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    print(
        f"{scenario.name}: {summary['days']} days, seed {summary['seed']}, "
        f"{summary['wall_time_seconds']:.1f} s -> {out}"
    )
    print(key_outcome_table(summary))
    return EXIT_OK


def check(args) -> int:
    """Validate each file; print it fully resolved as TOML, or every error it has."""
    from wingsim.tomlout import dumps

    status = EXIT_OK
    for i, path in enumerate(args.scenario):
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            status = EXIT_BAD_SCENARIO
            continue
        if i:
            print()
        print(f"# {path}: valid; every field resolved (defaults included)")
        print(dumps(scenario.model_dump(mode="json")), end="")
    return status


def show_schedule(args) -> int:
    """Print the day's submodels in order, each with the paper's sentence it models."""
    from wingsim import schedule

    print(schedule.describe())
    return EXIT_OK


def list_scenarios(args) -> int:
    """List the built-in scenarios, or write editable copies of them (and the experiments)."""
    from wingsim import builtin

    if args.copy:
        try:
            written = builtin.copy_to(args.copy)
        except OSError as exc:
            print(f"{args.copy}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_CANNOT_WRITE
        print(f"wrote {len(written)} file(s) into {args.copy} (existing files kept)")
        return EXIT_OK
    names = builtin.scenarios()
    width = max(map(len, names))
    for name, description in names.items():
        print(f"{name:<{width}}  {description}")
    print("\nRun one by name (wingsim run containment) or copy them: wingsim scenarios --copy DIR")
    return EXIT_OK
