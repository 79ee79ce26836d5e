"""The sweep engine: plan a comparison or sweep, run it resumably into a folder, finish it.

``compare`` is a sweep with no parameters and several scenarios, so both share one
resumable execution path (:func:`execute_plan`) and one folder layout: the design and its
provenance are written first (:func:`prepare_folder`), then each run streams into the
folder's :class:`~wingsim.experiments.store.RunStore`. The CLI handlers in
:mod:`wingsim.experiments.commands`, the robustness analysis and the benchmarks all call
these functions; none of them is an argparse handler.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from wingsim import tomlout
from wingsim.experiments import analysis
from wingsim.experiments.designs import Plan, plan
from wingsim.experiments.experiment_file import (
    ExperimentError,
    load_experiment,
    read_experiment_text,
    validate_experiment,
)
from wingsim.experiments.runner import (
    SchedulerAddressError,
    SchedulerError,
    check_scheduler_address,
    default_workers,
    executor_factory,
    run_specs,
)
from wingsim.experiments.stats import t_interval
from wingsim.experiments.store import (
    LOCK,
    MANIFEST,
    RunStore,
    StoreError,
    Verification,
    atomic_write_text,
    now,
    read_manifest,
    safe_name,
    wingsim_version,
    write_manifest,
)
from wingsim.scenario import ScenarioError, load_scenario

DEFAULT_SEED = 20240601

#: Errors a command reports in one line and exit 2: a refused file, folder or option
#: (scenario and experiment files, a busy, damaged or foreign folder, a version change, a
#: design that needs --confirm, a bad --scheduler address or --workers count).
BAD_INPUT = (ScenarioError, StoreError, SchedulerAddressError)
#: ... and exit 1: the environment failed (cannot write, scheduler unreachable).
CANNOT_DO = (SchedulerError, OSError)
#: Where a sweep goes without ``--out``: ``runs/<experiment name, made safe>``.
DEFAULT_ROOT = Path("runs")


#: What a command prints when Ctrl-C or SIGTERM ends it.
INTERRUPTED = "\ninterrupted: finished runs are saved; rerun the same command to resume"


def guarded(command: str, target, body: Callable[[], int]) -> int:
    """Run a command's body; turn refusals and I/O errors into one line and an exit code
    (2: a refused input, 1: the environment failed, 128 + signal: interrupted)."""

    def err(message: str) -> None:
        print(message, file=sys.stderr)

    try:
        return body()
    except BAD_INPUT as exc:
        err(str(exc))
        return 2
    except BrokenPipeError:  # stdout closed early (``| head``): not a write error of ours
        raise
    except CANNOT_DO as exc:
        if isinstance(exc, OSError) and exc.strerror:
            where = exc.filename or target
            err(f"wingsim {command}: cannot write {where}: {exc.strerror}")
        else:
            err(f"wingsim {command}: {exc}")
        return 1
    except KeyboardInterrupt as exc:
        err(INTERRUPTED)
        return 128 + int(getattr(exc, "signum", signal.SIGINT))


def default_folder(name: str) -> Path:
    """``runs/<name>``, with the name made safe so the folder stays inside ``runs/``."""
    return DEFAULT_ROOT / safe_name(name)


# -- folder and execution ------------------------------------------------------------------
class VersionChange(StoreError):
    """Resuming a folder whose runs another wingsim version made, without permission."""


def _check_versions(folder: Path, manifest: dict, store: RunStore, allow: bool) -> list[str]:
    """The other wingsim versions recorded in ``folder``; refused unless ``allow``."""
    current = wingsim_version()
    recorded = set(manifest.get("wingsim_versions") or [manifest.get("wingsim_version")])
    recorded |= {
        str(r.get("wingsim_version"))
        for r in store.records().values()
        if r.get("status") in ("succeeded", "failed")
    }
    other = sorted(v for v in recorded if v not in (None, "None", current))
    if other and not allow:
        raise VersionChange(
            f"{folder}: its runs were made by wingsim {', '.join(other)}, this is wingsim "
            f"{current}; resuming would mix versions. Choose another --out, or pass "
            "--allow-version-change (each run records the version that made it)"
        )
    return other


def prepare_folder(
    p: Plan,
    folder: Path,
    kind: str,
    source_text: str | None,
    *,
    wait: bool = False,
    on_wait=None,
    allow_version_change: bool = False,
) -> RunStore:
    """Lock the folder, then write the design and provenance first.

    Refuses (with a one-line :class:`StoreError` or :class:`ExperimentError`) a folder
    another process is writing (unless ``wait``), a folder holding another experiment,
    and one whose runs another wingsim version made (unless ``allow_version_change``).
    Every run of the design gets a ``planned`` status record. The returned store holds the
    folder's lock until :func:`execute_plan` ends (or ``store.release()``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store = RunStore(folder, create=False).acquire(wait=wait, on_wait=on_wait)
    try:
        _prepare_locked(p, folder, kind, source_text, store, allow_version_change)
    except BaseException:
        store.release()
        raise
    return store


def _prepare_locked(p, folder, kind, source_text, store, allow_version_change) -> None:
    fp = p.fingerprint()
    if (folder / MANIFEST).exists():
        old = read_manifest(folder)
        if old.get("fingerprint") != fp:
            raise ExperimentError(
                str(folder),
                [
                    "this folder holds results of a different experiment "
                    f"(fingerprint {old.get('fingerprint')} != {fp}); choose another --out"
                ],
            )
        other = _check_versions(folder, old, store, allow_version_change)
        if other:
            store.notes.append(
                f"note: {folder} holds runs of wingsim {', '.join(other)}; new runs are made by "
                f"wingsim {wingsim_version()} (allowed by --allow-version-change; each run "
                "records its version)"
            )
    store.create()
    exp = p.experiment
    exp_dump = exp.model_dump(mode="json")
    exp_dump["scenarios"] = [str(Path(exp.base_dir, s).resolve()) for s in exp.scenarios]
    atomic_write_text(folder / "experiment.json", json.dumps(exp_dump, indent=2))
    atomic_write_text(folder / "experiment.toml", source_text or tomlout.dumps(exp_dump))
    scen_dir = folder / "scenarios"
    scen_dir.mkdir(exist_ok=True)
    for label, base in zip(p.labels, p.bases, strict=True):
        atomic_write_text(
            scen_dir / f"{safe_name(label)}.toml", tomlout.dumps(base.model_dump(mode="json"))
        )
    design = p.design_table()
    design.to_csv(folder / ".design.csv.tmp", index=False)
    Path(folder / ".design.csv.tmp").replace(folder / "design.csv")
    design.to_parquet(folder / ".design.parquet.tmp", index=False)
    Path(folder / ".design.parquet.tmp").replace(folder / "design.parquet")
    seeds = sorted(set(design["seed"].tolist()), key=design["seed"].tolist().index)
    write_manifest(
        folder,
        {
            "kind": kind,
            "experiment": exp.name,
            "fingerprint": fp,
            "design": exp.design,
            "scenarios": dict(zip(p.labels, exp_dump["scenarios"], strict=True)),
            "parameters": p.parameters,
            "replications": exp.replications,
            "days": exp.days,
            "base_seed": exp.seed,
            "seeds": seeds,
            "runs": len(design),
            "reproduce": "wingsim run FOLDER/scenarios/<scenario>.toml --seed <seed> --days <days> "
            "(sweeps: apply the run's parameters from design.csv first)",
        },
    )
    store.mark_planned(p.table["run_id"])


def _say(message: str) -> None:
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def describe_resume(v: Verification, moved: list[Path]) -> str | None:
    """The line a resumed sweep prints: what is done, and what is redone and why."""
    if not (v.succeeded or v.damaged or v.failed or v.running):
        return None
    parts = [f"resuming: {len(v.succeeded)} of {len(v.planned)} runs done"]
    if v.damaged:
        shown = "; ".join(f"{r}: {why}" for r, why in list(v.damaged.items())[:3])
        more = f"; and {len(v.damaged) - 3} more" if len(v.damaged) > 3 else ""
        parts.append(f"redoing {len(v.damaged)} damaged ({shown}{more})")
        if moved:
            parts.append(f"their files moved to {moved[0].parent}/")
    if v.running:
        parts.append(f"redoing {len(v.running)} interrupted")
    if v.failed:
        parts.append(f"retrying {len(v.failed)} failed")
    return "; ".join(parts)


def execute_plan(
    p: Plan,
    store: RunStore,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    faults: dict[str, str] | None = None,
    *,
    release: bool = True,
    say=None,
    scheduler_timeout: float = 10.0,
) -> tuple[int, int]:
    """Run every unfinished run of ``p`` into ``store``; return (finished, failed).

    A run is finished if its status record says so and its files match their checksums;
    damaged runs are moved aside and redone, interrupted and failed ones redone, and the
    resume is described through ``say`` (default: a line on stderr). The folder's lock is
    released at the end unless ``release`` is false. ``faults`` (tests only) maps run ids
    to a :attr:`RunSpec.fault` to inject.
    """
    from tqdm import tqdm

    say = say or _say
    bar = None
    try:
        if store.lock is None or not store.lock.held:
            store.acquire()
        store.clean_temporaries()
        v = store.verify(p.table["run_id"])
        moved = store.quarantine(v.damaged)
        if line := describe_resume(v, moved):
            say(line)
        done = set(v.succeeded)
        total = len(p.table)
        n = default_workers() if workers is None and not scheduler else (workers or 1)
        counts = {"ok": 0, "failed": 0}
        disable = (not sys.stderr.isatty()) if progress is None else not progress
        bar = tqdm(
            total=total,
            initial=len(done),
            unit="run",
            disable=disable,
            desc=p.experiment.name,
            dynamic_ncols=True,
        )

        def on_result(result) -> None:
            store.write(result)
            if result.ok:
                counts["ok"] += 1
            else:
                counts["failed"] += 1
                tqdm.write(f"run {result.run_id} failed: {result.error}", file=sys.stderr)
            bar.update(1)
            bar.set_postfix(failed=counts["failed"])

        def on_event(event: str, spec) -> None:
            tqdm.write(f"run {spec.run_id}: {event}; retrying", file=sys.stderr)

        def started(specs):
            for spec in specs:
                store.mark_running(spec.run_id)
                yield spec

        with executor_factory(
            workers=n, scheduler=scheduler, timeout=scheduler_timeout
        ) as new_executor:
            specs = p.specs(skip=done)
            if faults:
                specs = (replace(s, fault=faults.get(s.run_id)) for s in specs)
            run_specs(
                started(specs),
                new_executor,
                on_result,
                max_in_flight=max(2, 2 * (n if not scheduler else 8)),
                on_event=on_event,
            )
    finally:
        if bar is not None:
            bar.close()
        if release:
            store.release()
    return len(done) + counts["ok"], counts["failed"]


# -- compare ------------------------------------------------------------------------------
def finish_compare(folder: Path, store: RunStore | None = None) -> pd.DataFrame:
    """Consolidate runs and days, write comparison.csv and the plots; return the table.

    Only finished (verified) runs count; the table's ``runs_planned``, ``runs_finished``
    and ``runs_failed`` columns and ``analysis.json`` say how complete it is.
    """
    from wingsim.experiments.folder_analysis import analyze_folder  # matplotlib: only here

    analyze_folder(folder, partial=True)
    return pd.read_csv(Path(folder) / "comparison.csv")


def compare_experiment(
    scenarios: list[str],
    replications: int,
    days: int | None,
    seed: int = DEFAULT_SEED,
    ensemble: str | None = None,
):
    """The experiment of a comparison: every scenario, no parameters, common seeds.

    ``days`` defaults to the first scenario's ``run.days``. With ``ensemble`` (a
    posterior file) each replication also draws its mechanism parameters from it.
    """
    if days is None:
        days = load_scenario(scenarios[0]).run.days
    data = {
        "name": "compare",
        "question": "How do these scenarios differ in their outcomes?",
        "scenarios": [str(Path(s).resolve()) for s in scenarios],
        "design": "grid",
        "replications": replications,
        "days": days,
        "seed": seed,
        "timeseries": True,
    }
    if ensemble is not None:
        data["ensemble"] = str(Path(ensemble).resolve())
    return validate_experiment(data, "<compare command line>")


def compare_plan(
    scenarios: list[str],
    replications: int,
    days: int | None,
    seed: int = DEFAULT_SEED,
    ensemble: str | None = None,
) -> Plan:
    """The plan of a comparison (:func:`compare_experiment`)."""
    return plan(compare_experiment(scenarios, replications, days, seed, ensemble))


def run_compare(
    scenarios: list[str],
    replications: int,
    days: int | None,
    workers: int | None,
    out: str,
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
    *,
    wait: bool = False,
    allow_version_change: bool = False,
    confirm: bool = False,
    say=None,
    ensemble: str | None = None,
) -> tuple[Path, pd.DataFrame, int]:
    """Run (or resume) a comparison into ``out``; return (folder, comparison table, failed)."""
    say = say or _say
    exp = compare_experiment(scenarios, replications, days, seed, ensemble)
    for note in check_design(exp, workers, confirm):
        say(note)
    p = plan(exp)
    folder = Path(out)
    store = prepare_folder(
        p, folder, "compare", None, wait=wait, allow_version_change=allow_version_change
    )
    try:
        for note in store.notes:
            say(note)
        _, failed = execute_plan(
            p, store, workers=workers, progress=progress, release=False, say=say
        )
        return folder, finish_compare(folder, store), failed
    finally:
        store.release()


def prepare_sweep(
    experiment: str | Path,
    out: str | Path | None = None,
    *,
    wait: bool = False,
    on_wait=None,
    allow_version_change: bool = False,
    confirm: bool = False,
    workers: int | None = None,
) -> tuple[Plan, Path, RunStore]:
    """Load an experiment file, question its size, plan it and prepare its folder.

    The folder defaults to ``runs/<name>`` (the name made safe). Notes to show the user
    (a confirmed large design, a version change allowed) are in ``store.notes``.
    """
    exp = load_experiment(experiment)
    notes = check_design(exp, workers, confirm)
    p = plan(exp)
    folder = Path(out) if out else default_folder(exp.name)
    store = prepare_folder(
        p,
        folder,
        "sweep",
        read_experiment_text(experiment),
        wait=wait,
        on_wait=on_wait,
        allow_version_change=allow_version_change,
    )
    store.notes[:0] = notes
    return p, folder, store


#: The four scenarios of a decomposition, in run order (the first is the reference).
DECOMPOSITION = (
    ("dispersal", "dispersal: the wings only"),
    ("dispersal_plus_resources", "dispersal with the unit's places and posts on the wings"),
    ("containment_added", "the regime with the unit's places and posts added"),
    ("containment_like_for_like", "the regime with the unit's places and posts from the wings"),
)


def decomposition_scenarios(scenario: str | Path, folder: Path) -> list[Path]:
    """Write the four scenarios that separate a special unit's regime from its resources.

    From one scenario with a special unit (containment or combination): dispersal; dispersal
    given the unit's places and posts spread over the wings; the regime with the unit's
    resources added on top; the regime like for like (resources from the wings).
    """
    base = load_scenario(scenario)
    if base.regime.type == "dispersal":
        raise ScenarioError(str(scenario), ["--decompose needs a regime with a special unit"])
    places = base.establishment.special_unit_capacity
    posts = int(round(base.staff.special_unit_staff_ratio * places))
    dispersal = base.with_overrides({"regime.type": "dispersal"})
    variants = {
        "dispersal": dispersal,
        "dispersal_plus_resources": dispersal.with_overrides(
            {
                "establishment.extra_places": base.establishment.extra_places + places,
                "staff.extra_posts": base.staff.extra_posts + posts,
            }
        ),
        "containment_added": base.with_overrides({"regime.resources": "added"}),
        "containment_like_for_like": base.with_overrides({"regime.resources": "from_wings"}),
    }
    target = folder / "decomposition-scenarios"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for (label, description), sc in zip(DECOMPOSITION, variants.values(), strict=True):
        data = sc.model_dump(mode="json")
        data.update(name=label, description=description)
        path = target / f"{label}.toml"
        atomic_write_text(path, tomlout.dumps(data))
        paths.append(path)
    return paths


def decomposition(runs: pd.DataFrame, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Regime versus resources, paired over replications, per outcome.

    ``resources`` = dispersal with the unit's resources - dispersal; ``regime`` = the
    regime with resources added - dispersal with the same resources; they sum to the
    whole difference a newly funded unit makes (``added_total``). ``like_for_like`` = the
    regime with resources from the wings - dispersal.
    """
    outcomes = outcomes or analysis.outcome_columns(runs)
    by = {s: runs[runs["scenario"] == s].set_index("replication") for s, _ in DECOMPOSITION}
    parts = {
        "resources": ("dispersal_plus_resources", "dispersal"),
        "regime": ("containment_added", "dispersal_plus_resources"),
        "added_total": ("containment_added", "dispersal"),
        "like_for_like": ("containment_like_for_like", "dispersal"),
    }
    rows = []
    for o in outcomes:
        row: dict = {"outcome": o}
        for part, (b, a) in parts.items():
            x, y = by[b][o].align(by[a][o], join="inner")
            n, m, lo, hi = t_interval(x - y)
            row.update({part: m, f"{part}_ci_low": lo, f"{part}_ci_high": hi, "n": n})
        rows.append(row)
    return pd.DataFrame(rows)


# -- guard rails ----------------------------------------------------------------------------
#: Designs with more runs than this ask for ``--confirm`` (and say how long they would take).
MAX_RUNS = 100_000


class ConfirmationNeeded(StoreError):
    """A design the guard rails question; rerun with ``--confirm`` to go ahead."""


class BadOption(StoreError):
    """A command-line option out of range (one-line message)."""


def check_options(workers: int | None = None, scheduler: str | None = None) -> list[str]:
    """Refuse ``--workers`` below 1 or a malformed ``--scheduler``; return warnings."""
    if scheduler:
        check_scheduler_address(scheduler)
    warning = check_workers(workers)
    return [warning] if warning else []


def check_workers(workers: int | None) -> str | None:
    """Refuse ``--workers`` below 1 (:class:`BadOption`); warn above the core count."""
    if workers is None:
        return None
    if workers < 1:
        raise BadOption(f"--workers must be at least 1 (got {workers})")
    cores = default_workers()
    if workers > cores:
        return (
            f"warning: --workers {workers} is more than the {cores} core(s) available; "
            "the extra processes compete for them and cost memory without speeding anything up"
        )
    return None


def planned_runs(exp) -> int:
    """How many runs an experiment makes, computed without sampling its design."""
    from wingsim.experiments.designs import expected_points

    return expected_points(exp) * len(exp.scenarios) * exp.replications


def seconds_per_run(exp) -> float:
    """Measured here: build the first base scenario, step it a few days, scale to ``days``."""
    import time

    from wingsim.experiments.experiment_file import resolve
    from wingsim.output import run_scenario

    base = load_scenario(resolve(exp, exp.scenarios[0]))
    if exp.overrides:
        base = base.with_overrides(exp.overrides)
    probe = min(exp.days, 10)
    t0 = time.perf_counter()
    run_scenario(base, seed=exp.seed, days=0)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_scenario(base, seed=exp.seed, days=probe)
    per_day = max(0.0, time.perf_counter() - t0 - build) / probe
    return build + per_day * exp.days


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} seconds"


def check_design(exp, workers: int | None, confirm: bool = False) -> list[str]:
    """Question a design over :data:`MAX_RUNS` runs or a Sobol N that is not a power of two.

    Without ``confirm`` raises :class:`ConfirmationNeeded` saying how long the design would
    take at the speed measured on this machine; with it, returns the same words as notes.
    Cheap (no sampling) unless a question is raised.
    """
    problems = []
    n = planned_runs(exp)
    if n > MAX_RUNS:
        problems.append(f"{n:,} runs planned (more than {MAX_RUNS:,})")
    if exp.design == "sobol" and exp.samples & (exp.samples - 1):
        lower = 1 << (exp.samples.bit_length() - 1)
        problems.append(
            f"sobol samples N = {exp.samples} is not a power of two (Saltelli's scheme needs "
            f"one for its convergence properties; use {lower} or {lower * 2})"
        )
    if not problems:
        return []
    w = workers or default_workers()
    per_run = seconds_per_run(exp)
    eta = (
        f"about {_duration(n * per_run / w)} for {n:,} runs at the measured "
        f"{per_run:.2g} s per run on {w} worker(s)"
    )
    if not confirm:
        raise ConfirmationNeeded(
            f"{exp.source}: {'; '.join(problems)}; it would take {eta}. "
            "Rerun with --confirm to go ahead"
        )
    return [f"note: {p}; confirmed ({eta})" for p in problems]


# -- the demo folder --------------------------------------------------------------------------
#: The mark ``wingsim demo`` leaves in its folder: only a folder carrying it is replaced.
DEMO_MARK = ".wingsim-demo"
#: Everything a demo writes into its folder (top level); nothing else is ever removed.
DEMO_ENTRIES = {
    DEMO_MARK,
    ".lock",
    MANIFEST,
    "experiment.json",
    "experiment.toml",
    "scenarios",
    "design.csv",
    "design.parquet",
    "runs",
    "timeseries",
    "failures",
    "status",
    "damaged",
    "runs.parquet",
    "timeseries.parquet",
    "comparison.csv",
    "claims.csv",
    "analysis.json",
    "timeseries.png",
    "distributions.png",
    "forest.png",
    "report.html",
}


def demo_scenarios() -> list[str]:
    """The built-in dispersal, containment and combination scenario files."""
    from wingsim.builtin import SCENARIOS

    return [str(SCENARIOS / f"{r}.toml") for r in ("dispersal", "containment", "combination")]


def _mark_is_ours(folder: Path) -> bool:
    try:
        mark = json.loads((folder / DEMO_MARK).read_text())
    except (OSError, ValueError):
        return False
    return (
        isinstance(mark, dict)
        and mark.get("made_by") == "wingsim demo"
        and mark.get("folder") == str(folder.resolve())
    )


def _check_demo_folder(folder: Path) -> list[str]:
    """The entries of an existing demo folder, or a one-line :class:`StoreError`."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: exists and is not a folder; choose another --out")
    existing = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    if [n for n in existing if n != LOCK] and not _mark_is_ours(folder):
        raise StoreError(
            f"{folder}: not a folder made by wingsim demo (it has no demo mark), so it "
            "is not replaced; choose another --out, or move or remove it yourself"
        )
    foreign = [n for n in existing if n not in DEMO_ENTRIES and ".tmp-" not in n]
    if foreign:
        raise StoreError(
            f"{folder}: holds files wingsim demo did not make ({', '.join(foreign[:4])}"
            f"{', ...' if len(foreign) > 4 else ''}), so it is not replaced; move them "
            "out, or choose another --out"
        )
    return existing


def prepare_demo_folder(folder: Path) -> tuple[RunStore, str | None]:
    """Make ``folder`` ready for a fresh demo and lock it; return (store, what was done).

    A new or empty folder is used as it is. An existing one is replaced only if it carries
    the demo's mark (for this very folder) and holds nothing but what a demo writes;
    anything else is refused with a one-line :class:`StoreError`, and nothing is deleted.
    The folder is checked before it is locked (so a refused folder gets no lock file) and
    again after (so nothing changed in between).
    """
    import shutil

    folder = Path(folder)
    _check_demo_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store = RunStore(folder, create=False).acquire()
    said = None
    try:
        existing = [n for n in _check_demo_folder(folder) if n != LOCK]
        for name in existing:
            path = folder / name
            if name == DEMO_MARK:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        if existing:
            said = f"replacing the previous demo output in {folder}"
        mark = {"made_by": "wingsim demo", "folder": str(folder.resolve()), "created": now()}
        atomic_write_text(folder / DEMO_MARK, json.dumps(mark, indent=2))
    except BaseException:
        store.release()
        raise
    return store, said
