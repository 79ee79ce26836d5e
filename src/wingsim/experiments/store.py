"""Results on disk: one Parquet file per finished run, written atomically.

Each run is written to a hidden temporary name and ``os.replace``d into ``runs/``, so a
reader (DuckDB's ``read_parquet('DIR/runs/*.parquet')``, a resumed sweep) only ever sees
complete files, and a crash at any instant loses at most the runs in flight. Resume
skips run ids that already have a file; failures are JSON files with the run's
parameters and traceback, retried on the next invocation.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wingsim.experiments.runner import RunResult

MANIFEST = "manifest.json"


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file so no reader ever sees half of it."""
    _atomic_write_bytes(Path(path), text.encode("utf-8"))


def _atomic_write_table(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


class RunStore:
    """The ``runs/``, ``timeseries/`` and ``failures/`` folders of one experiment folder."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.timeseries = self.folder / "timeseries"
        self.failures = self.folder / "failures"
        for d in (self.folder, self.runs, self.timeseries, self.failures):
            d.mkdir(parents=True, exist_ok=True)

    def clean_temporaries(self) -> int:
        """Remove half-written files left by a killed process; return how many."""
        n = 0
        for d in (self.folder, self.runs, self.timeseries, self.failures):
            for p in d.glob(".*.tmp-*"):
                p.unlink(missing_ok=True)
                n += 1
        return n

    def finished(self) -> set[str]:
        """Run ids whose result file exists (complete by construction)."""
        return {p.name[: -len(".parquet")] for p in self.runs.glob("*.parquet")}

    def failed(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.failures.glob("*.json"))]

    def write(self, result: RunResult) -> None:
        """Record one result; the run file is written last, so it marks completion."""
        fail_file = self.failures / f"{result.run_id}.json"
        if not result.ok:
            record = {
                "run_id": result.run_id,
                "error": result.error,
                "traceback": result.traceback,
                "run": result.row,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            atomic_write_text(fail_file, json.dumps(record, indent=2, default=str))
            return
        if result.timeseries is not None:
            _atomic_write_table(
                self.timeseries / f"{result.run_id}.parquet",
                pa.Table.from_pandas(result.timeseries, preserve_index=False),
            )
        _atomic_write_table(
            self.runs / f"{result.run_id}.parquet", pa.Table.from_pylist([result.row])
        )
        fail_file.unlink(missing_ok=True)

    def read_runs(self) -> pd.DataFrame:
        """All finished runs, one row each, in run-id (= design) order."""
        return _read_glob(self.runs, "run_id")

    def read_timeseries(self) -> pd.DataFrame:
        return _read_glob(self.timeseries, ["run_id", "day"])


def _read_glob(folder: Path, order) -> pd.DataFrame:
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    import duckdb

    order_by = ", ".join([order] if isinstance(order, str) else order)
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT * FROM read_parquet(?, union_by_name=true) ORDER BY {order_by}",
            [[str(f) for f in files]],
        ).df()
    finally:
        con.close()


def write_manifest(folder: Path, data: dict[str, Any]) -> None:
    """The folder's provenance: package version, seeds, platform, command line."""
    from wingsim import __version__

    record = {
        "wingsim_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "command": sys.argv,
        **data,
    }
    atomic_write_text(folder / MANIFEST, json.dumps(record, indent=2, default=str))


def read_manifest(folder: str | Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{folder}: not an experiment folder (no {MANIFEST})")
    return json.loads(path.read_text())
