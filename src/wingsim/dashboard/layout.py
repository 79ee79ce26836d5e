"""A stable picture of the establishment: where every prisoner, officer and chaplain is drawn.

The layout is computed once per model and never re-run between steps (no force-directed
layout, no jitter):

- mainstream wings sit on a circle around the centre, the special unit sits apart on the
  right, so it is visible as its own cluster (drawn as a dashed outline when it is closed);
- each prisoner *slot* has a fixed offset inside a unit disc (a golden-angle spiral over a
  fixed permutation of slots), so a prisoner keeps the same spot for as long as they stay
  on a unit, and moves only when the model moves them to another unit;
- each officer post has a fixed spot on a ring just outside its unit's disc;
- chaplains stand in the middle of the wings (they visit every unit).

Everything is plain numpy: positions for today's state are one fancy-indexing operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
_LAYOUT_SEED = 20240917  # fixed: the picture does not depend on the model's seed


def _spiral(k: np.ndarray, n: int) -> np.ndarray:
    """Points ``k`` of an ``n``-point golden-angle spiral filling the unit disc."""
    r = np.sqrt((k + 0.5) / max(n, 1))
    theta = k * GOLDEN_ANGLE
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


@dataclass
class WingLayout:
    """Fixed drawing coordinates for one model's establishment."""

    centres: np.ndarray  # (units, 2)
    radii: np.ndarray  # (units,)
    slot_offset: np.ndarray  # (prisoner slots, 2) in unit-disc coordinates
    staff_angle: np.ndarray  # (staff posts,)
    chaplain_xy: np.ndarray  # (chaplains, 2)
    special: int
    names: list[str]

    @classmethod
    def for_model(cls, model) -> WingLayout:
        units = model.units
        n_units = units.n
        wings = n_units - 1
        capacity = np.asarray(units.capacity, dtype=float)
        radii = 1.0 * np.sqrt(np.maximum(capacity, 1.0) / 84.0)
        wing_r = float(radii[:wings].max()) if wings else 1.0
        # Wings on a circle big enough that neighbouring discs (and staff rings) never touch.
        if wings <= 1:
            ring = 0.0
        else:
            ring = 1.45 * wing_r / np.sin(np.pi / wings)
            ring = max(ring, 1.6 * wing_r)
        angles = np.pi / 2 - 2 * np.pi * np.arange(wings) / max(wings, 1)
        centres = np.zeros((n_units, 2))
        centres[:wings, 0] = ring * np.cos(angles)
        centres[:wings, 1] = ring * np.sin(angles)
        # The special unit stands well apart, to the right of every wing.
        centres[units.special] = (ring + 2.6 * wing_r + 1.6 * radii[units.special], 0.0)

        rng = np.random.default_rng(_LAYOUT_SEED)
        n_slots = model.prisoners.n
        order = rng.permutation(n_slots)
        slot_offset = _spiral(order.astype(float), n_slots) * 0.92
        n_staff = model.staff.n
        staff_angle = rng.permutation(max(n_staff, 1))[:n_staff] * GOLDEN_ANGLE

        n_ch = model.chaplains.n
        base = np.zeros(2) if wings >= 3 else np.array([0.0, -(ring + 2.0 * wing_r)])
        xs = (np.arange(n_ch) - (n_ch - 1) / 2.0) * 0.35 * wing_r
        chaplain_xy = np.column_stack([xs + base[0], np.full(n_ch, base[1])])
        return cls(
            centres=centres,
            radii=radii,
            slot_offset=slot_offset,
            staff_angle=staff_angle,
            chaplain_xy=chaplain_xy,
            special=int(units.special),
            names=list(units.names),
        )

    # -- today's positions ----------------------------------------------------------------
    def prisoner_xy(self, unit: np.ndarray, slots: np.ndarray | None = None) -> np.ndarray:
        """Positions of prisoner slots (all slots, or ``slots``) given their units."""
        offset = self.slot_offset if slots is None else self.slot_offset[slots]
        u = unit if slots is None else unit[slots]
        return self.centres[u] + self.radii[u, None] * offset

    def staff_xy(self, unit: np.ndarray, posts: np.ndarray | None = None) -> np.ndarray:
        """Positions of officer posts: on a ring just outside their unit."""
        ang = self.staff_angle if posts is None else self.staff_angle[posts]
        u = unit if posts is None else unit[posts]
        r = self.radii[u] * 1.18
        return self.centres[u] + np.column_stack([r * np.cos(ang), r * np.sin(ang)])

    def bounds(self, margin: float = 0.35) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) enclosing every unit, staff ring and chaplain."""
        lo = (self.centres - self.radii[:, None] * 1.3).min(axis=0)
        hi = (self.centres + self.radii[:, None] * 1.3).max(axis=0)
        if self.chaplain_xy.shape[0]:
            lo = np.minimum(lo, self.chaplain_xy.min(axis=0))
            hi = np.maximum(hi, self.chaplain_xy.max(axis=0))
        lo = lo - margin
        hi = hi + margin
        hi[1] += 0.35  # room for unit names
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
