"""Grievance, legitimacy and well-being: the daily pull of prison conditions."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import MIN_UNCERTAINTY
from wingsim.submodels.base import Submodel
from wingsim.submodels.labelling import access_of


class GrievanceParams(Params):
    """Strengths of grievance (``[mechanisms.grievance]``)."""

    wellbeing_rate: float = par(
        0.02, ge=0.0, le=1.0, unit="1/day", doc="Daily drift of well-being."
    )
    legitimacy_rate: float = par(
        0.02,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily drift of legitimacy.",
        source="Epstein 2002 (legitimacy, form); value assumption",
    )
    label_stigma: float = par(
        0.3, ge=0.0, le=1.0, unit="share (0-1)", doc="Hardship added by carrying a risk label."
    )
    special_unit_stigma: float = par(
        0.2, ge=0.0, le=1.0, unit="share (0-1)", doc="Hardship added by special-unit placement."
    )
    singling_out: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Legitimacy lost when a group is visibly singled out (labels, unit).",
    )
    grievance_trust_erosion: float = par(
        0.01,
        ge=0.0,
        le=0.5,
        unit="1/day per unit grievance",
        doc="Daily trust lost per unit of grievance.",
        source="Epstein 2002 (form); value assumption",
    )
    grievance_openness: float = par(
        0.5,
        ge=0.0,
        le=3.0,
        unit="uncertainty per unit",
        doc="Openness of moderates to extremist views per unit grievance.",
        source="Epstein 2002 (grievance, form); value assumption",
    )
    trust_openness: float = par(
        0.3,
        ge=0.0,
        le=3.0,
        unit="uncertainty per unit",
        doc="Openness of extremists to moderate views from trust x legitimacy.",
    )
    weight_crowding: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of crowding and understaffing in a unit's hardship.",
    )
    weight_locked: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of time locked in cell in a unit's hardship.",
    )
    weight_idle: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of lack of purposeful activity in a unit's hardship.",
    )
    weight_family: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of poor family contact in a unit's hardship.",
    )
    weight_security: float = par(
        0.2, ge=0.0, le=1.0, unit="weight", doc="Weight of security intensity in a unit's hardship."
    )
    crowding_onset: float = par(
        0.9,
        ge=0.0,
        le=2.0,
        unit="prisoners/place",
        doc="Occupancy above which a unit feels crowded.",
    )
    crowding_slope: float = par(
        5.0,
        ge=0.0,
        le=50.0,
        unit="1/(prisoners/place)",
        doc="How fast crowding hardship rises with occupancy above the onset: hardship "
        "1 - exp(-slope x excess), so 0.1 above onset is 0.39 at the default.",
    )
    label_activity_exclusion: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of work, education and programme places a labelled prisoner is barred "
        "from (security vetting), on top of his unit's access.",
        source="paper (labels 'may follow' a prisoner and restrict what he can do); value "
        "assumption",
    )
    unstaffed_fairness: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Fairness prisoners ascribe to a unit with no officer on duty.",
    )
    opposition_rate_factor: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="multiple of legitimacy_rate",
        doc=(
            "Daily drift of the oppositional mindset toward what grievance and illegitimacy "
            "justify, relative to legitimacy_rate."
        ),
    )
    illbeing_weight: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="weight",
        doc=(
            "Weight of poor well-being beside grievance in a moderate's openness to extremist "
            "views."
        ),
    )
    openness_rate: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily drift of openness (relative-agreement uncertainty) toward its target.",
    )


class Grievance(Submodel):
    """Conditions set hardship; fairness sets legitimacy; grievance = hardship x (1 - legitimacy).

    Paper: "Overcrowding, a lack of staff or poor relationships between staff and
    prisoners, and poor facilitates ... can have a negative impact on prisoners";
    "Singling out one group ... can reinforce an 'us' versus 'them' divide ... and erode
    the legitimacy of the prison"; grievance as in Epstein's (2002) civil-violence model.

    Well-being and legitimacy drift toward targets set by the unit's conditions and
    officers; labels and special-unit placement add stigma and single a group out.
    Grievance erodes trust, feeds the oppositional mindset and opens a moderate prisoner
    to extremist influence (raises the relative-agreement uncertainty); trust and
    legitimacy open an extremist to moderating influence.
    """

    name = "grievance"
    Params = GrievanceParams
    paper = (
        "Overcrowding, a lack of staff or poor relationships between staff and prisoners, "
        "and poor facilitates ... can have a negative impact on prisoners"
    )

    def step(self) -> None:
        m, p, units, mp = self.model, self.model.prisoners, self.model.units, self.params
        est, s = m.config.establishment, m.staff
        weights = (
            mp.weight_crowding + mp.weight_locked + mp.weight_idle + mp.weight_family
        ) + mp.weight_security
        # Each condition is in [0, 1] and hardship is their weighted mean, so no weight or
        # condition can push it past 1: every lever acts at every level.
        grievance_of_day(
            p.unit, p.labelled, units.activity_access, mp.label_activity_exclusion,
            self.roster.counts, units.capacity, s.unit, s.active, s.fairness,
            units.time_out_of_cell, units.lockdown, units.security,
            np.array(
                [
                    mp.crowding_slope,
                    mp.crowding_onset,
                    mp.weight_crowding,
                    mp.weight_locked,
                    mp.weight_family * (1.0 - est.family_contact),
                    mp.weight_security,
                    mp.unstaffed_fairness,
                ]
            ),
            p.active, units.special, p.extremism, p.base_uncertainty, p.wellbeing,
            p.legitimacy, p.grievance, p.trust_in_staff, p.opposition, p.uncertainty,
            np.array(
                [
                    mp.weight_idle,
                    max(weights, 1e-12),
                    mp.label_stigma,
                    mp.special_unit_stigma,
                    mp.wellbeing_rate,
                    mp.singling_out,
                    mp.legitimacy_rate,
                    mp.grievance_trust_erosion,
                    mp.opposition_rate_factor * mp.legitimacy_rate,
                    mp.grievance_openness,
                    mp.illbeing_weight,
                    mp.trust_openness,
                    mp.openness_rate,
                    MIN_UNCERTAINTY,
                ]
            ),
        )  # fmt: skip


@compiled
def grievance_of_day(
    unit_of, labelled, unit_access, exclusion, counts, capacity, staff_unit, staff_active,
    fairness, time_out, lockdown, security, unit_k, active, special_unit, x, base_u,
    wellbeing, legitimacy, grievance, trust, opposition, uncertainty, k,
):  # fmt: skip
    """The day in one call (a kernel call and each array it hands back cost Python about a
    microsecond): each prisoner's programme access (``labelling.access_of``), the units'
    conditions and fairness (:func:`unit_day`, ``unit_k``), then :func:`grievance_day`."""
    access = access_of(unit_of, labelled, unit_access, exclusion)
    unit_conditions, unit_fairness = unit_day(
        counts, capacity, staff_unit, staff_active, fairness, time_out, lockdown, security,
        unit_k,
    )  # fmt: skip
    grievance_day(
        active, unit_of, special_unit, unit_conditions, unit_fairness, access, labelled, x,
        base_u, wellbeing, legitimacy, grievance, trust, opposition, uncertainty, k,
    )  # fmt: skip


@compiled
def unit_day(counts, capacity, staff_unit, staff_active, fairness, time_out, lockdown,
             security, k):  # fmt: skip
    """Each unit's conditions (the weighted sum of crowding-or-understaffing, time locked
    up, family contact missed and security) and its officers' mean fairness (``k``: the
    parameters, order in ``step``). Staff are counted in post order, as ``np.bincount``."""
    n = counts.shape[0]
    officers = np.zeros(n, np.int64)
    posts = np.zeros(n, np.int64)
    fair_sum = np.zeros(n)
    for j in range(staff_unit.shape[0]):
        posts[staff_unit[j]] += 1
        if staff_active[j]:
            officers[staff_unit[j]] += 1
            fair_sum[staff_unit[j]] += fairness[j]
    conditions = np.empty(n)
    unit_fairness = np.empty(n)
    for u in range(n):
        fill = counts[u] / max(capacity[u], 1)
        crowding = 1.0 - np.exp(-k[0] * max(fill - k[1], 0.0))
        understaffed = 1.0 - officers[u] / max(posts[u], 1)
        t = time_out[u] * (1.0 - lockdown[u])
        keep = 1.0 * (1.0 - crowding)
        keep = keep * (1.0 - understaffed)
        conditions[u] = k[2] * (1.0 - keep) + k[3] * (1.0 - t) + k[4] + k[5] * security[u]
        unit_fairness[u] = fair_sum[u] / max(officers[u], 1) if officers[u] > 0 else k[6]
    return conditions, unit_fairness


@compiled
def grievance_day(
    active, unit_of, special_unit, unit_conditions, unit_fairness, access, labelled, x,
    base_u, wellbeing, legitimacy, grievance, trust, opposition, uncertainty, k,
):  # fmt: skip
    """Every slot's day of conditions, in place (``k``: the parameters, order in ``step``).

    Hardship combines the unit's conditions (weighted mean, with the prisoner's own
    programme access) and the stigma of a label and of the unit as independent burdens
    (one minus the product of what each leaves); well-being and legitimacy drift toward
    their targets; grievance is hardship x (1 - legitimacy); grievance erodes trust and
    feeds opposition; openness drifts toward its asymmetric target. Clipped at the end,
    as the numpy did.
    """
    w_idle, weights, label_stigma, unit_stigma, wb_rate = k[0], k[1], k[2], k[3], k[4]
    singling, legit_rate, erosion, opp_rate, g_open = k[5], k[6], k[7], k[8], k[9]
    illbeing, t_open, open_rate, min_unc = k[10], k[11], k[12], k[13]
    for i in range(unit_of.shape[0]):
        u = unit_of[i] if active[i] else 0
        on_special = u == special_unit
        lab = 1.0 if labelled[i] else 0.0
        special = 1.0 if on_special else 0.0
        conditions = unit_conditions[u] + w_idle * (1.0 - access[i])
        keep = 1.0 * (1.0 - conditions / weights)
        keep = keep * (1.0 - label_stigma * lab)
        keep = keep * (1.0 - unit_stigma * special)
        hardship = 1.0 - keep
        wellbeing[i] += wb_rate * ((1.0 - hardship) - wellbeing[i])
        marked = 1.0 if (labelled[i] or on_special) else 0.0
        legitimacy[i] += legit_rate * (unit_fairness[u] * (1.0 - singling * marked) - legitimacy[i])
        g = hardship * (1.0 - legitimacy[i])
        grievance[i] = g
        trust[i] *= 1.0 - erosion * g
        opposition[i] += opp_rate * (0.5 * (g + (1.0 - legitimacy[i])) - opposition[i])
        target_u = (
            base_u[i]
            + g_open * (g + illbeing * (1.0 - wellbeing[i])) * (1.0 - x[i])
            + t_open * trust[i] * legitimacy[i] * x[i]
        )
        uncertainty[i] += open_rate * (target_u - uncertainty[i])
        wellbeing[i] = min(max(wellbeing[i], 0.0), 1.0)
        legitimacy[i] = min(max(legitimacy[i], 0.0), 1.0)
        trust[i] = min(max(trust[i], 0.0), 1.0)
        opposition[i] = min(max(opposition[i], 0.0), 1.0)
        uncertainty[i] = min(max(uncertainty[i], min_unc), 1.0)
