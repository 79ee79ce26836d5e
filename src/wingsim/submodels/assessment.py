"""Risk assessment: periodic, noisy and biased; labels follow; placement is reviewed."""

from __future__ import annotations

import numpy as np

from wingsim.params import Params, par
from wingsim.state import Prisoners
from wingsim.submodels import labelling
from wingsim.submodels.base import Submodel


class AssessmentParams(Params):
    """Strengths of risk assessment (``[mechanisms.assessment]``)."""

    accuracy_gain_from_knowledge: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of assessment error removed when staff know a prisoner well.",
        source="paper ('Structured individual assessments and trained staff can help assess "
        "risks ... more accurately'); value assumption",
    )
    report_weight: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="assessed risk per report",
        doc="Assessed risk added per intelligence report on file (up to max_reports).",
    )
    max_reports: float = par(
        4.0, ge=0.0, le=100.0, unit="reports", doc="Reports beyond this many add no more risk."
    )
    report_decay: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the reports on file forgotten at each assessment.",
    )


class Assessment(Submodel):
    """Each prisoner is reassessed every ``interval_days``; labels and placement follow.

    Paper: "monitoring for extremism is subject to false positives"; "intelligence must
    be used in a dynamic way, allowing for individuals to have their risk lowered";
    "Structured individual assessments and trained staff can help assess risks ...
    more accurately"; "Prejudices around links between religion and extremism ... may
    hamper accurate risk assessment".

    Assessed risk is true extremism seen through noise that shrinks with what staff
    know of the prisoner, plus a bias from untrained officers' reports on religious
    observance. Labels follow (``labelling.py``); the regime then reviews placement
    (entrance and exit criteria, ``placement.py``). Arrivals are assessed at intake.
    """

    name = "assessment"
    Params = AssessmentParams
    paper = (
        "Intelligence is crucial to the safe functioning of prisons, but monitoring for "
        "extremism is subject to false positives"
    )

    def assess(
        self, slots: np.ndarray, rng: np.random.Generator, prisoners: Prisoners | None = None
    ) -> None:
        """Assessed risk = extremism + report bias + noise shrinking with knowledge.

        One normal draw per prisoner, whatever the regime, keeps the stream aligned.
        ``prisoners`` defaults to the establishment's (arrivals waiting elsewhere for a
        place are assessed on arrival too).
        """
        m, mp = self.model, self.params
        p, a = prisoners if prisoners is not None else m.prisoners, m.config.assessment
        z = rng.standard_normal(slots.shape[0])
        sd = a.noise * (1.0 - mp.accuracy_gain_from_knowledge * p.knowledge[slots])
        bias = mp.report_weight * np.minimum(p.reports[slots], mp.max_reports)
        risk = np.clip(p.extremism[slots] + bias + sd * z, 0.0, 1.0)
        p.assessed_risk[slots] = risk
        p.low_assessments[slots] = np.where(
            risk < m.config.regime.exit_threshold, p.low_assessments[slots] + 1, 0
        )
        labelling.label_assessed(p, slots, risk, a.label_threshold, m.units.special)
        p.reports[slots] *= 1.0 - mp.report_decay

    def step(self) -> None:
        m, p = self.model, self.model.prisoners
        today = m.day
        due = np.flatnonzero(p.active & (p.next_assessment <= today))
        if due.shape[0] == 0:
            return
        self.assess(due, self.rng)
        p.next_assessment[due] = today + m.config.assessment.interval_days
        m.placement.review(due)
        m.day_counts["assessments"] += int(due.shape[0])
