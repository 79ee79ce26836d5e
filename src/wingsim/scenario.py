"""Scenario schema: every parameter of the wing, with its range, default and meaning.

Scenario files are TOML, parsed with ``tomllib`` (data only, nothing executed) and
validated by pydantic models that forbid unknown keys. A bad file is refused with
:class:`ScenarioError`, whose message names the file, the field and the allowed range.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Establishment(_Section):
    """Units and regime conditions (Liebling's healthy-prison dimensions)."""

    wings: int = Field(5, ge=1, le=200, description="Number of mainstream wings.")
    wing_capacity: int = Field(
        84, ge=10, le=500, description="Places per mainstream wing (paper brief: 60-120)."
    )
    special_unit_capacity: int = Field(
        28,
        ge=0,
        le=2000,
        description="Places in the special unit (England's separation centres: 28).",
    )
    occupancy: float = Field(
        0.95,
        ge=0.3,
        le=1.5,
        description="Prisoners per place on mainstream wings; >1 is overcrowding.",
    )
    time_out_of_cell: Share = Field(0.5, description="Share of the day unlocked on landings.")
    activity_access: Share = Field(
        0.6, description="Access to work, education and purposeful activity."
    )
    family_contact: Share = Field(0.5, description="Frequency and quality of family contact.")
    security_intensity: Share = Field(
        0.3, description="Searches and monitoring on mainstream wings (1 = most intensive)."
    )
    shared_activities: bool = Field(
        True, description="Prisoners of different mainstream wings meet in work and education."
    )


class Population(_Section):
    """Who is in the establishment: category mix, sentences, charismatic leaders."""

    veo_violent_share: Share = Field(0.025, description="VEOs convicted of a violent offence.")
    veo_lesser_share: Share = Field(
        0.025, description="VEOs convicted of a 'lesser' offence (fundraising, travel, possession)."
    )
    at_risk_share: Share = Field(
        0.05, description="At-risk prisoners (not convicted of terrorism)."
    )
    gang_share: Share = Field(0.2, description="Mainstream prisoners in a crime group or gang.")
    leader_share: Share = Field(0.02, description="Charismatic prisoner leaders among arrivals.")
    extremist_leader_share: Share = Field(
        0.5, description="Share of charismatic leaders among VEOs and at-risk who are extremist."
    )
    sentence_days_veo: float = Field(
        1100, ge=14, le=20000, description="Median sentence of VEOs (often under four years)."
    )
    sentence_days_other: float = Field(
        900, ge=14, le=20000, description="Median sentence of other prisoners."
    )
    sentence_spread: float = Field(0.6, ge=0.0, le=2.0, description="Lognormal sigma of sentences.")
    vulnerability_mean: Share = Field(
        0.3, description="Mean susceptibility to coercion/recruitment."
    )


class Staff(_Section):
    """Officers: numbers, training, professionalism; special-unit staffing."""

    staff_ratio: float = Field(
        0.22,
        ge=0.01,
        le=2.0,
        description="Officers per prisoner (NetLogo prison model: 1 per 4.6).",
    )
    training: Share = Field(
        0.4,
        description="Share of officers with general awareness training.",
    )
    fairness: Share = Field(0.7, description="Mean professionalism/fairness of officers.")
    special_unit_staff_ratio: float = Field(
        0.5, ge=0.01, le=3.0, description="Officer posts per special-unit place."
    )
    special_unit_specialist: bool = Field(
        True, description="Special-unit officers have specialist training."
    )
    attrition_base: float = Field(
        0.0003, ge=0.0, le=0.05, description="Daily probability an officer leaves, before stress."
    )
    recruitment_days: float = Field(
        60, ge=1, le=3650, description="Mean days to fill a mainstream vacancy."
    )
    special_unit_recruitment_factor: float = Field(
        2.5,
        ge=1.0,
        le=20.0,
        description="Filling a special-unit vacancy takes this many times longer.",
    )


class Chaplaincy(_Section):
    """Chaplains: pastoral care, theological challenge, separation from security."""

    chaplains: int = Field(2, ge=0, le=500, description="Chaplains serving the establishment.")
    visits_per_chaplain: float = Field(
        8, ge=0, le=100, description="Pastoral contacts per chaplain per day."
    )
    trained: bool = Field(
        True, description="Chaplains are trained for disengagement work (theological dialogue)."
    )
    in_risk_assessment: bool = Field(
        False, description="Chaplains contribute to risk assessment (as in England and Wales)."
    )


class Regime(_Section):
    """Placement policy for VEOs and at-risk prisoners."""

    type: Literal["dispersal", "containment", "combination"] = Field(
        "dispersal", description="dispersal | containment | combination"
    )
    dispersal_cap_per_wing: int = Field(
        4,
        ge=1,
        le=1000,
        description="Dispersal: cap on VEOs and at-risk prisoners per wing, where possible.",
    )
    entry_threshold: Share = Field(
        0.6, description="Assessed risk above which a prisoner meets the entrance criteria."
    )
    exit_criteria: bool = Field(True, description="Prisoners can earn their way out of the unit.")
    exit_threshold: Share = Field(
        0.4, description="Assessed risk below which an assessment counts toward exit."
    )
    exit_assessments: int = Field(
        2, ge=1, le=20, description="Consecutive low assessments needed to leave the unit."
    )
    special_unit_security: Share = Field(
        0.8, description="Search and monitoring intensity on the unit."
    )
    special_unit_time_out_of_cell: Share = Field(
        0.35, description="Time unlocked on the special unit."
    )
    special_unit_activity_access: Share = Field(0.4, description="Activity access on the unit.")
    special_unit_cost_factor: float = Field(
        3.0,
        ge=1.0,
        le=20.0,
        description="Cost of a special-unit place relative to a mainstream place.",
    )


class Assessment(_Section):
    """Risk assessment: periodic, noisy, biased; labels and their stigma."""

    interval_days: int = Field(90, ge=7, le=3650, description="Days between assessments.")
    noise: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Assessment error (sd) with no information about a prisoner.",
    )
    accuracy_gain_from_knowledge: Share = Field(
        0.6, description="Share of error removed when staff know a prisoner well."
    )
    observance_bias: float = Field(
        0.25, ge=0.0, le=1.0, description="Untrained staff misread religious observance as risk."
    )
    label_threshold: Share = Field(
        0.55, description="Assessed risk above which a prisoner is labelled."
    )
    true_risk_threshold: Share = Field(
        0.5,
        description="Extremism above which a prisoner is counted truly at risk (for error rates).",
    )


class Mechanisms(_Section):
    """Strengths of the paper's mechanisms (all per day unless stated)."""

    contacts_per_day: float = Field(
        2.0, ge=0.0, le=50.0, description="Chance meetings with unit mates per day at full unlock."
    )
    tie_contact_rate: float = Field(
        3.0,
        ge=0.0,
        le=20.0,
        description="Daily meetings along ties at full unlock (shared by strength).",
    )
    activity_mixing: Share = Field(
        0.3, description="Share of chance meetings made in shared activities, scaled by access."
    )
    influence_rate: float = Field(
        0.02, ge=0.0, le=0.5, description="Relative-agreement convergence rate mu per contact."
    )
    stubbornness: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="Daily pull of attitude back to predisposition (Friedkin-Johnsen).",
    )
    status_influence: float = Field(
        1.0, ge=0.0, le=10.0, description="Extra influence per unit of the speaker's status."
    )
    charisma_influence: float = Field(
        1.0, ge=0.0, le=10.0, description="Extra influence of a charismatic leader."
    )
    grievance_openness: float = Field(
        0.5,
        ge=0.0,
        le=3.0,
        description="Openness of moderates to extremist views per unit grievance.",
    )
    trust_openness: float = Field(
        0.3,
        ge=0.0,
        le=3.0,
        description="Openness of extremists to moderate views from trust x legitimacy.",
    )
    trust_closure: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Share of openness to extremist views removed by full trust in staff.",
    )
    tie_gain: float = Field(0.08, ge=0.0, le=1.0, description="Tie strengthening per contact.")
    tie_decay: float = Field(0.05, ge=0.0, le=0.5, description="Daily decay of tie strength.")
    homophily: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        description="Bonding falls as exp(-homophily x attitude gap).",
    )
    hostility: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="Hostility multiplier: chance = hostility x attitude gap x max opposition.",
    )
    opposition_contagion: float = Field(
        0.03, ge=0.0, le=1.0, description="Pull of a bonded peer's oppositional mindset."
    )
    trust_contagion: float = Field(
        0.03, ge=0.0, le=1.0, description="Pull of a bonded peer's trust (or distrust) in staff."
    )
    opposition_filter: Share = Field(
        0.8,
        description="Share of a fair contact's chance lost through a full oppositional mindset.",
    )
    peer_norm_weight: Share = Field(
        0.8,
        description="How far a well-bonded prisoner reads staff through his peers' mindset.",
    )
    staff_contacts_per_officer: float = Field(
        12.0, ge=0.0, le=200.0, description="Prisoner contacts an officer on duty makes per day."
    )
    trust_gain: float = Field(0.04, ge=0.0, le=1.0, description="Trust gained from a fair contact.")
    trust_loss: float = Field(
        0.08, ge=0.0, le=1.0, description="Trust lost from a hostile contact."
    )
    label_hostility: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="Extra chance an officer singles out a labelled prisoner (training halves).",
    )
    knowledge_gain: float = Field(
        0.05, ge=0.0, le=1.0, description="What an officer learns per contact."
    )
    chaplain_trust_gain: float = Field(
        0.05, ge=0.0, le=1.0, description="Trust in chaplain per visit."
    )
    chaplain_deradicalisation: float = Field(
        0.02,
        ge=0.0,
        le=0.5,
        description="Extremism reduction per visit by a trained, trusted chaplain.",
    )
    chaplain_security_distrust: float = Field(
        0.5, ge=0.0, le=1.0, description="Share of trust in chaplains lost when they assess risk."
    )
    wellbeing_rate: float = Field(0.02, ge=0.0, le=1.0, description="Daily drift of well-being.")
    legitimacy_rate: float = Field(0.02, ge=0.0, le=1.0, description="Daily drift of legitimacy.")
    label_stigma: Share = Field(0.3, description="Hardship added by carrying a risk label.")
    special_unit_stigma: Share = Field(0.2, description="Hardship added by special-unit placement.")
    singling_out: Share = Field(
        0.3, description="Legitimacy lost when a group is visibly singled out (labels, unit)."
    )
    grievance_trust_erosion: float = Field(
        0.01, ge=0.0, le=0.5, description="Daily trust lost per unit of grievance."
    )
    special_unit_status: Share = Field(
        0.25, description="Status marker from special-unit placement."
    )
    network_status: Share = Field(0.4, description="Weight of network position in status.")
    leader_threshold: Share = Field(0.7, description="Status above which a prisoner leads.")
    leaders_per_100: float = Field(
        4.0, ge=0.0, le=100.0, description="At most this many leaders per 100 prisoners on a unit."
    )
    leader_trust_sensitivity: Share = Field(
        0.2, description="How far poor staff relationships lower the leadership threshold."
    )
    incident_base: float = Field(
        0.02, ge=0.0, le=1.0, description="Daily incident hazard per 100 prisoners at zero tension."
    )
    incident_tension: float = Field(
        3.0, ge=0.0, le=20.0, description="Log-hazard per unit tension."
    )
    incident_staffing: float = Field(
        2.0, ge=0.0, le=20.0, description="Log-hazard reduction per officer-per-prisoner."
    )
    order_leader_effect: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description="Log-hazard reduction per order-keeping leader on the unit.",
    )
    incident_stress: float = Field(
        0.15, ge=0.0, le=1.0, description="Officer stress from an incident."
    )
    stress_recovery: float = Field(0.02, ge=0.0, le=1.0, description="Daily recovery from stress.")
    stress_attrition: float = Field(
        0.01, ge=0.0, le=0.5, description="Extra daily leaving probability per unit stress."
    )
    lockdown_security: Share = Field(
        0.2, description="Security intensity added to a unit after an incident."
    )
    lockdown_recovery: float = Field(0.03, ge=0.0, le=1.0, description="Daily easing of lockdown.")
    intervention_rate: float = Field(
        0.02, ge=0.0, le=1.0, description="Daily chance a labelled or VEO prisoner has a session."
    )
    intervention_effect: float = Field(
        0.03,
        ge=0.0,
        le=0.5,
        description="Extremism reduction by a session with a trusting prisoner.",
    )
    group_leader_disruption: Share = Field(
        0.6, description="Share of a group session's effect lost with an extremist leader present."
    )
    mentoring_trust: float = Field(0.01, ge=0.0, le=0.5, description="Trust gained per session.")


class Interventions(_Section):
    mode: Literal["one_to_one", "group"] = Field(
        "group", description="Specialist sessions are one-to-one or in groups."
    )
    one_to_one_cost: float = Field(
        4.0, ge=0.0, le=100.0, description="Cost units of a 1:1 session."
    )
    group_cost: float = Field(1.0, ge=0.0, le=100.0, description="Cost units of a group place.")


SUBMODEL_NAMES = (
    "intake",
    "prisoner_contacts",
    "staff_contacts",
    "chaplaincy",
    "grievance",
    "status",
    "incidents",
    "interventions",
    "assessment",
    "release",
)


class Submodels(_Section):
    """Switch any mechanism off for an ablation ('the same wing without chaplaincy')."""

    intake: bool = True
    prisoner_contacts: bool = True
    staff_contacts: bool = True
    chaplaincy: bool = True
    grievance: bool = True
    status: bool = True
    incidents: bool = True
    interventions: bool = True
    assessment: bool = True
    release: bool = True


class Run(_Section):
    days: int = Field(365, ge=1, le=36500, description="Days to simulate.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Default seed when none is given.")
    warmup_days: int = Field(
        0,
        ge=0,
        le=3650,
        description="Unrecorded days simulated before day 0, so ties form and attitudes settle.",
    )


class Scenario(_Section):
    """A whole scenario. Sections may be omitted; every field has a default."""

    name: str = "unnamed"
    description: str = ""
    establishment: Establishment = Field(default_factory=Establishment)
    population: Population = Field(default_factory=Population)
    staff: Staff = Field(default_factory=Staff)
    chaplaincy: Chaplaincy = Field(default_factory=Chaplaincy)
    regime: Regime = Field(default_factory=Regime)
    assessment: Assessment = Field(default_factory=Assessment)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    interventions: Interventions = Field(default_factory=Interventions)
    submodels: Submodels = Field(default_factory=Submodels)
    run: Run = Field(default_factory=Run)

    def with_overrides(self, overrides: dict[str, Any], source: str = "<overrides>") -> Scenario:
        """A copy with dotted-key overrides (``{"staff.training": 0.8}``), validated."""
        data = self.model_dump()
        for key, value in overrides.items():
            section, _, field = key.partition(".")
            if not field:
                data[section] = value
            elif isinstance(data.setdefault(section, {}), dict):
                data[section][field] = value
            else:  # "name.x": a scalar has no fields; say so instead of a TypeError
                raise ScenarioError(source, [f"{key}: {section!r} is not a section"])
        return validate_scenario(data, source)


class ScenarioError(ValueError):
    """A scenario could not be loaded; ``errors`` lists every problem found."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{source}: invalid scenario ({len(errors)} error(s)):\n{lines}")


def _describe_allowed(model: type[BaseModel] | None, loc: tuple) -> str:
    """The allowed range or values of the field at ``loc``, read from the schema."""
    try:
        cls = model
        info = None
        for part in loc:
            if cls is None or not isinstance(part, str):
                break
            info = cls.model_fields.get(part)
            if info is None:
                return ""
            ann = info.annotation
            cls = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if info is None:
            return ""
        bounds = []
        for meta in info.metadata:
            for name, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
                if getattr(meta, name, None) is not None:
                    bounds.append(f"{sym} {getattr(meta, name)}")
        ann = info.annotation
        kind = getattr(ann, "__name__", str(ann))
        if bounds:
            return f"allowed: {kind} {' and '.join(bounds)}"
        if getattr(ann, "__origin__", None) is Literal:
            return "allowed: " + " | ".join(repr(a) for a in ann.__args__)
        return f"allowed: {kind}"
    except Exception:  # the message is a courtesy; never let it mask the real error
        return ""


def _format_error(err: dict) -> str:
    loc = tuple(err.get("loc", ()))
    where = ".".join(str(p) for p in loc) or "<root>"
    if err["type"] == "extra_forbidden":
        parent = loc[:-1]
        allowed = _known_keys(parent)
        hint = f"; known keys here: {', '.join(allowed)}" if allowed else ""
        return f"{where}: unknown key{hint}"
    allowed = _describe_allowed(Scenario, loc)
    got = err.get("input")
    got_txt = f" (got {_short_repr(got)})" if not isinstance(got, dict) else ""
    suffix = f"; {allowed}" if allowed else ""
    return f"{where}: {err['msg']}{got_txt}{suffix}"


def _short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters; never raises (huge ints, deep lists)."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__} too large to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _known_keys(loc: tuple) -> list[str]:
    cls: Any = Scenario
    for part in loc:
        info = cls.model_fields.get(part) if isinstance(part, str) else None
        if info is None or not (
            isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
        ):
            return []
        cls = info.annotation
    return sorted(cls.model_fields)


def validate_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a parsed mapping into a :class:`Scenario` or raise :class:`ScenarioError`."""
    if not isinstance(data, dict):
        raise ScenarioError(
            source, [f"<root>: expected a table of sections, got {type(data).__name__}"]
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, [_format_error(e) for e in exc.errors()]) from None
    except RecursionError:  # absurdly nested input; still the caller's file's fault
        raise ScenarioError(source, ["<root>: values are nested too deeply"]) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file."""
    path = Path(path)
    try:
        # utf-8-sig: a byte-order mark (Windows editors) is not a syntax error.
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(str(path), ["file not found"]) from None
    except IsADirectoryError:
        raise ScenarioError(str(path), ["is a directory, not a scenario file"]) from None
    except OSError as exc:
        raise ScenarioError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), [f"not UTF-8 text: {exc.reason}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), [f"TOML syntax error: {exc}"]) from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's 4300-digit limit
        message = f"TOML value error: {str(exc)[:120]}"
        raise ScenarioError(str(path), [message]) from None
    except RecursionError:
        raise ScenarioError(str(path), ["TOML syntax error: nested too deeply"]) from None
    return validate_scenario(data, str(path))


def default_scenario(regime: str = "dispersal") -> Scenario:
    """The default establishment under one regime."""
    return Scenario(name=regime, regime=Regime(type=regime))
