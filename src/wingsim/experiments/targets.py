"""The calibration targets file: published figures, priors and the run's settings.

A targets file (``calibration/targets.toml``) names the establishment it calibrates, the
mechanism parameters left uncertain (``[priors]``, uniform over a range inside each
parameter's allowed range) and the published figures the model must reproduce
(``[targets]``), each with its uncertainty, its source and the model quantity that
matches it. It is validated like a scenario file: unknown keys, wrong types and
out-of-range values are refused with the file, the field and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wingsim.outcomes import headcounts
from wingsim.scenario import (
    InputFileError,
    Scenario,
    ScenarioError,
    field_info,
    load_scenario,
    read_input_file,
)


def _share(numerator: str, denominator: str):
    def statistic(days) -> float:
        total = float(days[denominator].sum())
        return float(days[numerator].sum()) / total if total > 0 else math.nan

    return statistic


#: Model quantities a target can be matched to: name -> (function of the recorded daily
#: table, day 0 excluded; what it is). Rates per 1,000 prisoners and per year are
#: :func:`wingsim.outcomes.headcounts`.
STATISTICS = {
    **{
        name: (lambda days, name=name: headcounts(days)[name], f"outcomes.headcounts {name}")
        for name in (
            "incidents_per_1000_year",
            "assaults_on_staff_per_1000_year",
            "assaults_on_prisoners_per_1000_year",
            "staff_leaving_share_per_year",
        )
    },
    "assaults_on_staff_share": (
        _share("assaults_on_staff", "incidents"),
        "sum of assaults_on_staff / sum of incidents",
    ),
    "special_unit_population_mean": (
        lambda days: float(days["special_unit_population"].mean()),
        "mean of special_unit_population",
    ),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Settings(_Strict):
    """``[calibration]``: what is calibrated and how much it may cost."""

    scenario: str = Field(
        description="Built-in scenario name, or a path relative to the targets file."
    )
    seed: int = Field(0, ge=0, le=2**32 - 1)
    particles: int = Field(40, ge=2, le=10000, description="Particles per generation.")
    generations: int = Field(4, ge=1, le=100, description="ABC-SMC generations.")
    replications: int = Field(1, ge=1, le=100, description="Model runs averaged per particle.")
    days: int = Field(365, ge=1, le=36500, description="Recorded days per run.")
    warmup_days: int = Field(150, ge=0, le=3650, description="Unrecorded days before day 0.")
    epsilon_quantile: float = Field(
        0.5, gt=0.0, lt=1.0, description="Next epsilon = this weighted quantile of distances."
    )
    initial_epsilon: float = Field(
        math.inf, gt=0.0, description="Acceptance distance of generation 0 (inf: all)."
    )
    ppc_draws: int = Field(40, ge=1, le=10000, description="Posterior-predictive runs.")


class Prior(_Strict):
    """One uncertain mechanism parameter: uniform on ``[low, high]``."""

    low: float
    high: float
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Prior:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Target(_Strict):
    """One published figure and the model quantity that matches it."""

    use: Literal["fit", "check", "reference"] = Field(
        description="fit: in the distance; check: posterior-predictive only; reference: "
        "recorded with the reason it is not computed in this calibration."
    )
    value: float
    uncertainty: float = Field(gt=0.0, description="Half-width of the accepted band.")
    unit: str
    statistic: str | None = None
    source: str
    verified: str
    applies_to: str
    definition: str
    note: str = ""

    @model_validator(mode="after")
    def _statistic(self) -> Target:
        if self.use != "reference" and self.statistic not in STATISTICS:
            raise ValueError(
                f"statistic {self.statistic!r} is not known; allowed: {', '.join(STATISTICS)}"
            )
        if self.use == "reference" and not self.note:
            raise ValueError("a reference target needs a note saying why it is not computed")
        return self

    @property
    def low(self) -> float:
        return self.value - self.uncertainty

    @property
    def high(self) -> float:
        return self.value + self.uncertainty


class TargetsFile(_Strict):
    calibration: Settings
    priors: dict[str, Prior] = Field(min_length=1)
    targets: dict[str, Target] = Field(min_length=1)


class TargetsError(ValueError):
    """A targets file was refused; each line names the file, the field and what is allowed."""

    def __init__(self, source: str, errors: list[str]):
        self.errors = [f"{source}: {e}" for e in errors]
        super().__init__("\n".join(self.errors))


class Calibration:
    """A validated targets file with its base scenario resolved."""

    def __init__(self, spec: TargetsFile, scenario: Scenario, path: Path, text: str):
        self.spec, self.scenario, self.path, self.text = spec, scenario, path, text
        self.settings = spec.calibration
        self.parameters = sorted(spec.priors)
        self.fit = {k: t for k, t in spec.targets.items() if t.use == "fit"}
        self.computed = {k: t for k, t in spec.targets.items() if t.use != "reference"}


def _format(err: dict) -> str:
    where = ".".join(str(p) for p in err.get("loc", ())) or "<root>"
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown key"
    got = err.get("input")
    got_txt = "" if isinstance(got, dict) else f" (got {got!r})"[:60]
    limits = err.get("ctx") or {}
    allowed = ", ".join(f"{k} {v}" for k, v in limits.items() if k in ("ge", "gt", "le", "lt"))
    return f"{where}: {err['msg']}{got_txt}" + (f"; allowed: {allowed}" if allowed else "")


def _check_prior(name: str, prior: Prior) -> str | None:
    """A prior must be a float mechanism strength, inside the parameter's allowed range."""
    if not name.startswith("mechanisms."):
        return (
            f"priors.{name}: only mechanism strengths ([mechanisms.*]) are calibrated; "
            "levers and inputs (staffing, regime, probation) are set, not fitted"
        )
    try:
        info = field_info(name)
    except KeyError as exc:
        return f"priors.{name}: {exc.args[0]}"
    if info.annotation is not float:
        kind = getattr(info.annotation, "__name__", info.annotation)
        return f"priors.{name}: only float parameters can be calibrated (this one is {kind})"
    lo = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), -math.inf)
    hi = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), math.inf)
    if prior.low < lo or prior.high > hi:
        return f"priors.{name}: [{prior.low}, {prior.high}] leaves the allowed range [{lo}, {hi}]"
    return None


def load_targets(path: str | Path, base: Path | None = None) -> Calibration:
    """Read and validate a targets file, or raise :class:`TargetsError`.

    A scenario path is relative to ``base`` (default: the file's folder).
    """
    path = Path(path)
    try:
        text = read_input_file(path, "targets file").decode("utf-8-sig")
        data = tomllib.loads(text)
    except InputFileError as exc:
        raise TargetsError(str(path), [exc.reason]) from None
    except UnicodeDecodeError as exc:
        raise TargetsError(str(path), [f"not UTF-8 text: {exc.reason}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetsError(str(path), [f"TOML syntax error: {exc}"]) from None
    try:
        spec = TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise TargetsError(str(path), [_format(e) for e in exc.errors()]) from None
    errors = [e for name, p in spec.priors.items() if (e := _check_prior(name, p))]
    if not any(t.use == "fit" for t in spec.targets.values()):
        errors.append('targets: at least one target needs use = "fit"')
    if errors:
        raise TargetsError(str(path), errors)
    ref = spec.calibration.scenario
    local = (base or path.parent) / ref
    try:
        scenario = load_scenario(local if local.is_file() else ref)
    except ScenarioError as exc:
        raise TargetsError(str(path), [f"calibration.scenario: {e}" for e in exc.errors]) from None
    return Calibration(spec, scenario, path, text)
