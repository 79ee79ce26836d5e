"""CLI handlers: ``demo``, ``compare``, ``sweep``, ``analyze`` and ``report``.

Each takes the parsed ``argparse.Namespace``, calls the engine
(:mod:`wingsim.experiments.engine`, :mod:`wingsim.experiments.folder_analysis`,
:mod:`wingsim.experiments.report`), prints, and returns an exit code: 0 on success; 1 if
runs failed, the results are partial, or the system failed us (a folder that cannot be
written, an unreachable scheduler); 2 for a refused file, folder or option; 128 + the
signal number when interrupted (130 for Ctrl-C, 143 for SIGTERM). Errors are one line
(a refused scenario or experiment file lists each of its errors), never a traceback.
Nothing but the command line imports this module.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from wingsim.experiments.analysis import key_columns
from wingsim.experiments.engine import (
    DEFAULT_SEED,
    check_options,
    decomposition,
    decomposition_scenarios,
    demo_scenarios,
    execute_plan,
    guarded,
    prepare_demo_folder,
    prepare_sweep,
    run_compare,
)
from wingsim.experiments.folder_analysis import analyze_folder
from wingsim.experiments.report import make_report


def _err(message: str) -> None:
    print(message, file=sys.stderr)


# -- compare / demo ------------------------------------------------------------------------
def _fmt(m, lo, hi) -> str:
    if pd.isna(lo):
        return f"{m:.4g}"
    return f"{m:.4g} [{lo:.4g}, {hi:.4g}]"[:38]


def format_comparison(table: pd.DataFrame, outcomes: list[str]) -> str:
    """Side-by-side text table: means (95% CI) and paired differences vs the reference."""
    order = list(dict.fromkeys(table["scenario"]))
    ref = order[0]
    w0 = max(len(o) for o in outcomes) + 2
    w = 40
    lines = [
        f"{'outcome':<{w0}}" + "".join(f"{s:<{w}}" for s in order),
        f"{'':<{w0}}" + "".join(f"{'mean [95% CI]':<{w}}" for _ in order),
    ]
    t = table.set_index(["scenario", "outcome"])
    for o in outcomes:
        lines.append(
            f"{o:<{w0}}"
            + "".join(f"{_fmt(*t.loc[(s, o), ['mean', 'ci_low', 'ci_high']]):<{w}}" for s in order)
        )
        diffs = [
            ""
            if s == ref
            else "diff " + _fmt(*t.loc[(s, o), ["diff", "diff_ci_low", "diff_ci_high"]])
            for s in order
        ]
        lines.append(f"{'  vs ' + ref:<{w0}}" + "".join(f"{d:<{w}}" for d in diffs))
    return "\n".join(lines)


def _print_partial(record: dict) -> None:
    """If results are partial: one ``PARTIAL: ...`` line on stderr, the scenarios short of
    runs on stdout."""
    c = record.get("counts", {})
    if record.get("complete", True):
        return
    _err(
        f"PARTIAL: {c.get('finished')} of {c.get('planned')} planned runs finished "
        f"({c.get('failed', 0)} failed, {c.get('damaged', 0)} damaged, "
        f"{c.get('not_run', 0)} not run); the results use the finished runs only. Rerun the "
        "sweep to complete it, or pass --partial to accept them"
    )
    for r in record.get("per_scenario", []):
        if r["runs_finished"] < r["runs_planned"]:
            print(
                f"  {r['scenario']}: {r['runs_finished']} of {r['runs_planned']} finished, "
                f"{r['runs_failed']} failed"
            )


def _print_claims(folder: Path, ensemble: str | None) -> None:
    """The paper's regime claims in this comparison, with the share in which each holds."""
    path = Path(folder) / "claims.csv"
    if not path.exists():
        return
    claims = pd.read_csv(path)
    over = "posterior draws" if ensemble else "paired replications"
    print(f"\nThe paper's regime claims (b - a; share of {over} with the expected sign):")
    for _, c in claims.iterrows():
        ci = _fmt(c["diff"], c["diff_ci_low"], c["diff_ci_high"])
        print(f"  {c['words'][:58]:<58} {c['b']} - {c['a']}: {ci}  holds in {c['share_holds']:.0%}")


def _compare_and_print(scenarios, replications, days, workers, out, seed, args) -> int:
    start = time.perf_counter()
    for warning in check_options(workers):
        _err(warning)
    folder, table, failed = run_compare(
        scenarios,
        replications,
        days,
        workers,
        out,
        seed,
        wait=getattr(args, "wait", False),
        allow_version_change=getattr(args, "allow_version_change", False),
        confirm=getattr(args, "confirm", False),
        ensemble=getattr(args, "ensemble", None),
    )
    keys = key_columns(table["outcome"].unique())
    print(format_comparison(table, keys))
    _print_claims(folder, ensemble=getattr(args, "ensemble", None))
    html, record, _ = make_report(folder)
    c = record.get("counts", {})
    print(
        f"\n{len(table['scenario'].unique())} scenarios x {replications} replications "
        f"(common seeds) in {time.perf_counter() - start:.1f} s; {c.get('finished')} of "
        f"{c.get('planned')} planned runs finished, {failed} failed"
    )
    _print_partial(record)
    print(f"results: {folder}/comparison.csv, runs.parquet, timeseries.parquet; report: {html}")
    return 1 if failed or not record.get("complete", True) else 0


def compare(args) -> int:
    seed = getattr(args, "seed", None)
    seed = DEFAULT_SEED if seed is None else seed
    if getattr(args, "decompose", False):
        return guarded("compare", args.out, lambda: _decompose(args, seed))
    return guarded(
        "compare",
        args.out,
        lambda: _compare_and_print(
            args.scenarios, args.replications, args.days, args.workers, args.out, seed, args
        ),
    )


def _decompose(args, seed: int) -> int:
    """Regime versus resources: four scenarios from one, and the two parts of the difference."""
    if len(args.scenarios) != 1:
        _err("--decompose takes one scenario (with a special unit)")
        return 2
    out = Path(args.out)
    paths = decomposition_scenarios(args.scenarios[0], out)
    status = _compare_and_print(
        [str(p) for p in paths], args.replications, args.days, args.workers, args.out, seed, args
    )
    runs = pd.read_parquet(out / "runs.parquet")
    table = decomposition(runs, key_columns(runs.columns))
    table.to_csv(out / "decomposition.csv", index=False)
    print("\nRegime versus resources (paired differences, 95% CI):")
    print(f"  {'outcome':<34} {'resources':<38} {'regime':<38} like for like")
    for _, r in table.iterrows():
        cells = [
            _fmt(r[part], r[f"{part}_ci_low"], r[f"{part}_ci_high"])
            for part in ("resources", "regime", "like_for_like")
        ]
        print(f"  {r['outcome']:<34} {cells[0]:<38} {cells[1]:<38} {cells[2]}")
    print(f"decomposition: {out}/decomposition.csv")
    return status


def demo(args) -> int:
    """The main job of ``make demo``: a fresh demonstration each time.

    Its folder is replaced only if an earlier demo made it (it carries the demo's mark
    and nothing else); any other existing folder is refused and left untouched.
    """
    out = Path(args.out)

    def body() -> int:
        check_options(args.workers)
        store, said = prepare_demo_folder(out)
        try:
            if said:
                print(said)
            seed = getattr(args, "seed", None)
            return _compare_and_print(
                demo_scenarios(),
                args.replications,
                args.days,
                args.workers,
                args.out,
                DEFAULT_SEED if seed is None else seed,
                args,
            )
        finally:
            store.release()

    return guarded("demo", out, body)


# -- sweep ---------------------------------------------------------------------------------
def sweep(args) -> int:
    def body() -> int:
        for warning in check_options(args.workers, args.scheduler):
            _err(warning)
        p, folder, store = prepare_sweep(
            args.experiment,
            args.out,
            wait=getattr(args, "wait", False),
            on_wait=lambda holder: _err(
                f"waiting for process {holder.get('pid', '?')} to release the folder"
            ),
            allow_version_change=getattr(args, "allow_version_change", False),
            confirm=getattr(args, "confirm", False),
            workers=args.workers,
        )
        for note in store.notes:
            _err(note)
        exp = p.experiment
        print(
            f"{exp.name}: {exp.design} design, {len(p.table)} runs "
            f"({p.table['point'].nunique()} points x {exp.replications} replications) -> {folder}"
        )
        finished, failed = execute_plan(
            p,
            store,
            workers=args.workers,
            scheduler=args.scheduler,
            scheduler_timeout=getattr(args, "scheduler_timeout", 10.0),
        )
        print(
            f"done: {finished} of {len(p.table)} planned runs finished, {failed} failed"
            + (f" (see {folder}/failures/)" if failed else "")
        )
        print(
            f"next: wingsim analyze {folder}; DuckDB: SELECT * FROM read_parquet('{folder}/runs/"
            "*.parquet')"
        )
        return 1 if failed or finished < len(p.table) else 0

    return guarded("sweep", args.out, body)


# -- analyze / report ----------------------------------------------------------------------
def analyze(args) -> int:
    folder = Path(args.folder)
    partial = getattr(args, "partial", False)

    def body() -> int:
        result = analyze_folder(folder, partial=partial)
        for path in result.written:
            print(f"wrote {path}")
        print(f"runs: {result.status.describe()}")
        for note in result.notes:
            if not note.startswith("partial:"):
                print(f"note: {note}")
        if not partial:
            _print_partial(result.record())
        return 1 if result.partial and not partial else 0

    return guarded("analyze", folder, body)


def report(args) -> int:
    folder = Path(args.folder)
    partial = getattr(args, "partial", False)

    def body() -> int:
        path, record, reanalysed = make_report(
            folder, Path(args.out) if args.out else None, partial
        )
        if reanalysed:
            print(f"analysed {folder} first (no analysis of its runs as they are now)")
        print(f"wrote {path}")
        c = record.get("counts", {})
        print(f"runs: {c.get('finished')} of {c.get('planned')} planned runs finished")
        for note in record.get("notes", []):
            if not note.startswith("partial:"):
                print(f"note: {note}")
        if not partial:
            _print_partial(record)
        return 1 if not record.get("complete", True) and not partial else 0

    return guarded("report", args.out or folder, body)
