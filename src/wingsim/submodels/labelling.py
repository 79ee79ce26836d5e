"""Risk labels: who carries one, and for how long. The rule lives here, once.

Paper: "Singling out one group ... can reinforce an 'us' versus 'them' divide";
"monitoring for extremism is subject to false positives".

A prisoner carries a label when his assessed risk is above ``assessment.label_threshold``
or while he is held on the special unit (placement there is itself a label). What a
label does lives with the mechanism it acts through: hardship and lost legitimacy in
``grievance.py``, being singled out by officers in ``staff_contact.py``, eligibility
for specialist sessions in ``interventions.py``.
"""

from __future__ import annotations

import numpy as np

from wingsim.state import Prisoners


def label_assessed(
    p: Prisoners, slots: np.ndarray, risk: np.ndarray, threshold: float, special_unit: int
) -> None:
    """After an assessment: labelled if assessed above ``threshold`` or on the unit."""
    p.labelled[slots] = (risk > threshold) | (p.unit[slots] == special_unit)


def label_on_entry(p: Prisoners, slot: int) -> None:
    """Placement on the special unit carries the risk label."""
    p.labelled[slot] = True


def count_days(p: Prisoners, on_special: np.ndarray) -> None:
    """One more day under a label, and on the special unit, for those concerned."""
    p.label_days[p.labelled & p.active] += 1
    p.days_on_special_unit[on_special & p.active] += 1
