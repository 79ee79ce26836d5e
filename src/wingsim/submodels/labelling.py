"""Risk labels: who carries one, and for how long. The rule lives here, once.

Paper: "Singling out one group ... can reinforce an 'us' versus 'them' divide";
"monitoring for extremism is subject to false positives".

A prisoner is given a label when his assessed risk is above
``assessment.label_threshold`` or while he is held on the special unit (placement there
is itself a label); the label is lifted only after ``assessment.label_removal_assessments``
consecutive assessments below the threshold. What a label does lives with the mechanism
it acts through: hardship, lost legitimacy and fewer programme places in
``grievance.py`` (through :func:`programme_access`), being singled out by officers in
``staff_contact.py``, eligibility for specialist sessions in ``interventions.py``.
"""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.state import Prisoners


def label_assessed(
    p: Prisoners,
    slots: np.ndarray,
    risk: np.ndarray,
    threshold: float,
    special_unit: int,
    removal_assessments: int,
) -> None:
    """After an assessment: a label is given above ``threshold`` or on the unit.

    A label outlasts what gave it: it is lifted only after ``removal_assessments``
    consecutive assessments below the threshold off the unit, so a prisoner who leaves
    the special unit carries its label back to the wing for a while.
    """
    label_rows(
        slots, risk, p.unit, p.clear_assessments, p.labelled, threshold, special_unit,
        removal_assessments,
    )  # fmt: skip


@compiled
def label_rows(slots, risk, unit, clear_assessments, labelled, threshold, special, removal):
    """:func:`label_assessed` on the arrays, in place (``risk[i]`` is ``slots[i]``'s)."""
    for i in range(slots.shape[0]):
        s = slots[i]
        high = risk[i] > threshold or unit[s] == special
        clear_assessments[s] = 0 if high else clear_assessments[s] + 1
        labelled[s] = high or (labelled[s] and clear_assessments[s] < removal)


def programme_access(p: Prisoners, unit_access: np.ndarray, exclusion: float) -> np.ndarray:
    """Each prisoner's access to work, education and programmes: his unit's, less the
    share a label bars him from (``label_activity_exclusion``)."""
    return access_of(p.unit, p.labelled, unit_access, exclusion)


@compiled
def access_of(unit, labelled, unit_access, exclusion):
    """:func:`programme_access` on the arrays:
    ``unit_access[max(unit, 0)] x (1 - exclusion x labelled)``."""
    out = np.empty(unit.shape[0])
    for i in range(unit.shape[0]):
        out[i] = unit_access[max(unit[i], 0)] * (1.0 - exclusion * np.float64(labelled[i]))
    return out


def label_on_entry(p: Prisoners, slot: int) -> None:
    """Placement on the special unit carries the risk label."""
    p.labelled[slot] = True


def count_days(p: Prisoners, special_unit: int) -> None:
    """One more day under a label, and on the special unit, for those concerned.

    Counted once a day by the model, whichever mechanisms run: placement reads the days
    on the unit (containment's first entry) and status reads them (having been there).
    """
    count_label_days(
        p.active, p.labelled, p.unit, special_unit, p.label_days, p.days_on_special_unit
    )


@compiled
def count_label_days(active, labelled, unit, special, label_days, days_on_special_unit):
    """:func:`count_days` on the arrays, in place."""
    for i in range(active.shape[0]):
        if active[i]:
            if labelled[i]:
                label_days[i] += 1
            if unit[i] == special:
                days_on_special_unit[i] += 1
