"""Scenario schema: every parameter of the wing, with its range, default and meaning.

Scenario files are TOML, parsed with ``tomllib`` (data only, nothing executed) and
validated by pydantic models that forbid unknown keys. A bad file is refused with
:class:`ScenarioError`, whose message names the file, the field and the allowed range.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from wingsim.builtin import scenario_path
from wingsim.builtin import scenarios as builtin_scenarios
from wingsim.params import par
from wingsim.schedule import DAY


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Establishment(_Section):
    """Units and regime conditions (Liebling's healthy-prison dimensions)."""

    wings: int = par(
        5,
        ge=1,
        le=200,
        unit="count",
        doc="Number of mainstream wings.",
        source="paper/brief scale (high-security establishment of 4-6 wings)",
    )
    wing_capacity: int = par(
        84,
        ge=10,
        le=500,
        unit="places",
        doc="Places per mainstream wing (paper brief: 60-120).",
        source="paper/brief scale (wings of 60-120)",
    )
    special_unit_capacity: int = par(
        28,
        ge=0,
        le=2000,
        unit="places",
        doc="Places in the special unit (England's separation centres: 28).",
        source="paper (England's separation centres: 28 places; Dutch terrorist wings ~30)",
    )
    occupancy: float = par(
        0.95,
        ge=0.3,
        le=1.5,
        unit="prisoners/place",
        doc="Prisoners per place on mainstream wings; >1 is overcrowding.",
    )
    time_out_of_cell: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share of day",
        doc="Share of the day unlocked on landings.",
        source="assumption (Liebling MQPL dimension)",
    )
    activity_access: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Access to work, education and purposeful activity.",
        source="assumption (Liebling MQPL dimension)",
    )
    family_contact: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Frequency and quality of family contact.",
        source="assumption (Liebling MQPL dimension)",
    )
    security_intensity: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Searches and monitoring on mainstream wings (1 = most intensive).",
    )
    shared_activities: bool = par(
        True, unit="flag", doc="Prisoners of different mainstream wings meet in work and education."
    )
    extra_places: int = par(
        0,
        ge=0,
        le=10000,
        unit="places",
        doc="Places added to the mainstream wings, spread evenly (the resource half of a "
        "decomposition: dispersal with the places a special unit would add).",
    )


class Population(_Section):
    """Who is in the establishment: category mix, sentences, charismatic leaders."""

    veo_violent_share: float = par(
        0.025,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="VEOs convicted of a violent offence.",
        source="paper (VEOs a few percent of the population)",
    )
    veo_lesser_share: float = par(
        0.025,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="VEOs convicted of a 'lesser' offence (fundraising, travel, possession).",
        source="paper (VEOs a few percent; 'lesser' offences)",
    )
    at_risk_share: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="At-risk prisoners (not convicted of terrorism).",
        source="paper (at-risk a few percent more)",
    )
    gang_share: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Mainstream prisoners in a crime group or gang.",
    )
    leader_share: float = par(
        0.02,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Charismatic prisoners among arrivals and the initial population.",
    )
    extremist_leader_share: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of charismatic leaders among VEOs and at-risk who are extremist.",
    )
    sentence_days_veo: float = par(
        1100,
        ge=14,
        le=20000,
        unit="days",
        doc="Median sentence of VEOs (often under four years).",
        source="paper (terrorist sentences often under four years)",
    )
    sentence_days_other: float = par(
        900, ge=14, le=20000, unit="days", doc="Median sentence of other prisoners."
    )
    sentence_spread: float = par(
        0.6, ge=0.0, le=2.0, unit="log-days (sigma)", doc="Lognormal sigma of sentences."
    )
    vulnerability_mean: float = par(
        0.3, ge=0.0, le=1.0, unit="index (0-1)", doc="Mean susceptibility to coercion/recruitment."
    )


class Staff(_Section):
    """Officer posts and who fills them (attrition and recruitment: ``[mechanisms.staffing]``)."""

    staff_ratio: float = par(
        0.22,
        ge=0.01,
        le=2.0,
        unit="officers/prisoner",
        doc=(
            "Officer posts per prisoner on a mainstream wing, at nominal fill: posts per wing = "
            "round(ratio x wing_capacity x occupancy) (NetLogo prison model: 1 per 4.6)."
        ),
        source="NetLogo 'Prison Architecture and Emergent Violence' (1 guard per 4.6 inmates)",
    )
    training: float = par(
        0.4,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Chance a newly hired officer has general awareness training (all posts; special-unit "
            "posts are specialist if `special_unit_specialist`)."
        ),
    )
    fairness: float = par(
        0.7, ge=0.0, le=1.0, unit="index (0-1)", doc="Mean professionalism/fairness of officers."
    )
    special_unit_staff_ratio: float = par(
        0.5,
        ge=0.01,
        le=3.0,
        unit="officers/place",
        doc=(
            "Officer posts per special-unit *place* (posts = round(ratio x "
            "special_unit_capacity)); none when the unit is closed."
        ),
    )
    special_unit_specialist: bool = par(
        True, unit="flag", doc="Special-unit officers have specialist training."
    )
    extra_posts: int = par(
        0,
        ge=0,
        le=10000,
        unit="posts",
        doc="Officer posts added to the mainstream wings, spread evenly (the resource half of "
        "a decomposition: dispersal with the posts a special unit would add).",
    )


class Chaplaincy(_Section):
    """Chaplains: how many, how often they visit, their training and their role."""

    chaplains: int = par(2, ge=0, le=500, unit="count", doc="Chaplains serving the establishment.")
    visits_per_chaplain: float = par(
        8, ge=0, le=100, unit="visits/chaplain/day", doc="Pastoral contacts per chaplain per day."
    )
    trained: bool = par(
        True,
        unit="flag",
        doc="Chaplains are trained for disengagement work (theological dialogue).",
    )
    in_risk_assessment: bool = par(
        False,
        unit="flag",
        doc="Chaplains contribute to risk assessment (as in England and Wales).",
        source="paper (England and Wales practice)",
    )


class Regime(_Section):
    """Placement policy for VEOs and at-risk prisoners (``submodels/placement.py``)."""

    type: Literal["dispersal", "containment", "combination"] = Field(
        "dispersal",
        description="Placement policy: dispersal, containment or combination.",
        json_schema_extra={"unit": "category", "source": "paper (three regime types)"},
    )
    resources: Literal["from_wings", "added"] = Field(
        "from_wings",
        description="Where the special unit's places and officer posts come from: taken "
        "from the mainstream wings (like for like: the establishment's budget of places and "
        "posts is the same under every regime) or added on top of them.",
        json_schema_extra={
            "unit": "category",
            "source": "England's separation centres sit inside existing high-security "
            "prisons (HMIP 2022); that their posts come from the host prison is an assumption",
        },
    )
    dispersal_cap_per_wing: int = par(
        4,
        ge=1,
        le=1000,
        unit="prisoners/wing",
        doc=(
            "Placement aims for at most this many prisoners of concern (VEO **and at-risk**) per "
            "wing; exceeded only if no wing is under the cap."
        ),
    )
    entry_threshold: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="assessed risk (0-1)",
        doc="Assessed risk above which a prisoner meets the entrance criteria.",
    )
    exit_criteria: bool = par(
        True, unit="flag", doc="Prisoners can earn their way out of the unit."
    )
    exit_threshold: float = par(
        0.4,
        ge=0.0,
        le=1.0,
        unit="assessed risk (0-1)",
        doc="Assessed risk below which an assessment counts toward exit.",
    )
    exit_assessments: int = par(
        2, ge=1, le=20, unit="count", doc="Consecutive low assessments needed to leave the unit."
    )
    special_unit_security: float = par(
        0.8, ge=0.0, le=1.0, unit="index (0-1)", doc="Search and monitoring intensity on the unit."
    )
    special_unit_time_out_of_cell: float = par(
        0.35, ge=0.0, le=1.0, unit="share of day", doc="Time unlocked on the special unit."
    )
    special_unit_activity_access: float = par(
        0.4, ge=0.0, le=1.0, unit="share (0-1)", doc="Activity access on the unit."
    )


class Assessment(_Section):
    """Risk assessment policy: how often, how accurate, where the label starts."""

    interval_days: int = par(90, ge=7, le=3650, unit="days", doc="Days between assessments.")
    noise: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="sd of risk (0-1 scale)",
        doc="Assessment error (sd) with no information about a prisoner.",
    )
    label_threshold: float = par(
        0.55,
        ge=0.0,
        le=1.0,
        unit="assessed risk (0-1)",
        doc="Assessed risk above which a prisoner is labelled.",
    )
    label_removal_assessments: int = par(
        2,
        ge=1,
        le=20,
        unit="assessments",
        doc="Consecutive assessments below the label threshold (off the special unit) before "
        "a label is lifted: labels outlast what gave them.",
        source="paper ('intelligence must be used in a dynamic way, allowing for individuals "
        "to have their risk lowered'); value assumption",
    )


class Interventions(_Section):
    """Specialist interventions: the format chosen and what a session costs."""

    mode: Literal["one_to_one", "group"] = Field(
        "group",
        description="Specialist sessions are one-to-one or in groups.",
        json_schema_extra={
            "unit": "category",
            "source": "paper (one-to-one should take priority over group)",
        },
    )


class Definitions(_Section):
    """Where the model draws lines between kinds of people (for outcomes and mechanisms).

    Definitions, not mechanisms: they decide what is counted as radical, not what
    happens. They are parameters so their effect on conclusions can be measured.
    """

    radical_threshold: float = par(
        0.5,
        ge=0.05,
        le=0.95,
        unit="extremism (0-1)",
        doc="Extremism above which a prisoner holds radical views: counted in the "
        "radicalisation outcomes; the line between extremist and order-keeping leaders and "
        "between committed extremists (who may plan) and others.",
    )
    radical_buffer: float = par(
        0.05,
        ge=0.0,
        le=0.3,
        unit="extremism (0-1)",
        doc="Half-width of the band around the radical threshold that a prisoner must cross "
        "to be counted as entering (above threshold + buffer) or leaving (below threshold - "
        "buffer) radical views, so noise near the line is not counted as change.",
    )
    true_risk_threshold: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="extremism (0-1)",
        doc="Extremism above which a prisoner is counted truly at risk (for the assessment's "
        "false positive and negative rates).",
    )


class Costs(_Section):
    """What resources cost, in euros (2024 prices), for cost per prisoner-year.

    Cost is accounting: it follows from the resources a run uses, by definition. The
    values are orders of magnitude for a high-security establishment in England and
    Wales converted at about 1.18 euros per pound (see docs/ODD.md, 'Cost'); set them
    for the jurisdiction studied.
    """

    officer_year_eur: float = par(
        45000.0,
        ge=0.0,
        le=1e6,
        unit="EUR per officer post-year",
        doc="Pay and on-costs of an officer in post.",
        source="assumption: HMPPS band 3 prison officer pay (about 32,000 GBP in 2024) "
        "plus about 20% on-costs",
    )
    general_training_eur: float = par(
        1500.0,
        ge=0.0,
        le=1e5,
        unit="EUR per officer-year",
        doc="Cost of keeping an officer's general awareness training current.",
        source="assumption",
    )
    specialist_premium_eur: float = par(
        8000.0,
        ge=0.0,
        le=1e5,
        unit="EUR per officer-year",
        doc="Extra cost of a specialist officer (training, allowance, supervision).",
        source="assumption",
    )
    place_year_eur: float = par(
        20000.0,
        ge=0.0,
        le=1e6,
        unit="EUR per occupied place-year",
        doc="Running cost of an occupied mainstream place other than officers (estate, "
        "food, healthcare, education share).",
        source="assumption: about 40% of a high-security cost per place (Ministry of Justice, "
        "costs per place and costs per prisoner releases)",
    )
    special_unit_place_factor: float = par(
        3.0,
        ge=1.0,
        le=20.0,
        unit="multiplier",
        doc="Running cost of a special-unit place (besides its officers) relative to a "
        "mainstream place: single cells, separate facilities, security systems.",
        source="assumption",
    )
    one_to_one_session_eur: float = par(
        400.0,
        ge=0.0,
        le=1e5,
        unit="EUR per session",
        doc="A one-to-one specialist session (psychologist or facilitator, preparation).",
        source="assumption",
    )
    group_place_eur: float = par(
        100.0,
        ge=0.0,
        le=1e5,
        unit="EUR per place",
        doc="One place in a group session.",
        source="assumption",
    )
    assessment_eur: float = par(
        300.0,
        ge=0.0,
        le=1e5,
        unit="EUR per assessment",
        doc="A structured risk assessment (staff time to gather, write and review it).",
        source="assumption",
    )


class Probation(_Section):
    """The probation service and the community after release: the levers a service decides.

    How strongly each mechanism works is in its ``[mechanisms.<submodel>]`` table; this
    section holds what a service (with its partners) chooses or faces: how early planning
    starts, caseloads, mentors, information sharing, family involvement, services, and
    the stigma of the community people return to.
    """

    step_days: int = par(
        7,
        ge=1,
        le=28,
        unit="days",
        doc=(
            "The community's mechanisms step every this many days (1 = daily), with rates and "
            "chances scaled to the days each person lived since the last step."
        ),
        source="model design (resolution; weekly keeps the model's speed)",
    )
    horizon_days: int = par(
        730,
        ge=1,
        le=3650,
        unit="days",
        doc="Days each released person is followed in the community (the outcome window).",
        source="brief (outcomes over one to two years after release)",
    )
    planning_lead_days: int = par(
        182,
        ge=0,
        le=1825,
        unit="days",
        doc=(
            "Resettlement planning starts this many days before release (0 = at release); "
            "a shorter sentence leaves only the time it has."
        ),
        source="paper ('preferably at least six months earlier')",
    )
    continuity: bool = par(
        True,
        unit="flag",
        doc=(
            "The probation officer and the mentor meet the person in prison during planning "
            "and stay after release (false: support starts at the gate with strangers)."
        ),
        source="paper ('Offenders must have continuity of support from prison to release')",
    )
    caseload: float = par(
        35.0,
        ge=1.0,
        le=200.0,
        unit="people per officer",
        doc=(
            "Caseload the service staffs for: a new officer is hired when every officer holds "
            "this many cases."
        ),
        source=(
            "UK Parliament written answer, 11 Sep 2024 (average caseload per probation officer "
            "in England and Wales 35-37, 2021-24)"
        ),
    )
    min_licence_days: int = par(
        365,
        ge=0,
        le=3650,
        unit="days",
        doc=(
            "Shortest supervision on licence after release; a longer sentence is supervised "
            "for as long as it was served (release at the half-way point)."
        ),
        source="Offender Rehabilitation Act 2014 (12 months' supervision); assumption",
    )
    officer_matching: bool = par(
        True,
        unit="flag",
        doc=(
            "Cases go to an officer of the same cultural or religious background when one has room."
        ),
        source="paper ('Probation officers who share a cultural or religious background ...')",
    )
    information_sharing: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc=(
            "How fully prison, probation, police, health and community services share what they "
            "know in the pre-release risk and needs assessment."
        ),
        source="paper (multi-agency cooperation); value assumption",
    )
    mentors: int = par(
        25,
        ge=0,
        le=10000,
        unit="mentors",
        doc="Mentors available to the service ('formers', religious and community volunteers).",
        source="assumption",
    )
    mentees_per_mentor: int = par(
        3, ge=1, le=50, unit="people", doc="People a mentor works with at once."
    )
    former_share: float = par(
        0.25,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of mentors who are 'formers' (left violent extremism themselves).",
        source="paper (mentoring programmes in Denmark and the UK); value assumption",
    )
    religious_share: float = par(
        0.35,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of mentors from religious communities (the rest are community volunteers).",
    )
    mentor_vetting: bool = par(
        True,
        unit="flag",
        doc="Mentors are vetted for hidden agendas before they are matched.",
        source="paper ('Vetting mentors to make sure there are no hidden agendas')",
    )
    mentor_matching: bool = par(
        True,
        unit="flag",
        doc=(
            "Mentors are matched to a person's needs (formers to the engaged, religious "
            "mentors to the observant)."
        ),
        source="paper ('a good matching process between mentor and offender')",
    )
    family_involvement: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Chance that a family is involved in the plan and supervision (tasks, training), "
            "if planning had time to do it."
        ),
        source="paper ('Involving an ex-offender's social network, especially the family')",
    )
    support_services: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Structured cooperation with housing, employment and education services.",
        source="paper ('Structured cooperation with service-providers'); value assumption",
    )
    mental_health_services: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Availability of mental health assessment and treatment, in prison and after.",
        source="paper ('Mental health services and assessments are needed'); value assumption",
    )
    public_stigma: float = par(
        0.4,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc=(
            "Stigma the community attaches to a prison record (VEOs and the labelled meet "
            "more: [mechanisms.barriers])."
        ),
        source="paper ('Barriers to reintegration'); value assumption",
    )


def _mechanisms_section(day: tuple) -> type[_Section]:
    """``[mechanisms]``: one table per submodel of ``day`` that has parameters."""
    tables = {
        cls.name: (cls.Params, Field(default_factory=cls.Params, description=_first_line(cls)))
        for cls in day
        if cls.Params.model_fields
    }
    return create_model(
        "Mechanisms",
        __base__=_Section,
        __doc__="Strengths of the paper's mechanisms, one table per submodel.",
        **tables,
    )


def _switches_section(day: tuple) -> type[_Section]:
    """``[submodels]``: an on/off switch per submodel of ``day`` (ablation)."""
    switches = {
        cls.name: (
            bool,
            par(
                True,
                unit="flag",
                doc=f"Run the `{cls.name}` submodel each day (false = ablation).",
                source="model design (ablation switch)",
            ),
        )
        for cls in day
    }
    return create_model(
        "Submodels",
        __base__=_Section,
        __doc__="Switch any mechanism off for an ablation ('the same wing without chaplaincy').",
        **switches,
    )


def _first_line(cls: type) -> str:
    return (cls.__doc__ or cls.__name__).strip().splitlines()[0]


Mechanisms = _mechanisms_section(DAY)
Submodels = _switches_section(DAY)
SUBMODEL_NAMES = tuple(cls.name for cls in DAY)


class Run(_Section):
    """How long to run and from which seed."""

    days: int = par(365, ge=1, le=36500, unit="days", doc="Days to simulate.")
    seed: int = par(
        0,
        ge=0,
        le=9223372036854775807,
        unit="integer",
        doc="Default seed when none is given.",
        source="-",
    )
    warmup_days: int = par(
        0,
        ge=0,
        le=3650,
        unit="days",
        doc=(
            "Unrecorded days simulated before day 0 (the initial tie network is empty and "
            "attitudes relax over the first 100-150 days); day 0 is recorded after them."
        ),
        source="assumption (analysis choice)",
    )
    slot_order_days: int = par(
        0,
        ge=0,
        le=3650,
        unit="days",
        doc=(
            "Every so many days (from day 1) prisoners' rows are renumbered in unit order, "
            "so a unit's prisoners sit together in memory (0: never). A computing setting, "
            "not a mechanism: a renumbered run is another equally likely run of the same "
            "scenario, not the same trajectory, and it pairs two regimes' draws less closely "
            "(the order follows each regime's units). It saves little: 5-10% of a year's CPU "
            "at 80,000 places (idle and under load); "
            "off by default so paired regime comparisons keep their common random numbers."
        ),
        source="performance setting (benchmarks/bench_locality.py, scripts/check_slot_order.py)",
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
    probation: Probation = Field(default_factory=Probation)
    definitions: Definitions = Field(default_factory=Definitions)
    costs: Costs = Field(default_factory=Costs)
    submodels: Submodels = Field(default_factory=Submodels)
    run: Run = Field(default_factory=Run)

    def with_overrides(self, overrides: dict[str, Any], source: str = "<overrides>") -> Scenario:
        """A copy with dotted-key overrides, validated like a file.

        ``{"staff.training": 0.8, "mechanisms.prisoner_contacts.influence_rate": 0.05}``
        """
        data = self.model_dump()
        for key, value in overrides.items():
            *path, field = key.split(".")
            table = data
            for depth, part in enumerate(path):
                table = table.setdefault(part, {})
                if not isinstance(table, dict):  # "name.x": a scalar has no fields
                    where = ".".join(path[: depth + 1])
                    raise ScenarioError(source, [f"{key}: {where!r} is not a section"])
            table[field] = value
        return validate_scenario(data, source, schema=type(self))


class ScenarioError(ValueError):
    """A scenario could not be loaded; ``errors`` lists every problem found."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{source}: invalid scenario ({len(errors)} error(s)):\n{lines}")


def _is_table(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def field_info(dotted: str):
    """The pydantic ``FieldInfo`` of a dotted scenario parameter (``"staff.training"``).

    Raises ``KeyError`` with the known keys at the level where the name goes wrong.
    """
    model: Any = Scenario
    *tables, field = dotted.split(".")
    for depth, part in enumerate(tables):
        info = model.model_fields.get(part)
        if info is None or not _is_table(info.annotation):
            known = [k for k, v in model.model_fields.items() if _is_table(v.annotation)]
            where = ".".join(tables[:depth]) or "the scenario"
            raise KeyError(f"{part!r} is not a table of {where}; tables: {', '.join(known)}")
        model = info.annotation
    info = model.model_fields.get(field) if tables else None
    if info is None or _is_table(info.annotation):
        moved = _moved_keys({tables[0]: {field: 0}}) if len(tables) == 1 else []
        if moved:
            raise KeyError(moved[0])
        known = list(model.model_fields)
        where = ".".join(tables) if tables else "the scenario (name a table: 'section.field')"
        raise KeyError(f"unknown parameter {field!r} of {where}; known: {', '.join(known)}")
    return info


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


def _format_error(err: dict, schema: type[BaseModel]) -> str:
    loc = tuple(err.get("loc", ()))
    where = ".".join(str(p) for p in loc) or "<root>"
    if err["type"] == "extra_forbidden":
        parent = loc[:-1]
        allowed = _known_keys(parent, schema)
        hint = f"; known keys here: {', '.join(allowed)}" if allowed else ""
        return f"{where}: unknown key{hint}"
    allowed = _describe_allowed(schema, loc)
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


def _known_keys(loc: tuple, schema: type[BaseModel]) -> list[str]:
    cls: Any = schema
    for part in loc:
        info = cls.model_fields.get(part) if isinstance(part, str) else None
        if info is None or not (
            isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
        ):
            return []
        cls = info.annotation
    return sorted(cls.model_fields)


#: Parameters that left a section for the submodel that reads them (the layout before
#: each submodel owned its parameters), old dotted name -> new dotted name.
MOVED = {
    "assessment.true_risk_threshold": "definitions.true_risk_threshold",
    "regime.special_unit_cost_factor": "costs.special_unit_place_factor",
    "interventions.one_to_one_cost": "costs.one_to_one_session_eur (now in euros)",
    "interventions.group_cost": "costs.group_place_eur (now in euros)",
    "staff.attrition_base": "mechanisms.staffing.attrition_base",
    "staff.recruitment_days": "mechanisms.staffing.recruitment_days",
    "staff.special_unit_recruitment_factor": "mechanisms.staffing.special_unit_recruitment_factor",
    "assessment.observance_bias": "mechanisms.staff_contacts.observance_bias",
    "assessment.accuracy_gain_from_knowledge": (
        "mechanisms.assessment.accuracy_gain_from_knowledge"
    ),
}


def _moved_keys(data: dict) -> list[str]:
    """Say where each key of the old layout went (flat ``[mechanisms]``, moved fields)."""
    errors = []
    mechanisms = data.get("mechanisms")
    if isinstance(mechanisms, dict):
        owners = {
            f: name
            for name, info in Mechanisms.model_fields.items()
            for f in info.annotation.model_fields
        }
        for key, value in mechanisms.items():
            if not isinstance(value, dict) and key in owners:
                errors.append(
                    f"mechanisms.{key}: moved to [mechanisms.{owners[key]}] "
                    f"(mechanisms.{owners[key]}.{key}); each submodel now has its own table"
                )
    for old, new in MOVED.items():
        section, field = old.split(".")
        if isinstance(data.get(section), dict) and field in data[section]:
            errors.append(f"{old}: moved to {new}")
    return errors


def scenario_schema(day: tuple) -> type[Scenario]:
    """The scenario schema of a schedule other than ``schedule.DAY`` (a new submodel's study).

    Its ``[mechanisms]`` and ``[submodels]`` tables are built from ``day``, as the default
    schema's are built from ``schedule.DAY``.
    """
    mechanisms, switches = _mechanisms_section(day), _switches_section(day)
    return create_model(
        "Scenario",
        __base__=Scenario,
        mechanisms=(mechanisms, Field(default_factory=mechanisms)),
        submodels=(switches, Field(default_factory=switches)),
    )


def validate_scenario(
    data: Any, source: str = "<scenario>", schema: type[Scenario] | None = None
) -> Scenario:
    """Validate a parsed mapping into a :class:`Scenario` or raise :class:`ScenarioError`."""
    if not isinstance(data, dict):
        raise ScenarioError(
            source, [f"<root>: expected a table of sections, got {type(data).__name__}"]
        )
    moved = _moved_keys(data)
    if moved:
        raise ScenarioError(source, moved)
    schema = schema or Scenario
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, [_format_error(e, schema) for e in exc.errors()]) from None
    except RecursionError:  # absurdly nested input; still the caller's file's fault
        raise ScenarioError(source, ["<root>: values are nested too deeply"]) from None


#: Largest scenario or experiment file read, in bytes (shipped files are a few kilobytes).
MAX_INPUT_BYTES = 1_000_000

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputFileError(ValueError):
    """An input file cannot be read; ``reason`` is the one-line explanation."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def read_input_file(path: str | Path, what: str = "file", limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or :class:`InputFileError`.

    The file is opened without blocking and checked before anything is read, so a named
    pipe, ``/dev/zero`` (or a link to it), a directory or a huge file is refused at once
    instead of hanging or filling memory.
    """
    a = "an" if what[:1] in "aeiou" else "a"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputFileError("file not found") from None
    except IsADirectoryError:
        raise InputFileError(f"is a directory, not {a} {what}") from None
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputFileError(f"is a directory, not {a} {what}")
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
            raise InputFileError(f"is {kind}, not {a} {what}; give a regular file")
        if st.st_size > limit:
            raise InputFileError(
                f"too large for {a} {what} ({st.st_size:,} bytes; the limit is {limit:,})"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputFileError(f"too large (over {limit:,} bytes)")
    return data


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file, or a built-in scenario by name."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        builtin = scenario_path(str(path))
        if builtin is None:
            names = ", ".join(builtin_scenarios())
            raise ScenarioError(str(path), [f"file not found (built-in scenarios: {names})"])
        path = builtin
    try:
        raw = read_input_file(path, "scenario file")
    except InputFileError as exc:
        raise ScenarioError(str(path), [exc.reason]) from None
    try:
        # utf-8-sig: a byte-order mark (Windows editors) is not a syntax error.
        text = raw.decode("utf-8-sig")
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


def parameter_info(name: str) -> tuple[type, float | None, float | None, tuple | None]:
    """(type, lower bound, upper bound, literal choices) of a dotted scenario field.

    Raises KeyError with a helpful message if ``name`` is not a scenario field.
    """
    info = field_info(name)
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    kind = info.annotation
    choices = None
    if get_origin(kind) is Literal:
        choices = get_args(kind)
    return kind, lo, hi, choices
