"""Grievance, legitimacy and well-being: the daily pull of prison conditions."""

from __future__ import annotations

import numpy as np

from wingsim.submodels.base import Submodel

# Weights of the conditions that make up hardship (sum to 1 before stigma).
W_CROWDING, W_LOCKED, W_IDLE, W_FAMILY, W_SECURITY = 0.2, 0.2, 0.2, 0.2, 0.2


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
    paper = (
        "Overcrowding, a lack of staff or poor relationships between staff and prisoners, "
        "and poor facilitates ... can have a negative impact on prisoners"
    )

    def step(self) -> None:
        m, p, units, mp = self.model, self.model.prisoners, self.model.units, self.params
        est = m.config.establishment
        act = p.active
        unit = np.where(act, p.unit, 0)
        crowding = np.clip(self.roster.counts / np.maximum(units.capacity, 1) - 0.9, 0.0, 1.0) * 5.0
        officers = np.bincount(m.staff.unit[m.staff.active], minlength=units.n)
        posts = np.maximum(np.bincount(m.staff.unit, minlength=units.n), 1)
        understaffed = 1.0 - officers / posts
        t = units.time_out_of_cell * (1.0 - units.lockdown)
        unit_hardship = (
            W_CROWDING * np.minimum(crowding + understaffed, 1.0)
            + W_LOCKED * (1.0 - t)
            + W_IDLE * (1.0 - units.activity_access)
            + W_FAMILY * (1.0 - est.family_contact)
            + W_SECURITY * units.security
        )
        on_special = unit == units.special
        marked = p.labelled | on_special
        hardship = np.clip(
            unit_hardship[unit]
            + mp.label_stigma * p.labelled
            + mp.special_unit_stigma * on_special,
            0.0,
            1.0,
        )

        p.wellbeing += mp.wellbeing_rate * ((1.0 - hardship) - p.wellbeing)
        fair_sum = np.bincount(
            m.staff.unit[m.staff.active], m.staff.fairness[m.staff.active], minlength=units.n
        )
        unit_fairness = np.where(officers > 0, fair_sum / np.maximum(officers, 1), 0.3)
        legit_target = unit_fairness[unit] * (1.0 - mp.singling_out * marked)
        p.legitimacy += mp.legitimacy_rate * (legit_target - p.legitimacy)
        p.grievance[:] = hardship * (1.0 - p.legitimacy)

        p.trust_in_staff *= 1.0 - mp.grievance_trust_erosion * p.grievance
        # The oppositional mindset drifts toward what grievance and illegitimacy justify;
        # labels and the unit act through both (stigma, singling out), not on their own.
        p.opposition += (
            0.5 * mp.legitimacy_rate * (0.5 * (p.grievance + (1.0 - p.legitimacy)) - p.opposition)
        )
        # Openness is asymmetric: grievance opens moderates to extremist narratives;
        # trust and legitimacy open committed extremists to moderating voices.
        x = p.extremism
        target_u = (
            p.base_uncertainty
            + mp.grievance_openness * (p.grievance + 0.5 * (1.0 - p.wellbeing)) * (1.0 - x)
            + mp.trust_openness * p.trust_in_staff * p.legitimacy * x
        )
        p.uncertainty += 0.05 * (target_u - p.uncertainty)
        for arr in (p.wellbeing, p.legitimacy, p.trust_in_staff, p.opposition):
            np.clip(arr, 0.0, 1.0, out=arr)
        np.clip(p.uncertainty, 0.02, 1.0, out=p.uncertainty)
        p.label_days[p.labelled & act] += 1
        p.days_on_special_unit[on_special & act] += 1
