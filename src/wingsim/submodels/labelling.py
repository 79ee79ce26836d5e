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
    on_unit = p.unit[slots] == special_unit
    high = (risk > threshold) | on_unit
    p.clear_assessments[slots] = np.where(high, 0, p.clear_assessments[slots] + 1)
    keep = p.labelled[slots] & (p.clear_assessments[slots] < removal_assessments)
    p.labelled[slots] = high | keep


def programme_access(p: Prisoners, unit_access: np.ndarray, exclusion: float) -> np.ndarray:
    """Each prisoner's access to work, education and programmes: his unit's, less the
    share a label bars him from (``label_activity_exclusion``)."""
    return unit_access[np.maximum(p.unit, 0)] * (1.0 - exclusion * p.labelled)


def label_on_entry(p: Prisoners, slot: int) -> None:
    """Placement on the special unit carries the risk label."""
    p.labelled[slot] = True


def count_days(p: Prisoners, special_unit: int) -> None:
    """One more day under a label, and on the special unit, for those concerned.

    Counted once a day by the model, whichever mechanisms run: placement reads the days
    on the unit (containment's first entry) and status reads them (having been there).
    """
    p.label_days[p.labelled & p.active] += 1
    p.days_on_special_unit[(p.unit == special_unit) & p.active] += 1
