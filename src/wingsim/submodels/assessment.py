"""Risk assessment: periodic, noisy and biased; labels follow; placement is reviewed."""

from __future__ import annotations

import numpy as np

from wingsim.submodels.base import Submodel

REPORT_WEIGHT = 0.05  # assessed risk added per intelligence report (up to MAX_REPORTS)
MAX_REPORTS = 4


def assess(model, slots: np.ndarray, rng: np.random.Generator) -> None:
    """Assess ``slots``: assessed risk = extremism + report bias + noise shrinking with knowledge.

    One normal draw per prisoner, whatever the regime, keeps the stream aligned.
    """
    p, a = model.prisoners, model.config.assessment
    z = rng.standard_normal(slots.shape[0])
    sd = a.noise * (1.0 - a.accuracy_gain_from_knowledge * p.knowledge[slots])
    bias = REPORT_WEIGHT * np.minimum(p.reports[slots], MAX_REPORTS)
    risk = np.clip(p.extremism[slots] + bias + sd * z, 0.0, 1.0)
    p.assessed_risk[slots] = risk
    p.low_assessments[slots] = np.where(
        risk < model.config.regime.exit_threshold, p.low_assessments[slots] + 1, 0
    )
    on_special = p.unit[slots] == model.units.special
    p.labelled[slots] = (risk > a.label_threshold) | on_special
    p.reports[slots] *= 0.5


class Assessment(Submodel):
    """Each prisoner is reassessed every ``interval_days``; labels and placement follow.

    Paper: "monitoring for extremism is subject to false positives"; "intelligence must
    be used in a dynamic way, allowing for individuals to have their risk lowered";
    "Structured individual assessments and trained staff can help assess risks ...
    more accurately"; "Prejudices around links between religion and extremism ... may
    hamper accurate risk assessment".

    Assessed risk is true extremism seen through noise that shrinks with what staff
    know of the prisoner, plus a bias from untrained officers' reports on religious
    observance. Above the label threshold a prisoner carries a risk label; the
    regime then reviews placement (entrance and exit criteria).
    """

    name = "assessment"
    paper = (
        "Intelligence is crucial to the safe functioning of prisons, but monitoring for "
        "extremism is subject to false positives"
    )

    def step(self) -> None:
        m, p = self.model, self.model.prisoners
        today = m.day
        due = np.flatnonzero(p.active & (p.next_assessment <= today))
        if due.shape[0] == 0:
            return
        assess(m, due, self.rng)
        p.next_assessment[due] = today + m.config.assessment.interval_days
        m.placement.review(due)
        m.day_counts["assessments"] += int(due.shape[0])
