"""Units of the establishment and their regime conditions.

Unit ``0 .. wings-1`` are mainstream wings; the last unit is the special unit, open
only under containment and combination. Conditions are arrays over units so that
submodels can index them by each prisoner's unit in one numpy operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
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
    #: ``security`` and ``time_out_today`` as last computed (None: to be computed again).
    _today: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def lockdown_changed(self) -> None:
        """``lockdown`` (or ``security_base``, ``time_out_of_cell``) was written: the
        conditions of the day derived from it are computed again when next read (the
        model calls this at the start of each day, the incidents submodel after each
        day's lockdown)."""
        self._today = None

    def _conditions(self) -> tuple[np.ndarray, np.ndarray]:
        today = self._today
        if today is None:
            open_ = 1.0 - self.lockdown
            today = self._today = (
                1.0 - (1.0 - self.security_base) * open_,
                self.time_out_of_cell * open_,
            )
        return today

    @property
    def security(self) -> np.ndarray:
        """Security intensity today: the base, tightened by any post-incident lockdown
        (which takes its share of what the base left, so it never passes 1). Kept until
        :meth:`lockdown_changed`; read-only for its readers."""
        return self._conditions()[0]

    @property
    def time_out_today(self) -> np.ndarray:
        """Time out of cell today: the unit's, less the share a lockdown takes (kept
        like ``security``)."""
        return self._conditions()[1]

    @cached_property
    def mixes(self) -> np.ndarray:
        """Units whose prisoners also meet other units' prisoners (shared activities);
        ``can_meet`` is fixed when the units are built, so this is computed once."""
        return self.can_meet.sum(axis=1) > 1

    @property
    def names(self) -> list[str]:
        return [f"wing {i + 1}" for i in range(self.n - 1)] + ["special unit"]


def spread(total: int, k: int) -> np.ndarray:
    """``total`` split over ``k`` parts as evenly as whole numbers allow (first ones larger)."""
    base, extra = divmod(max(int(total), 0), k)
    return np.full(k, base, dtype=np.int64) + (np.arange(k) < extra)


def takes_from_wings(scenario: Scenario) -> bool:
    """Whether an open special unit's places and posts come out of the wings' budget."""
    return special_unit_open(scenario) and scenario.regime.resources == "from_wings"


def special_unit_open(scenario: Scenario) -> bool:
    est, reg = scenario.establishment, scenario.regime
    return reg.type != "dispersal" and est.special_unit_capacity > 0


def build_units(scenario: Scenario) -> Units:
    """The wings and the special unit; like for like, the unit's places come from the wings.

    The wings hold ``wings x wing_capacity + extra_places`` places, spread evenly; under
    ``regime.resources = "from_wings"`` an open special unit's places are taken out of
    them, so every regime has the same number of places.
    """
    est = scenario.establishment
    wings = est.wings
    n = wings + 1
    special_open = special_unit_open(scenario)
    wing_places = wings * est.wing_capacity + est.extra_places
    if takes_from_wings(scenario):
        wing_places -= est.special_unit_capacity
    capacity = np.append(spread(wing_places, wings), est.special_unit_capacity)
    is_special = np.zeros(n, dtype=bool)
    is_special[-1] = True
    open_ = np.ones(n, dtype=bool)
    open_[-1] = special_open
    reg = scenario.regime
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
