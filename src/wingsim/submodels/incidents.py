"""Incidents and their consequences on the unit: officer stress and lockdown."""

from __future__ import annotations

import numpy as np

from wingsim.params import Params, par
from wingsim.state import RADICAL
from wingsim.submodels.base import Submodel


class IncidentsParams(Params):
    """Strengths of incidents (``[mechanisms.incidents]``)."""

    incident_base: float = par(
        0.02,
        ge=0.0,
        le=1.0,
        unit="incidents/100 prisoners/day",
        doc="Daily incident hazard per 100 prisoners at zero tension.",
    )
    incident_tension: float = par(
        3.0, ge=0.0, le=20.0, unit="log-hazard/unit tension", doc="Log-hazard per unit tension."
    )
    incident_staffing: float = par(
        2.0,
        ge=0.0,
        le=20.0,
        unit="log-hazard/(officer/prisoner)",
        doc="Log-hazard reduction per officer-per-prisoner.",
    )
    order_leader_effect: float = par(
        0.3,
        ge=0.0,
        le=5.0,
        unit="log-hazard/leader",
        doc="Log-hazard reduction per order-keeping leader on the unit.",
    )
    incident_stress: float = par(
        0.15, ge=0.0, le=1.0, unit="stress per incident", doc="Officer stress from an incident."
    )
    stress_recovery: float = par(
        0.02, ge=0.0, le=1.0, unit="1/day", doc="Daily recovery from stress."
    )
    lockdown_security: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="security per incident",
        doc="Security intensity added to a unit after an incident.",
    )
    lockdown_recovery: float = par(
        0.03, ge=0.0, le=1.0, unit="1/day", doc="Daily easing of lockdown."
    )
    lockdown_cap: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc=(
            "Most security a lockdown can add to a unit (and share of time out of cell it can take"
            " away)."
        ),
    )


class Incidents(Submodel):
    """Tension makes incidents; incidents stress officers and tighten security.

    Paper: "When incidents occur (e.g. staff are wounded), positions in special wings
    become much less attractive"; "Understaffing or inexperienced personnel have a
    negative impact on security and control"; "the leader bringing balance, stability
    and order to the wing".

    Each unit's daily incident count is Poisson with log-hazard rising with tension
    (grievance, distrust, opposition, extremism) and falling with officers per prisoner
    and order-keeping leaders. Incidents add officer stress and a lockdown that raises
    security and cuts time out of cell until it eases. Stressed officers leave
    (``staffing.py``).
    """

    name = "incidents"
    Params = IncidentsParams
    paper = (
        "When incidents occur (e.g. staff are wounded), positions in special wings become "
        "much less attractive"
    )

    def step(self) -> None:
        m, p, s, units, mp, rng = (
            self.model,
            self.model.prisoners,
            self.model.staff,
            self.model.units,
            self.params,
            self.rng,
        )
        roster = self.roster
        act, unit, n_unit = roster.slots, roster.unit, roster.counts
        safe = np.maximum(n_unit, 1)
        # Tension: the mean of grievance, distrust, opposition and extremism.
        per_prisoner = (p.grievance + (1.0 - p.trust_in_staff) + p.opposition + p.extremism)[
            act
        ] / 4
        tension = np.bincount(unit, per_prisoner, minlength=units.n) / safe
        officers = np.bincount(s.unit[s.active], minlength=units.n)
        order_leaders = np.bincount(
            unit, (p.leader & (p.extremism < RADICAL))[act], minlength=units.n
        )
        log_h = (
            mp.incident_tension * tension
            - mp.incident_staffing * officers / safe
            - mp.order_leader_effect * order_leaders
        )
        lam = mp.incident_base * n_unit / 100.0 * np.exp(log_h)
        incidents = rng.poisson(lam)
        m.day_counts["incidents"] += int(incidents.sum())

        # Consequences: stress, lockdown, and officers leaving.
        s.stress *= 1.0 - mp.stress_recovery
        s.stress += mp.incident_stress * incidents[s.unit] * s.active
        np.clip(s.stress, 0.0, 1.0, out=s.stress)
        units.lockdown *= 1.0 - mp.lockdown_recovery
        units.lockdown += mp.lockdown_security * incidents
        np.clip(units.lockdown, 0.0, mp.lockdown_cap, out=units.lockdown)
