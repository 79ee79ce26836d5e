"""Grievance, legitimacy and well-being: the daily pull of prison conditions."""

from __future__ import annotations

import numpy as np

from wingsim.params import Params, par
from wingsim.state import MIN_UNCERTAINTY
from wingsim.submodels import labelling
from wingsim.submodels.base import Submodel


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


def either(*shares: np.ndarray) -> np.ndarray:
    """Combined burden of independent shares in [0, 1]: 1 - prod(1 - share)."""
    keep = 1.0
    for share in shares:
        keep = keep * (1.0 - share)
    return 1.0 - keep


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
        est = m.config.establishment
        act = p.active
        unit = np.where(act, p.unit, 0)
        fill = self.roster.counts / np.maximum(units.capacity, 1)
        crowding = 1.0 - np.exp(-mp.crowding_slope * np.maximum(fill - mp.crowding_onset, 0.0))
        officers = np.bincount(m.staff.unit[m.staff.active], minlength=units.n)
        posts = np.maximum(np.bincount(m.staff.unit, minlength=units.n), 1)
        understaffed = 1.0 - officers / posts
        t = units.time_out_of_cell * (1.0 - units.lockdown)
        weights = (
            mp.weight_crowding + mp.weight_locked + mp.weight_idle + mp.weight_family
        ) + mp.weight_security
        # Each condition is in [0, 1] and hardship is their weighted mean, so no weight or
        # condition can push it past 1: every lever acts at every level.
        access = labelling.programme_access(p, units.activity_access, mp.label_activity_exclusion)
        conditions = (
            mp.weight_crowding * either(crowding, understaffed)
            + mp.weight_locked * (1.0 - t)
            + mp.weight_family * (1.0 - est.family_contact)
            + mp.weight_security * units.security
        )[unit] + mp.weight_idle * (1.0 - access)
        on_special = unit == units.special
        marked = p.labelled | on_special
        # Stigma adds as independent burdens do: a share of what conditions left to lose.
        hardship = either(
            conditions / max(weights, 1e-12),
            mp.label_stigma * p.labelled,
            mp.special_unit_stigma * on_special,
        )

        p.wellbeing += mp.wellbeing_rate * ((1.0 - hardship) - p.wellbeing)
        fair_sum = np.bincount(
            m.staff.unit[m.staff.active], m.staff.fairness[m.staff.active], minlength=units.n
        )
        unit_fairness = np.where(
            officers > 0, fair_sum / np.maximum(officers, 1), mp.unstaffed_fairness
        )
        legit_target = unit_fairness[unit] * (1.0 - mp.singling_out * marked)
        p.legitimacy += mp.legitimacy_rate * (legit_target - p.legitimacy)
        p.grievance[:] = hardship * (1.0 - p.legitimacy)

        p.trust_in_staff *= 1.0 - mp.grievance_trust_erosion * p.grievance
        # The oppositional mindset drifts toward what grievance and illegitimacy justify;
        # labels and the unit act through both (stigma, singling out), not on their own.
        p.opposition += (
            mp.opposition_rate_factor
            * mp.legitimacy_rate
            * (0.5 * (p.grievance + (1.0 - p.legitimacy)) - p.opposition)
        )
        # Openness is asymmetric: grievance opens moderates to extremist narratives;
        # trust and legitimacy open committed extremists to moderating voices.
        x = p.extremism
        target_u = (
            p.base_uncertainty
            + mp.grievance_openness
            * (p.grievance + mp.illbeing_weight * (1.0 - p.wellbeing))
            * (1.0 - x)
            + mp.trust_openness * p.trust_in_staff * p.legitimacy * x
        )
        p.uncertainty += mp.openness_rate * (target_u - p.uncertainty)
        for arr in (p.wellbeing, p.legitimacy, p.trust_in_staff, p.opposition):
            np.clip(arr, 0.0, 1.0, out=arr)
        np.clip(p.uncertainty, MIN_UNCERTAINTY, 1.0, out=p.uncertainty)
        labelling.count_days(p, on_special)
