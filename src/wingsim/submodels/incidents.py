"""Incidents and the staffing feedback loop: stress, attrition, lockdown."""

from __future__ import annotations

import numpy as np

from wingsim.state import RADICAL
from wingsim.submodels.base import Submodel


class Incidents(Submodel):
    """Tension makes incidents; incidents drive officers away and tighten security.

    Paper: "When incidents occur (e.g. staff are wounded), positions in special wings
    become much less attractive"; "Understaffing or inexperienced personnel have a
    negative impact on security and control"; "the leader bringing balance, stability
    and order to the wing".

    Each unit's daily incident count is Poisson with log-hazard rising with tension
    (grievance, distrust, opposition, extremism) and falling with officers per prisoner
    and order-keeping leaders. Incidents add officer stress and a lockdown that raises
    security and cuts time out of cell until it eases. Stressed officers leave; posts
    are refilled slowly, the special unit's more slowly still.
    """

    name = "incidents"
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
        np.clip(units.lockdown, 0.0, 0.8, out=units.lockdown)

        st = m.config.staff
        r = rng.random((s.n, 2))
        leaves = s.active & (r[:, 0] < st.attrition_base + mp.stress_attrition * s.stress)
        if leaves.any():
            m.dismiss_staff(np.flatnonzero(leaves))
        days = np.where(
            s.unit == units.special,
            st.recruitment_days * st.special_unit_recruitment_factor,
            st.recruitment_days,
        )
        fills = ~s.active & ~leaves & (r[:, 1] < 1.0 / days)
        if fills.any():
            m.hire_staff(np.flatnonzero(fills), rng)
        m.day_counts["staff_left"] += int(leaves.sum())
