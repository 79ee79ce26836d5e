"""Parameter uncertainty in comparisons: every replication a draw from a posterior.

A posterior is a Parquet file (as ``wingsim calibrate`` writes): one column per
mechanism parameter under its dotted scenario name (``mechanisms.grievance.label_stigma``)
and a ``weight`` column (importance weights of the ABC-SMC population). A comparison
``--ensemble POSTERIOR`` draws one parameter set per replication, with replacement and in
proportion to the weights, and gives the same draw to every scenario of that replication:
the scenarios stay paired (common random numbers *and* common parameters), so a paired
difference's confidence interval now spans both run-to-run noise and what calibration
left uncertain.

Draws come from their own stream of the experiment's seed, so the same experiment draws
the same parameter sets on any machine and in any executor.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from wingsim.scenario import InputFileError, ScenarioError, parameter_info, read_input_file

#: Column of importance weights in a posterior file.
WEIGHT = "weight"
#: Column of the design table naming the posterior row a run drew (0-based).
ROW = "posterior_row"
#: Spawn key of the draws' stream (apart from the replication seeds' stream).
STREAM = 0xE5E
#: A posterior file larger than this is refused (a population is thousands of rows).
MAX_BYTES = 64 * 1024 * 1024


class PosteriorError(ScenarioError):
    """A posterior file could not be used; ``errors`` lists every problem found."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        ValueError.__init__(self, f"{source}: invalid posterior ({len(errors)} error(s)):\n{lines}")


def _check_column(name: str, values: pd.Series) -> list[str]:
    try:
        kind, lo, hi, choices = parameter_info(name)
    except KeyError as exc:
        return [f"{name}: not a scenario parameter ({exc.args[0]})"]
    if choices is not None or kind not in (int, float):
        return [f"{name}: a posterior holds numeric parameters only (this one is {kind})"]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return [f"{name}: expected numbers, got {values.dtype}"]
    x = values.to_numpy(dtype=float)
    if not np.isfinite(x).all():
        return [f"{name}: contains NaN or infinite values"]
    low = -math.inf if lo is None else lo
    high = math.inf if hi is None else hi
    if x.min() < low or x.max() > high:
        return [
            f"{name}: values {x.min():.6g} to {x.max():.6g} lie outside the allowed "
            f"range {low:g} to {high:g}"
        ]
    if kind is int and not np.all(x == np.round(x)):
        return [f"{name}: expected whole numbers"]
    return []


def load_posterior(path: str | Path) -> pd.DataFrame:
    """Read and check a posterior: parameter columns plus ``weight`` (normalised here).

    Raises :class:`PosteriorError` naming the file and every problem (an unknown or
    non-numeric parameter, a value outside the scenario's range, bad weights).
    """
    source = str(path)
    try:
        raw = read_input_file(path, "posterior file", MAX_BYTES)
    except InputFileError as exc:
        raise PosteriorError(source, [exc.reason]) from None
    try:
        table = pd.read_parquet(io.BytesIO(raw))
    except Exception as exc:  # pyarrow raises several types for a non-Parquet file
        raise PosteriorError(source, [f"not a Parquet table: {str(exc)[:120]}"]) from None
    errors = []
    if WEIGHT not in table.columns:
        errors.append(f"{WEIGHT}: missing (the importance weight of each row)")
    params = [c for c in table.columns if c != WEIGHT]
    if not params:
        errors.append("<columns>: no parameter columns")
    if len(table) == 0:
        errors.append("<rows>: the posterior is empty")
    if errors:
        raise PosteriorError(source, errors)
    for name in params:
        errors.extend(_check_column(str(name), table[name]))
    w = pd.to_numeric(table[WEIGHT], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        errors.append(f"{WEIGHT}: weights must be finite, at least 0 and not all 0")
    if errors:
        raise PosteriorError(source, errors)
    out = table[params].copy()
    out[WEIGHT] = w / w.sum()
    return out.reset_index(drop=True)


def parameters(posterior: pd.DataFrame) -> list[str]:
    """The parameter columns of a posterior (its dotted scenario names)."""
    return [c for c in posterior.columns if c != WEIGHT]


def draw(posterior: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn with replacement in proportion to the weights.

    Returns the parameter columns plus :data:`ROW` (the posterior row drawn).
    """
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(STREAM,))))
    rows = gen.choice(len(posterior), size=n, replace=True, p=posterior[WEIGHT].to_numpy())
    names = parameters(posterior)
    out = posterior.loc[rows, names].reset_index(drop=True)
    out.insert(0, ROW, rows.astype(np.int64))
    return out


def effective_sample_size(posterior: pd.DataFrame) -> float:
    """Kish's effective sample size of the weights: how many equal-weight draws they
    are worth."""
    w = posterior[WEIGHT].to_numpy()
    return float(w.sum() ** 2 / (w**2).sum())
