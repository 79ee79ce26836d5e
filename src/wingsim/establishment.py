"""Units of the establishment and their regime conditions.

Unit ``0 .. wings-1`` are mainstream wings; the last unit is the special unit, open
only under containment and combination. Conditions are arrays over units so that
submodels can index them by each prisoner's unit in one numpy operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wingsim.scenario import Scenario


@dataclass
class Units:
    """Per-unit arrays (length ``n``); the special unit is the last index."""

    n: int
    special: int
    capacity: np.ndarray
    is_special: np.ndarray
    open: np.ndarray
    time_out_of_cell: np.ndarray
    activity_access: np.ndarray
    security_base: np.ndarray
    lockdown: np.ndarray
    can_meet: np.ndarray

    @property
    def security(self) -> np.ndarray:
        """Security intensity today: the base plus any post-incident lockdown."""
        return np.minimum(1.0, self.security_base + self.lockdown)

    @property
    def mixes(self) -> np.ndarray:
        """Units whose prisoners also meet other units' prisoners (shared activities)."""
        return self.can_meet.sum(axis=1) > 1

    @property
    def names(self) -> list[str]:
        return [f"wing {i + 1}" for i in range(self.n - 1)] + ["special unit"]


def build_units(scenario: Scenario) -> Units:
    est, reg = scenario.establishment, scenario.regime
    wings = est.wings
    n = wings + 1
    special_open = reg.type != "dispersal" and est.special_unit_capacity > 0
    capacity = np.array([est.wing_capacity] * wings + [est.special_unit_capacity], dtype=np.int64)
    is_special = np.zeros(n, dtype=bool)
    is_special[-1] = True
    open_ = np.ones(n, dtype=bool)
    open_[-1] = special_open
    tooc = np.array([est.time_out_of_cell] * wings + [reg.special_unit_time_out_of_cell])
    act = np.array([est.activity_access] * wings + [reg.special_unit_activity_access])
    sec = np.array([est.security_intensity] * wings + [reg.special_unit_security])
    # Who can meet whom: everyone on a unit meets unit mates; mainstream wings also
    # meet each other in shared work and education; the special unit meets no one else.
    can_meet = np.eye(n, dtype=bool)
    if est.shared_activities:
        can_meet[:wings, :wings] = True
    return Units(
        n=n,
        special=n - 1,
        capacity=capacity,
        is_special=is_special,
        open=open_,
        time_out_of_cell=tooc,
        activity_access=act,
        security_base=sec,
        lockdown=np.zeros(n),
        can_meet=can_meet,
    )
