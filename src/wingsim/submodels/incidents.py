"""Incidents and their consequences on the unit: officer stress and lockdown."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled, officers_per_unit
from wingsim.params import Params, par
from wingsim.streams import binomial_draws, poisson_draws
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
    monitoring_incident_effect: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="log-hazard per unit security",
        doc="Incident log-hazard removed per unit of a unit's standing security intensity "
        "(searches and monitoring deter and interrupt).",
        source="paper ('an organised, controlled and efficient prison ... allows them to feel "
        "safe'); value assumption",
    )
    staff_assault_share: float = par(
        0.34,
        ge=0.01,
        le=0.99,
        unit="share (0-1)",
        doc="Share of incidents that are assaults on staff where prisoners' distrust is middling "
        "(0.5); the rest are prisoner-on-prisoner.",
        source="Safety in Custody, 12 months to September 2020: about 104 assaults on staff and "
        "199 prisoner-on-prisoner per 1,000 prisoners (104/303)",
    )
    staff_assault_distrust: float = par(
        2.0,
        ge=0.0,
        le=20.0,
        unit="log-odds per unit distrust",
        doc="How much more of the incidents target staff on a unit whose prisoners distrust them.",
    )
    lockdown_cap: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Most security a lockdown can add to a unit (and share of time out of cell it can "
        "take away); each incident adds lockdown_security / lockdown_cap of the remaining gap.",
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

    _strengths: tuple[tuple, np.ndarray] | None = None

    def strengths(self) -> np.ndarray:
        """The strengths as ``unit_hazards`` takes them, built again only when a
        parameter has changed since (a notebook may set one between days)."""
        mp = self.params
        key = tuple(vars(mp).values())
        if self._strengths is None or self._strengths[0] != key:
            c = np.array(
                [
                    mp.incident_tension,
                    mp.incident_staffing,
                    mp.order_leader_effect,
                    mp.monitoring_incident_effect,
                    mp.incident_base,
                    np.log(mp.staff_assault_share / (1.0 - mp.staff_assault_share)),
                    mp.staff_assault_distrust,
                ]
            )
            self._strengths = (key, c)
        return self._strengths[1]

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
        # Hazard and who is attacked per unit (one compiled pass; the draws stay here).
        lam, on_staff_p = unit_hazards(
            roster.slots, roster.unit, roster.counts, p.grievance, p.trust_in_staff,
            p.opposition, p.extremism, p.leader, m.config.definitions.radical_threshold,
            s.unit, s.active, units.security_base, self.strengths(),
        )  # fmt: skip
        incidents = poisson_draws(rng, lam)
        on_staff = binomial_draws(rng, incidents, on_staff_p)
        m.day_counts["incidents"] += int(incidents.sum())
        m.day_counts["assaults_on_staff"] += int(on_staff.sum())

        # Consequences: stress where staff were attacked or saw it, and lockdown. Each
        # incident takes a share of what is left, so neither saturates at a clip.
        step = min(mp.lockdown_security / max(mp.lockdown_cap, 1e-12), 1.0)
        consequences(
            incidents, s.stress, s.unit, s.active, units.lockdown, mp.stress_recovery,
            mp.incident_stress, mp.lockdown_recovery, mp.lockdown_cap, step,
        )  # fmt: skip
        units.lockdown_changed()


@compiled
def unit_hazards(slots, unit, counts, grievance, trust, opposition, x, leader, radical,
                 staff_unit, staff_active, security_base, c):  # fmt: skip
    """Each unit's incident rate ``lam`` and the chance an incident is an assault on staff.

    Tension is the mean of grievance, distrust, opposition and extremism over the unit;
    the log-hazard rises with it and falls with officers per prisoner, order-keeping
    leaders (leaders below the radical threshold) and security; assaults on staff are
    likelier where prisoners distrust them. ``c`` holds the strengths (see ``step``).
    """
    n_units = counts.shape[0]
    tension_sum, order_leaders, trust_sum = unit_sums(
        slots, unit, n_units, grievance, trust, opposition, x, leader, radical
    )
    officers = officers_per_unit(staff_unit, staff_active, n_units)
    lam = np.empty(n_units)
    on_staff_p = np.empty(n_units)
    for u in range(n_units):
        safe = max(counts[u], 1)
        log_h = (
            c[0] * (tension_sum[u] / safe)
            - c[1] * officers[u] / safe
            - c[2] * order_leaders[u]
            - c[3] * security_base[u]
        )
        lam[u] = c[4] * counts[u] / 100.0 * np.exp(log_h)
        distrust = 1.0 - trust_sum[u] / safe
        on_staff_p[u] = 1.0 / (1.0 + np.exp(-(c[5] + c[6] * (distrust - 0.5))))
    return lam, on_staff_p


@compiled
def consequences(incidents, stress, staff_unit, staff_active, lockdown, stress_recovery,
                 incident_stress, lockdown_recovery, cap, step):  # fmt: skip
    """Officers recover, then each incident on their unit adds a share of the stress left
    (for officers in post); lockdown eases, then each incident closes a share of the gap
    to ``cap``. In place."""
    for k in range(stress.shape[0]):
        left = 1.0 - stress[k] * (1.0 - stress_recovery)
        hit = 1.0 - incident_stress * (1.0 if staff_active[k] else 0.0)
        stress[k] = 1.0 - left * hit ** np.float64(incidents[staff_unit[k]])
    for u in range(lockdown.shape[0]):
        eased = lockdown[u] * (1.0 - lockdown_recovery)
        lockdown[u] = cap - (cap - eased) * (1.0 - step) ** np.float64(incidents[u])


@compiled
def unit_sums(slots, unit, n_units, grievance, trust, opposition, x, leader, radical):
    """Per unit, over its prisoners in slot order: the sum of their tension (the mean of
    grievance, distrust, opposition and extremism), the count of order-keeping leaders
    (leaders below the radical threshold) and the sum of trust in staff."""
    tension = np.zeros(n_units)
    order_leaders = np.zeros(n_units)
    trust_sum = np.zeros(n_units)
    for j in range(slots.shape[0]):
        i, u = slots[j], unit[j]
        tension[u] += (grievance[i] + (1.0 - trust[i]) + opposition[i] + x[i]) / 4
        order_leaders[u] += 1.0 if (leader[i] and x[i] < radical) else 0.0
        trust_sum[u] += trust[i]
    return tension, order_leaders, trust_sum
