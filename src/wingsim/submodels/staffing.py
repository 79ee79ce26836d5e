"""Staffing: officer posts, who is hired into them, and who leaves."""

from __future__ import annotations

import numpy as np

from wingsim.establishment import spread, takes_from_wings
from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import Staff, Training
from wingsim.submodels.base import Submodel


class StaffingParams(Params):
    """Strengths of staffing (``[mechanisms.staffing]``)."""

    attrition_base: float = par(
        0.0003,
        ge=0.0,
        le=0.05,
        unit="1/day",
        doc="Daily probability an officer leaves, before stress.",
    )
    recruitment_days: float = par(
        60, ge=1, le=3650, unit="days", doc="Mean days to fill a mainstream vacancy."
    )
    special_unit_recruitment_factor: float = par(
        2.5,
        ge=1.0,
        le=20.0,
        unit="multiplier",
        doc="Filling a special-unit vacancy takes this many times longer.",
    )
    stress_attrition: float = par(
        0.01,
        ge=0.0,
        le=0.5,
        unit="1/day per unit stress",
        doc="Extra daily leaving probability per unit stress.",
    )
    fairness_spread: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc=(
            "Width of the uniform spread of new officers' fairness around the establishment's mean."
        ),
    )


class Staffing(Submodel):
    """Officer posts are filled at build; stressed officers leave and posts refill slowly.

    Paper: "Understaffing or inexperienced personnel have a negative impact on security
    and control"; "When incidents occur (e.g. staff are wounded), positions in special
    wings become much less attractive".

    Each wing has ``round(staff_ratio x wing_capacity x occupancy)`` posts (plus any
    ``extra_posts``, spread evenly) and the open special unit
    ``round(special_unit_staff_ratio x places)``; like for like
    (``regime.resources = "from_wings"``), the unit's posts are taken from the wings.
    A new officer is trained
    with chance ``staff.training`` (specialist on the unit if the scenario says so) and
    draws a fairness around the establishment's mean. Every day an officer leaves with a
    chance that rises with stress (``incidents.py``); a vacant post is filled after
    ``recruitment_days`` on average, the special unit's more slowly.
    """

    name = "staffing"
    Params = StaffingParams
    paper = (
        "Understaffing or inexperienced personnel have a negative impact on security and control"
    )

    def build(self) -> None:
        """Create the posts of every open unit and hire an officer into each."""
        m, st, units = self.model, self.model.config.staff, self.model.units
        est = m.config.establishment
        per_wing = int(round(st.staff_ratio * est.wing_capacity * est.occupancy))
        special = (
            int(round(st.special_unit_staff_ratio * units.capacity[units.special]))
            if units.open[units.special]
            else 0
        )
        wing_posts = est.wings * per_wing + st.extra_posts
        if takes_from_wings(m.config):
            wing_posts -= special
        posts_unit = np.concatenate(
            [
                np.repeat(np.arange(est.wings), spread(wing_posts, est.wings)),
                np.full(special, units.special),
            ]
        ).astype(np.int32)
        m.staff = Staff.posts(posts_unit)
        self.hire(np.arange(posts_unit.shape[0]), m.streams["staff_init"])

    def hire(self, posts: np.ndarray, rng: np.random.Generator) -> None:
        """Fill ``posts`` with new officers: training and fairness drawn."""
        k = posts.shape[0]
        if k == 0:
            return
        m, s, st = self.model, self.model.staff, self.model.config.staff
        u = rng.random((k, 2))
        on_special = s.unit[posts] == m.units.special
        trained = u[:, 0] < st.training
        level = np.where(trained, Training.GENERAL, Training.UNTRAINED)
        if st.special_unit_specialist:
            level = np.where(on_special, Training.SPECIALIST, level)
        s.active[posts] = True
        s.uid[posts] = m.new_uids(k, "staff")
        s.training[posts] = level
        s.fairness[posts] = np.clip(
            st.fairness + self.params.fairness_spread * (u[:, 1] - 0.5), 0, 1
        )
        s.stress[posts] = 0.0
        m.add_staff_views(posts)

    def step(self) -> None:
        m, s, units, mp, rng = self.model, self.model.staff, self.model.units, self.params, self.rng
        r = rng.random((s.n, 2))
        leaves, fills = turnover(
            s.active, s.stress, s.unit, units.special, r, mp.attrition_base,
            mp.stress_attrition, mp.recruitment_days,
            mp.recruitment_days * mp.special_unit_recruitment_factor,
        )  # fmt: skip
        if leaves.shape[0]:
            m.dismiss_staff(leaves)
        if fills.shape[0]:
            self.hire(fills, rng)
        m.day_counts["staff_left"] += int(leaves.shape[0])


@compiled
def turnover(active, stress, unit, special, r, base, stress_attrition, days, special_days):
    """The posts whose officer leaves today (chance ``base + stress_attrition x stress``)
    and the vacant posts filled today (chance one over the recruitment days, longer on
    the special unit; a post vacated today is not refilled today), in post order."""
    leaves = np.empty(active.shape[0], np.int64)
    fills = np.empty(active.shape[0], np.int64)
    n_leaves = 0
    n_fills = 0
    for i in range(active.shape[0]):
        if active[i]:
            if r[i, 0] < base + stress_attrition * stress[i]:
                leaves[n_leaves] = i
                n_leaves += 1
        elif r[i, 1] < 1.0 / (special_days if unit[i] == special else days):
            fills[n_fills] = i
            n_fills += 1
    return leaves[:n_leaves], fills[:n_fills]
