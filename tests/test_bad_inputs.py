"""Bad inputs, one table: every case must end with the right exit code and a short message.

Each row of :data:`CASES` is a command line a demanding user might type (an output path
that cannot be written, a malformed or endless input file, an option out of range, a
damaged, busy or foreign results folder), the exit code it must give (2: the input is
refused; 1: the system failed us, or the results are partial) and words the message must
contain (in any case). The test runs every row in-process and asserts: no traceback, that
exit code, a message of at most two lines on stderr, and (where a row says so) that
nothing was deleted or written where it should not be.

``python scripts/bad_inputs.py`` runs the same table in subprocesses (with a timeout and
a memory limit, so an input that never ends shows up as a hang) against this checkout or
another one, which is how the counts before and after issue 13 were measured.

Setups use only the standard library and the command line (``ctx.cli``), so they work
against any wingsim version.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TINY = (
    'name = "{name}"\n[regime]\ntype = "{name}"\n[establishment]\nwings = 2\nwing_capacity = 30\n'
)
GRID = """name = "grid"
scenarios = ["dispersal.toml"]
replications = 2
days = 2
[parameters."staff.training"]
values = [0.2, 0.8]
"""
HOLDER = """import fcntl, json, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, json.dumps({"pid": os.getpid(), "command": ["holder"]}).encode())
print("locked", flush=True)
time.sleep(120)
"""


@dataclass
class Ctx:
    """What a setup gets: the case's folder, a way to run wingsim, clean-ups to register."""

    tmp: Path
    cli: Callable[[list[str]], int]
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    subs: dict[str, str] = field(default_factory=dict)


@dataclass
class Case:
    id: str
    argv: list[str]  # "{tmp}" and the setup's substitutions are filled in
    code: int  # expected exit code
    needle: str  # words the message must contain ("" = any)
    setup: Callable[[Ctx], None] | None = None
    check: Callable[[Ctx], bool] | None = None  # e.g. nothing deleted
    cwd: str = "{tmp}"
    base_argv: list[str] | None = None  # the command line before issue 13 (flags it lacked)


# -- setups ---------------------------------------------------------------------------------
def scenarios(ctx: Ctx) -> None:
    for name in ("dispersal", "containment", "combination"):
        (ctx.tmp / f"{name}.toml").write_text(TINY.format(name=name))
    (ctx.tmp / "afile").write_text("not a folder\n")


def experiment(text: str, name: str = "exp.toml"):
    def setup(ctx: Ctx) -> None:
        scenarios(ctx)
        (ctx.tmp / name).write_text(text)

    return setup


def raw_experiment(data: bytes):
    def setup(ctx: Ctx) -> None:
        scenarios(ctx)
        (ctx.tmp / "exp.toml").write_bytes(data)

    return setup


def fifo(name: str):
    def setup(ctx: Ctx) -> None:
        scenarios(ctx)
        os.mkfifo(ctx.tmp / name)

    return setup


def dev_zero(name: str):
    def setup(ctx: Ctx) -> None:
        scenarios(ctx)
        (ctx.tmp / name).symlink_to("/dev/zero")

    return setup


def posterior(rows: dict | None = None, text: str | None = None):
    """``post.parquet``: a posterior with ``rows`` (or a file holding ``text``)."""

    def setup(ctx: Ctx) -> None:
        import pandas as pd

        scenarios(ctx)
        if text is not None:
            (ctx.tmp / "post.parquet").write_text(text)
        else:
            pd.DataFrame(rows).to_parquet(ctx.tmp / "post.parquet")

    return setup


def read_only(ctx: Ctx) -> None:
    """``{ro}``: a folder that cannot be written (root ignores permissions: /sys then)."""
    scenarios(ctx)
    ro = ctx.tmp / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    ctx.cleanups.append(lambda: ro.chmod(0o755))
    ctx.subs["ro"] = "/sys" if os.geteuid() == 0 else str(ro)


def swept(ctx: Ctx) -> None:
    """``g``: a finished grid sweep (8 runs)."""
    scenarios(ctx)
    (ctx.tmp / "grid.toml").write_text(GRID)
    assert ctx.cli(["sweep", "grid.toml", "--out", "g", "--workers", "1"]) == 0


def compared(ctx: Ctx) -> None:
    """``c``: a finished comparison of two scenarios (2 x 2 runs)."""
    scenarios(ctx)
    argv = ["compare", "dispersal.toml", "containment.toml", "--replications", "2"]
    assert ctx.cli([*argv, "--days", "2", "--workers", "1", "--out", "c"]) == 0


def then(*steps: Callable[[Ctx], None]):
    def setup(ctx: Ctx) -> None:
        for step in steps:
            step(ctx)

    return setup


def truncate(rel: str, keep: int = 100):
    def step(ctx: Ctx) -> None:
        path = ctx.tmp / rel
        path.write_bytes(path.read_bytes()[:keep])

    return step


def write(rel: str, text: str):
    def step(ctx: Ctx) -> None:
        (ctx.tmp / rel).write_text(text)

    return step


def forget(folder: str, run_ids: list[str]):
    """Runs never finished (as after a kill): their files and records are gone."""

    def step(ctx: Ctx) -> None:
        for r in run_ids:
            for sub in ("runs", "timeseries", "status"):
                for p in (ctx.tmp / folder / sub).glob(f"{r}.*"):
                    p.unlink()

    return step


def other_version(ctx: Ctx) -> None:
    """Pretend ``g`` was made by wingsim 0.0.1 (manifest and status records)."""
    for path in [ctx.tmp / "g" / "manifest.json", *(ctx.tmp / "g" / "status").glob("*.json")]:
        data = json.loads(path.read_text())
        data["wingsim_version"] = "0.0.1"
        if "wingsim_versions" in data:
            data["wingsim_versions"] = ["0.0.1"]
        for h in data.get("history", []):
            h["wingsim_version"] = "0.0.1"
        path.write_text(json.dumps(data))


def busy(ctx: Ctx) -> None:
    """Another process holds ``g``'s lock."""
    (ctx.tmp / "g").mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ctx.tmp / "g" / ".lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    ctx.cleanups.append(lambda: (proc.kill(), proc.wait()))
    assert proc.stdout.readline().strip() == "locked"
    ctx.subs["holder"] = str(proc.pid)


def port_in_use(ctx: Ctx) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    ctx.cleanups.append(sock.close)
    ctx.subs["port"] = str(sock.getsockname()[1])


def deep_dir(ctx: Ctx) -> None:
    scenarios(ctx)
    (ctx.tmp / "a" / "b" / "c").mkdir(parents=True)
    (ctx.tmp / "a" / "b" / "c" / "exp.toml").write_text(
        GRID.replace('"grid"', '"../../../escaped"').replace(
            '"dispersal.toml"', f'"{ctx.tmp / "dispersal.toml"}"'
        )
    )


# -- checks ----------------------------------------------------------------------------------
def kept(*rels: str):
    def check(ctx: Ctx) -> bool:
        return all((ctx.tmp / r).exists() for r in rels)

    return check


def runs_kept(ctx: Ctx) -> bool:
    runs = list((ctx.tmp / "g" / "runs").iterdir())
    return (ctx.tmp / "g" / "notes.txt").exists() and len(runs) == 4


def stayed_inside(ctx: Ctx) -> bool:
    return (
        not (ctx.tmp / "a" / "escaped").exists()
        and (ctx.tmp / "a" / "b" / "c" / "runs" / "escaped" / "manifest.json").exists()
    )


CMP = ["compare", "dispersal.toml", "containment.toml", "--replications", "2", "--days", "2"]
SWEEP = ["sweep", "exp.toml", "--workers", "1"]
SOBOL = """name = "s"
scenarios = ["dispersal.toml"]
design = "sobol"
samples = {n}
replications = 1
days = 1
[parameters."staff.training"]
min = 0.1
max = 0.9
[parameters."staff.fairness"]
min = 0.1
max = 0.9
"""
#: 101 x 101 x 101 = 1,030,301 runs.
BIG_GRID = (
    'name = "big"\nscenarios = ["dispersal.toml"]\nreplications = 1\ndays = 1\n'
    + "".join(
        f'[parameters."{p}"]\nvalues = [{", ".join(f"{i / 100:.2f}" for i in range(101))}]\n'
        for p in ("staff.training", "staff.fairness")
    )
    + f'[parameters."establishment.wings"]\nvalues = {list(range(1, 102))}\n'
)

CASES: list[Case] = [
    # -- output paths that cannot be written --------------------------------------------------
    Case("compare --out is a file", [*CMP, "--out", "afile"], 1, "cannot write", scenarios),
    Case("compare --out under a file", [*CMP, "--out", "afile/x"], 1, "cannot write", scenarios),
    Case("compare --out read-only", [*CMP, "--out", "{ro}/x"], 1, "cannot write", read_only),
    Case("sweep --out is a file", [*SWEEP, "--out", "afile"], 1, "cannot write", experiment(GRID)),
    Case(
        "sweep --out read-only",
        [*SWEEP, "--out", "{ro}/x"],
        1,
        "cannot write",
        then(read_only, experiment(GRID)),
    ),
    Case(
        "demo --out is a file",
        ["demo", "--replications", "2", "--days", "2", "--out", "afile"],
        2,
        "is not a folder",
        scenarios,
    ),
    Case(
        "demo --out read-only",
        ["demo", "--replications", "2", "--days", "2", "--out", "{ro}/x"],
        1,
        "cannot write",
        read_only,
    ),
    Case(
        "analyze: an output is a directory",
        ["analyze", "g"],
        1,
        "cannot write",
        then(swept, lambda ctx: (ctx.tmp / "g" / "parameter_summary.png").mkdir()),
    ),
    Case("report --out is a directory", ["report", "g", "--out", "g"], 1, "cannot write", swept),
    Case(
        "report --out in a missing folder",
        ["report", "g", "--out", "nowhere/r.html"],
        1,
        "cannot write",
        swept,
    ),
    Case(
        "report --out read-only",
        ["report", "g", "--out", "{ro}/r.html"],
        1,
        "cannot write",
        then(swept, read_only),
    ),
    Case(
        "run --out read-only",
        ["run", "dispersal.toml", "--days", "1", "--out", "{ro}/x"],
        1,
        "cannot write",
        read_only,
    ),
    Case(
        "run --out is a file",
        ["run", "dispersal.toml", "--days", "1", "--out", "afile"],
        1,
        "cannot write",
        scenarios,
    ),
    Case(
        "scenarios --copy read-only",
        ["scenarios", "--copy", "{ro}/x"],
        1,
        "cannot write",
        read_only,
    ),
    # -- experiment files ----------------------------------------------------------------------
    Case(
        "experiment is a directory",
        [*SWEEP[:1], "adir"],
        2,
        "is a directory",
        lambda ctx: (ctx.tmp / "adir").mkdir(),
    ),
    Case(
        "experiment nested 3,000 deep",
        SWEEP,
        2,
        "nested too deeply",
        raw_experiment(b"name = " + b"[" * 3000 + b"]" * 3000),
    ),
    Case(
        "experiment 5,000-digit integer",
        SWEEP,
        2,
        "4300 digits",
        raw_experiment(b'name = "x"\nscenarios = ["dispersal.toml"]\nseed = ' + b"9" * 5000),
    ),
    Case("experiment is a FIFO", SWEEP, 2, "named pipe", fifo("exp.toml")),
    Case("experiment is /dev/zero", SWEEP, 2, "character device", dev_zero("exp.toml")),
    Case(
        "experiment over 1 MB",
        SWEEP,
        2,
        "too large",
        raw_experiment(b'name = "x"\n' + b"# padding\n" * 200_000),
    ),
    Case("experiment not UTF-8", SWEEP, 2, "UTF-8", raw_experiment(b'name = "caf\xe9"\n')),
    Case("experiment missing", SWEEP, 2, "file not found", scenarios),
    Case("experiment TOML syntax error", SWEEP, 2, "TOML", raw_experiment(b"name = \n")),
    Case(
        "experiment wrong type",
        SWEEP,
        2,
        "replications",
        experiment(GRID.replace("replications = 2", 'replications = "2"')),
    ),
    Case(
        "experiment scenario is a FIFO",
        SWEEP,
        2,
        "named pipe",
        then(fifo("fifo.toml"), experiment(GRID.replace("dispersal.toml", "fifo.toml"))),
    ),
    # -- scenario files ------------------------------------------------------------------------
    Case("run scenario is a FIFO", ["run", "fifo.toml"], 2, "named pipe", fifo("fifo.toml")),
    Case(
        "run scenario is /dev/zero",
        ["run", "zero.toml"],
        2,
        "character device",
        dev_zero("zero.toml"),
    ),
    Case("check scenario is a FIFO", ["check", "fifo.toml"], 2, "named pipe", fifo("fifo.toml")),
    Case(
        "check scenario over 1 MB",
        ["check", "big.toml"],
        2,
        "too large",
        lambda ctx: (ctx.tmp / "big.toml").write_text("# padding\n" * 200_000),
    ),
    Case(
        "check scenario is a directory",
        ["check", "adir"],
        2,
        "is a directory",
        lambda ctx: (ctx.tmp / "adir").mkdir(),
    ),
    Case(
        "compare scenario is a FIFO",
        ["compare", "dispersal.toml", "fifo.toml", "--days", "1"],
        2,
        "named pipe",
        fifo("fifo.toml"),
    ),
    Case("run --days 0", ["run", "dispersal.toml", "--days", "0"], 2, "run.days", scenarios),
    # -- posteriors and discovery files ----------------------------------------------------------
    Case(
        "compare --ensemble is a FIFO",
        [*CMP, "--ensemble", "fifo.pq"],
        2,
        "named pipe",
        fifo("fifo.pq"),
    ),
    Case(
        "compare --ensemble is not Parquet",
        [*CMP, "--ensemble", "post.parquet"],
        2,
        "not a Parquet table",
        posterior(text="a,b\n1,2\n"),
    ),
    Case(
        "compare --ensemble value out of range",
        [*CMP, "--ensemble", "post.parquet"],
        2,
        "outside the allowed range",
        posterior({"mechanisms.grievance.label_stigma": [3.0], "weight": [1.0]}),
    ),
    Case(
        "compare --ensemble has no weights",
        [*CMP, "--ensemble", "post.parquet"],
        2,
        "weight",
        posterior({"mechanisms.grievance.label_stigma": [0.3]}),
    ),
    Case("discover file missing", ["discover", "nowhere.toml"], 2, "file not found", scenarios),
    Case(
        "discover unknown key",
        ["discover", "exp.toml"],
        2,
        "unknown key",
        experiment(
            'name = "d"\nsamples = 8\nseed = 1\nspeed = 2\n[levers."staff.training"]\n'
            "min = 0.1\nmax = 0.9\n"
        ),
    ),
    # -- options -------------------------------------------------------------------------------
    Case(
        "sweep --workers 0",
        ["sweep", "exp.toml", "--workers", "0"],
        2,
        "--workers",
        experiment(GRID),
    ),
    Case(
        "sweep --workers -1",
        ["sweep", "exp.toml", "--workers", "-1"],
        2,
        "--workers",
        experiment(GRID),
    ),
    Case("compare --workers 0", [*CMP, "--workers", "0", "--out", "c"], 2, "--workers", scenarios),
    Case(
        "demo --workers -1",
        ["demo", "--replications", "2", "--days", "2", "--workers", "-1", "--out", "d"],
        2,
        "--workers",
        scenarios,
    ),
    Case(
        "compare --replications 0",
        [*CMP[:3], "--replications", "0", "--out", "c"],
        2,
        "replications",
        scenarios,
    ),
    Case(
        "sweep --scheduler not a url",
        [*SWEEP, "--scheduler", "not a url"],
        2,
        "not a Dask scheduler address",
        experiment(GRID),
    ),
    Case(
        "sweep --scheduler unreachable",
        [*SWEEP, "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "2"],
        1,
        "cannot reach the Dask scheduler",
        experiment(GRID),
        base_argv=[*SWEEP, "--scheduler", "tcp://127.0.0.1:1"],
    ),
    Case("sweep grid of 1.03M runs", SWEEP, 2, "--confirm", experiment(BIG_GRID)),
    Case("sweep sobol N = 100,000", SWEEP, 2, "--confirm", experiment(SOBOL.format(n=100_000))),
    Case(
        "sweep sobol N not a power of two",
        SWEEP,
        2,
        "not a power of two",
        experiment(SOBOL.format(n=6)),
    ),
    Case(
        "sweep name ../../../escaped",
        ["sweep", "exp.toml", "--workers", "1"],
        0,
        "",
        deep_dir,
        check=stayed_inside,
        cwd="{tmp}/a/b/c",
    ),
    # -- results folders -----------------------------------------------------------------------
    Case("analyze a missing folder", ["analyze", "nope"], 2, "nope", scenarios),
    Case(
        "analyze a folder with no manifest",
        ["analyze", "adir"],
        2,
        "not an experiment folder",
        lambda ctx: (ctx.tmp / "adir").mkdir(),
    ),
    Case(
        "analyze with a truncated run file",
        ["analyze", "g"],
        1,
        "damaged",
        then(swept, truncate("g/runs/p00001-r0000.parquet")),
    ),
    Case(
        "report with a truncated run file",
        ["report", "g"],
        1,
        "damaged",
        then(swept, truncate("g/runs/p00001-r0000.parquet")),
    ),
    Case(
        "analyze with a truncated timeseries file",
        ["analyze", "c"],
        1,
        "damaged",
        then(compared, truncate("c/timeseries/p00001-r0000.parquet", 300)),
    ),
    Case(
        "analyze with a damaged manifest.json",
        ["analyze", "g"],
        2,
        "manifest.json",
        then(swept, write("g/manifest.json", "{")),
    ),
    Case(
        "analyze with a damaged design.parquet",
        ["analyze", "g"],
        2,
        "design.parquet",
        then(swept, truncate("g/design.parquet")),
    ),
    Case(
        "analyze without experiment.json",
        ["analyze", "g"],
        2,
        "experiment.json",
        then(swept, lambda ctx: (ctx.tmp / "g" / "experiment.json").unlink()),
    ),
    Case(
        "analyze a killed sweep",
        ["analyze", "g"],
        1,
        "PARTIAL",
        then(swept, forget("g", ["p00001-r0000", "p00001-r0001"])),
    ),
    Case(
        "report a killed comparison",
        ["report", "c"],
        1,
        "PARTIAL",
        then(compared, forget("c", ["p00001-r0000", "p00001-r0001"])),
    ),
    Case(
        "sweep into a busy folder",
        ["sweep", "grid.toml", "--out", "g", "--workers", "1"],
        2,
        "pid {holder}",
        then(swept, busy),
    ),
    Case(
        "resume with another wingsim version",
        ["sweep", "grid.toml", "--out", "g", "--workers", "1"],
        2,
        "wingsim 0.0.1",
        then(swept, other_version),
    ),
    Case(
        "demo --out a sweep folder with notes",
        ["demo", "--replications", "2", "--days", "2", "--workers", "1", "--out", "g"],
        2,
        "not a folder made by wingsim demo",
        then(swept, write("g/notes.txt", "my notes")),
        check=runs_kept,
    ),
    # -- dashboard -----------------------------------------------------------------------------
    Case("dashboard --port 99999", ["dashboard", "--port", "99999"], 2, "--port"),
    Case("dashboard --port -1", ["dashboard", "--port", "-1"], 2, "--port"),
    Case("dashboard --max-sessions 0", ["dashboard", "--max-sessions", "0"], 2, "--max-sessions"),
    Case("dashboard --drop-after 1", ["dashboard", "--drop-after", "1"], 2, "--drop-after"),
    Case(
        "dashboard --scenario missing",
        ["dashboard", "--scenario", "nope.toml"],
        2,
        "file not found",
    ),
    Case(
        "dashboard --scenario invalid",
        ["dashboard", "--scenario", "bad.toml"],
        2,
        "staff.training",
        lambda ctx: (ctx.tmp / "bad.toml").write_text("[staff]\ntraining = 9\n"),
    ),
    Case(
        "dashboard --scenario is a FIFO",
        ["dashboard", "--scenario", "fifo.toml"],
        2,
        "named pipe",
        fifo("fifo.toml"),
    ),
    Case(
        "dashboard --host not a host", ["dashboard", "--host", "no-such-host.invalid"], 2, "--host"
    ),
    Case(
        "dashboard port in use", ["dashboard", "--port", "{port}"], 1, "cannot listen", port_in_use
    ),
]


def fill(ctx: Ctx, words: list[str]) -> list[str]:
    return [w.format(tmp=ctx.tmp, **ctx.subs) for w in words]


def short_message(err: str) -> bool:
    """A message, not a dump: one or two lines (a refused file: its name, then the error)."""
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    return 1 <= len(lines) <= 2 and "Traceback" not in err


# -- the test --------------------------------------------------------------------------------


def test_the_table_is_large_enough():
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch, capsys, alarm):
    from wingsim import cli

    ctx = Ctx(tmp_path, lambda argv: cli.main(argv))
    monkeypatch.chdir(tmp_path)
    try:
        if case.setup:
            case.setup(ctx)
        capsys.readouterr()
        monkeypatch.chdir(case.cwd.format(tmp=tmp_path))
        code = cli.main(fill(ctx, case.argv))
        err = capsys.readouterr().err
        assert code == case.code, err
        if case.code:
            assert short_message(err), err
            assert fill(ctx, [case.needle])[0].lower() in err.lower()
        if case.check:
            assert case.check(ctx)
    finally:
        for cleanup in reversed(ctx.cleanups):
            cleanup()
        shutil.rmtree(tmp_path / "runs", ignore_errors=True)
