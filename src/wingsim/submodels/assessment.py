"""Risk assessment: periodic, noisy and biased; labels follow; placement is reviewed."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import Prisoners
from wingsim.submodels.base import Submodel
from wingsim.submodels.labelling import label_rows


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
        doc="Assessed risk added by the first intelligence report on file; later ones add "
        "less (bias = report_weight x max_reports x (1 - exp(-reports / max_reports))).",
    )
    max_reports: float = par(
        4.0,
        ge=0.01,
        le=100.0,
        unit="reports",
        doc="Scale of the report bias: it approaches report_weight x max_reports as reports "
        "pile up.",
    )
    report_staleness: float = par(
        0.02,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily share of the intelligence reports on file that go stale (half-life about "
        "35 days at the default).",
        source="paper ('intelligence must be used in a dynamic way'); value assumption",
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
        # Each report adds less as they pile up: report_weight for the first, never more
        # than report_weight x max_reports in all (a saturating, not a clipped, response).
        cap = mp.report_weight * mp.max_reports
        fresh = np.exp(-p.reports[slots] / max(mp.max_reports, 1e-12))
        assess_and_label(
            slots, z, fresh, p.knowledge, p.extremism, p.assessed_risk, p.low_assessments,
            a.noise, mp.accuracy_gain_from_knowledge, cap, m.config.regime.exit_threshold,
            p.unit, p.clear_assessments, p.labelled, a.label_threshold, m.units.special,
            a.label_removal_assessments,
        )  # fmt: skip

    def step(self) -> None:
        m, p = self.model, self.model.prisoners
        today = m.day
        due = stale_reports_and_due(
            p.reports, 1.0 - self.params.report_staleness, p.active, p.next_assessment, today
        )
        if due.shape[0] == 0:
            return
        self.assess(due, self.rng)
        p.next_assessment[due] = today + m.config.assessment.interval_days
        m.placement.review(due)
        m.day_counts["assessments"] += int(due.shape[0])


@compiled
def assess_and_label(
    slots, z, fresh, knowledge, extremism, assessed_risk, low_assessments, noise, gain, cap,
    exit_threshold, unit, clear_assessments, labelled, label_threshold, special, removal,
):  # fmt: skip
    """:func:`assessed_risks`, then the labels that follow (``labelling.label_rows``, as
    ``labelling.label_assessed`` gives them), in one call: a kernel call and the array it
    hands back cost Python about a microsecond and a half."""
    risk = assessed_risks(
        slots, z, fresh, knowledge, extremism, assessed_risk, low_assessments, noise, gain,
        cap, exit_threshold,
    )  # fmt: skip
    label_rows(slots, risk, unit, clear_assessments, labelled, label_threshold, special, removal)


@compiled
def assessed_risks(
    slots, z, fresh, knowledge, extremism, assessed_risk, low_assessments, noise, gain, cap,
    exit_threshold,
):  # fmt: skip
    """Assessed risk of ``slots``, written in place and returned: extremism + report bias
    ``cap x (1 - fresh)`` + noise ``z`` with a spread that shrinks with knowledge, in
    [0, 1]; a run of low assessments grows below ``exit_threshold`` and restarts above."""
    risk = np.empty(slots.shape[0])
    for i in range(slots.shape[0]):
        s = slots[i]
        sd = noise * (1.0 - gain * knowledge[s])
        bias = cap * (1.0 - fresh[i])
        r = min(max(extremism[s] + bias + sd * z[i], 0.0), 1.0)
        risk[i] = r
        assessed_risk[s] = r
        low_assessments[s] = low_assessments[s] + 1 if r < exit_threshold else 0
    return risk


@compiled
def stale_reports_and_due(reports, keep, active, next_assessment, today):
    """Reports on file go stale (``reports *= keep``, in place); returns the active slots
    due for assessment ``today``, in order."""
    due = np.empty(active.shape[0], np.int64)
    k = 0
    for i in range(active.shape[0]):
        reports[i] *= keep
        if active[i] and next_assessment[i] <= today:
            due[k] = i
            k += 1
    return due[:k]
