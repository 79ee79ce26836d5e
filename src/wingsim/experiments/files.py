"""A run's result files, encoded as Parquet bytes where the run ran.

Encoding happens in the process that ran the model (a pool's worker, a Dask worker, or
the sweep's own process when serial), so the sweep's process only writes bytes; the
results store (:mod:`wingsim.experiments.store`) writes them atomically and records their
checksums.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet bytes, checked to read back before anything is written."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data = sink.getvalue().to_pybytes()
    # Raises if the writer produced something unreadable. One thread: a threaded read
    # starts Arrow's pool of C++ threads, and tearing it down at interpreter exit
    # sometimes aborted a process that had finished its work ("terminate called without
    # an active exception", SIGABRT; seen after a complete sweep).
    pq.read_table(pa.BufferReader(data), use_threads=False)
    return data


def result_files(run_id: str, row: dict, timeseries: pd.DataFrame | None) -> dict[str, bytes]:
    """A succeeded run's files as Parquet bytes, by their path in the results folder: its
    daily table (if kept) and its summary row, in the order they are written."""
    files = {}
    if timeseries is not None:
        table = pa.Table.from_pandas(timeseries, preserve_index=False)
        files[f"timeseries/{run_id}.parquet"] = parquet_bytes(table)
    files[f"runs/{run_id}.parquet"] = parquet_bytes(pa.Table.from_pylist([row]))
    return files
