"""Experiment files: TOML read with ``tomllib`` and checked by a strict pydantic schema.

A bad file is refused as scenario files are: the message names the file, the key and
the allowed values. Parameter names must be dotted scenario fields and their ranges
must lie inside the scenario schema's bounds, so a sweep never fails late on a typo.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wingsim.experiments.ensemble import PosteriorError, load_posterior
from wingsim.experiments.ensemble import parameters as posterior_parameters
from wingsim.outcomes import AGGREGATE, COLUMNS, HEADCOUNTS
from wingsim.scenario import (
    InputFileError,
    ScenarioError,
    _short_repr,
    load_scenario,
    parameter_info,
    read_input_file,
)

DESIGNS = ("grid", "lhs", "sobol", "morris")


class ExperimentError(ScenarioError):
    """An experiment file could not be loaded; ``errors`` lists every problem found."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        ValueError.__init__(
            self, f"{source}: invalid experiment ({len(errors)} error(s)):\n{lines}"
        )


def summary_columns() -> list[str]:
    """Every summary outcome a run can report (``end_*``, ``mean_*``, ``total_*``)."""
    cols = []
    for c in COLUMNS:
        if c == "day":
            continue
        cols.append(f"end_{c}")
        cols.append(f"{'total' if AGGREGATE.get(c) == 'sum' else 'mean'}_{c}")
    return cols + list(HEADCOUNTS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Parameter(_Strict):
    """``values`` for a grid; ``min``/``max`` for lhs, sobol and morris."""

    values: list[Any] | None = Field(None, min_length=1)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_form(self):
        if self.values is None and (self.min is None or self.max is None):
            raise ValueError("give either 'values' (grid) or both 'min' and 'max' (sampling)")
        if self.min is not None and self.max is not None and not self.min < self.max:
            raise ValueError(f"'min' ({self.min}) must be below 'max' ({self.max})")
        return self


class Experiment(_Strict):
    """An experiment: base scenario(s), what varies, the design and the run settings."""

    name: str = Field(min_length=1)
    description: str = ""
    question: str = Field("", description="The policy question, in plain words, for the report.")
    scenarios: list[str] = Field(min_length=1, description="Scenario files, first = reference.")
    overrides: dict[str, Any] = Field(default_factory=dict)
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    samples: int = Field(16, ge=1, le=100_000, description="N of lhs, sobol and morris.")
    second_order: bool = Field(False, description="Sobol: also second-order indices.")
    levels: int = Field(4, ge=2, le=100, description="Morris: grid levels.")
    replications: int = Field(5, ge=1, le=10_000)
    days: int = Field(365, ge=1, le=36_500)
    seed: int = Field(20240601, ge=0, le=2**32 - 1, description="Base seed of replication seeds.")
    outcomes: list[str] | None = Field(None, description="Outcomes kept; default all.")
    timeseries: bool = Field(False, description="Keep every run's daily table.")
    ensemble: str | None = Field(
        None,
        description="A posterior (Parquet, as `wingsim calibrate` writes): each replication "
        "draws its mechanism parameters from it, the same draw for every scenario.",
    )

    # Filled by load_experiment (not from the file):
    source: str = Field("<experiment>", exclude=True)
    base_dir: str = Field(".", exclude=True)


def _loc(err: dict) -> str:
    return ".".join(str(p) for p in err.get("loc", ())) or "<root>"


def _format(err: dict) -> str:
    where = _loc(err)
    if err["type"] == "extra_forbidden":
        parent = err["loc"][:-1]
        model = Parameter if len(parent) == 2 and parent[0] == "parameters" else Experiment
        known = [k for k in model.model_fields if k not in ("source", "base_dir")]
        return f"{where}: unknown key; known keys here: {', '.join(known)}"
    got = err.get("input")
    got_txt = f" (got {_short_repr(got)})" if not isinstance(got, dict) else ""
    allowed = ""
    top = err["loc"][0] if err.get("loc") else None
    if top in Experiment.model_fields and len(err["loc"]) == 1:
        info = Experiment.model_fields[top]
        bounds = [
            f"{s} {getattr(m, n)}"
            for m in info.metadata
            for n, s in (("ge", ">="), ("le", "<="))
            if getattr(m, n, None) is not None
        ]
        if typing.get_origin(info.annotation) is Literal:
            allowed = "; allowed: " + " | ".join(repr(a) for a in typing.get_args(info.annotation))
        elif bounds:
            allowed = "; allowed: " + " and ".join(bounds)
    return f"{where}: {err['msg']}{got_txt}{allowed}"


def _check_parameters(exp: Experiment) -> list[str]:
    errors = []
    for name, p in exp.parameters.items():
        key = f"parameters.{name}"
        try:
            kind, lo, hi, choices = parameter_info(name)
        except KeyError as exc:
            errors.append(f"{key}: {exc.args[0]}")
            continue
        bounds = f"{lo} <= value <= {hi}" if lo is not None or hi is not None else f"{kind}"
        if exp.design == "grid":
            if p.values is None:
                errors.append(f"{key}: a grid design needs 'values' (a list)")
            continue
        if p.values is not None:
            errors.append(f"{key}: a {exp.design} design samples a range; give 'min' and 'max'")
            continue
        if kind not in (int, float):
            errors.append(f"{key}: only numeric fields can be sampled (this one is {kind})")
            continue
        for end, v in (("min", p.min), ("max", p.max)):
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                errors.append(f"{key}.{end}: {v} is outside the scenario range; allowed: {bounds}")
    if exp.design != "grid" and not exp.parameters:
        errors.append(f"parameters: a {exp.design} design needs at least one parameter range")
    if exp.design in ("sobol", "morris") and len(exp.parameters) < 2 and exp.parameters:
        errors.append(f"parameters: a {exp.design} analysis needs at least two parameters")
    if exp.outcomes is not None:
        known = summary_columns()
        for i, o in enumerate(exp.outcomes):
            if o not in known and not any(k.endswith(f"_{o}") for k in known):
                errors.append(
                    f"outcomes.{i}: unknown outcome {o!r}; allowed: a column of "
                    "wingsim.outcomes.COLUMNS or end_/mean_/total_<column>"
                )
    return errors


def expand_outcomes(outcomes: list[str] | None) -> tuple[str, ...] | None:
    """Column names -> their summary keys; summary keys stay as they are."""
    if outcomes is None:
        return None
    known = summary_columns()
    out: list[str] = []
    for o in outcomes:
        keys = [o] if o in known else [k for k in known if k.split("_", 1)[1] == o]
        out.extend(k for k in keys if k not in out)
    return tuple(out)


#: Grids up to this many points are checked point by point; larger ones value by value
#: (their size is questioned before they run: ``wingsim.experiments.engine``).
GRID_CHECK_LIMIT = 10_000


def _check_ensemble(exp: Experiment) -> list[str]:
    """The posterior file reads and checks, and none of its parameters is also varied."""
    if exp.ensemble is None:
        return []
    try:
        names = posterior_parameters(load_posterior(resolve(exp, exp.ensemble)))
    except PosteriorError as exc:
        return [f"ensemble ({exc.source}): {e}" for e in exc.errors]
    twice = sorted(set(names) & (set(exp.parameters) | set(exp.overrides)))
    return [
        f"ensemble: {n} is drawn from the posterior and also set in parameters or overrides"
        for n in twice
    ]


def _grid_checks(exp: Experiment):
    names = list(exp.parameters)
    values = [exp.parameters[n].values or [] for n in names]
    if math.prod(len(v) for v in values) <= GRID_CHECK_LIMIT:
        for combo in itertools.product(*values):
            yield dict(zip(names, combo, strict=True))
    else:
        for name, vs in zip(names, values, strict=True):
            for v in vs:
                yield {name: v}


def validate_experiment(data: dict, source: str, base_dir: str | Path = ".") -> Experiment:
    """Validate experiment data; also load every scenario and check every grid point."""
    if not isinstance(data, dict):
        raise ExperimentError(source, [f"<root>: expected a table, got {type(data).__name__}"])
    try:
        exp = Experiment.model_validate({**data, "source": source, "base_dir": str(base_dir)})
    except ValidationError as exc:
        raise ExperimentError(source, [_format(e) for e in exc.errors()]) from None
    except RecursionError:  # absurdly nested values
        raise ExperimentError(source, ["<root>: values are nested too deeply"]) from None
    errors = _check_parameters(exp)
    errors.extend(_check_ensemble(exp))
    for i, path in enumerate(exp.scenarios):
        try:
            base = load_scenario(resolve(exp, path))
            if exp.overrides:
                base = base.with_overrides(exp.overrides, f"{source} [overrides]")
        except ScenarioError as exc:
            errors.extend(f"scenarios.{i} ({exc.source}): {e}" for e in exc.errors)
            continue
        if exp.design == "grid" and not errors and exp.parameters:
            for overrides in _grid_checks(exp):
                try:
                    base.with_overrides(overrides, source)
                except ScenarioError as exc:
                    errors.extend(f"parameters.{e}" for e in exc.errors)
                    break
    if errors:
        raise ExperimentError(source, errors)
    return exp


def resolve(exp: Experiment, path: str) -> Path:
    """Scenario paths are relative to the experiment file (or absolute)."""
    p = Path(path)
    return p if p.is_absolute() else Path(exp.base_dir) / p


def read_experiment_text(path: str | Path) -> str:
    """The text of an experiment file (a regular UTF-8 file of at most 1 MB), or
    :class:`ExperimentError`."""
    try:
        raw = read_input_file(path, "experiment file")
    except InputFileError as exc:
        raise ExperimentError(str(path), [exc.reason]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExperimentError(str(path), [f"not UTF-8 text: {exc.reason}"]) from None


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file."""
    path = Path(path)
    text = read_experiment_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(str(path), [f"cannot read TOML: {exc}"]) from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's 4300-digit limit
        raise ExperimentError(str(path), [f"TOML value error: {str(exc)[:120]}"]) from None
    except RecursionError:
        raise ExperimentError(str(path), ["TOML syntax error: nested too deeply"]) from None
    return validate_experiment(data, str(path), path.parent)


def fingerprint(exp: Experiment) -> str:
    """A hash of everything that decides the runs (resume refuses a changed experiment)."""
    payload = exp.model_dump_json(exclude={"name", "description", "question"})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
