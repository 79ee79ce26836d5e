"""Experiments layer: replicated comparisons, sweeps, sensitivity analysis and reports.

A run is a pure function of (scenario dict, seed, days, outcomes kept), so it gives the
same bits serially, in a process pool or on a Dask cluster. Results stream to disk one
Parquet file per run, which makes every sweep resumable after a crash.
"""
