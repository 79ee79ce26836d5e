"""What the submodels of the community after release share: keyed draws, traits, rows.

Every random draw after release is *counter-based* (``streams.KeyedStream``): a pure
function of the seed, the submodel's name, the person's uid and the day. Whoever else
is released, recalled or still in prison, a person's draws stay the same, so a regime
that changes one person's path does not reshuffle anybody else's (common random numbers
in the community, as the prison has them through per-submodel streams).

A person's fixed traits (family, background, mental health need, a home to go to,
work history, criminal history) are drawn the same way from the ``traits`` stream and
the uid alone, so they are the same under every regime and at every release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wingsim.kernels import compiled
from wingsim.state import Place
from wingsim.submodels.base import Submodel


def over(p, e):
    """The chance of at least one event in ``e`` days at a daily chance ``p``."""
    return 1.0 - (1.0 - np.minimum(p, 1.0)) ** e


if TYPE_CHECKING:
    from wingsim.model import WingModel

#: Columns of :func:`traits`.
FAMILY, BOND, BACKGROUND, MENTAL_HEALTH, HOME, WORK, PROPENSITY, MENTOR_FIT = range(8)


def traits(model: WingModel, uid: np.ndarray) -> np.ndarray:
    """Fixed uniforms of each person (entries of ``uid``): one column per trait above.

    The last answer is remembered: the submodels setting up people at the gate all ask
    about the same uids in turn.
    """
    key = uid.tobytes()
    cached = getattr(model, "_traits_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    value = model.streams.keyed("traits").uniforms(uid, k=8)
    model._traits_cache = (key, value)
    return value


@compiled
def cases_held(active, assigned, place, holder, n, n_holders, ends, day, until_end):
    """Cases each holder (a probation officer, a mentor) has: prisoners in planning
    ``assigned`` to him, and people in the community among the first ``n`` rows whose
    ``holder`` he is (if ``until_end``, only while ``day < ends``)."""
    held = np.zeros(n_holders, np.int64)
    for i in range(active.shape[0]):
        if active[i] and assigned[i] >= 0:
            held[assigned[i]] += 1
    for r in range(n):
        if place[r] == _COMMUNITY and holder[r] >= 0 and (not until_end or day < ends[r]):
            held[holder[r]] += 1
    return held


_COMMUNITY = int(Place.COMMUNITY)


def clock(model: WingModel) -> int:
    """Days since the model was built (the warm-up included): the key of daily draws."""
    return model.day + model.community.day_offset


class CommunitySubmodel(Submodel):
    """A mechanism after release: it steps the people followed in the community.

    ``enter(rows, slots)`` (optional) sets its part of a person's state at the gate (every
    day, as people are released); ``step_people(rows)`` runs every ``probation.step_days``
    days (see :meth:`due`) on the people followed and scales every rate and chance to
    :meth:`exposure`, the days each person lived in the community since the last step: a
    daily chance ``p`` becomes ``1 - (1 - p)**e``, a daily drift ``r`` becomes
    ``1 - (1 - r)**e``, and a count of meetings is the expected count rounded up or down
    at random. ``draws(rows, k)`` gives ``k`` keyed uniforms per person for today.
    """

    def __init__(self, model: WingModel):
        super().__init__(model)
        self.keyed = model.streams.keyed(self.stream or self.name)

    def draws(self, rows: np.ndarray, k: int, salt: int = 0) -> np.ndarray:
        """``k`` uniforms per row for today, keyed by the person (uid) and the day."""
        uid = self.model.community.person.uid[rows]
        return self.keyed.uniforms(uid, clock(self.model), salt, k=k)

    def followed(self) -> np.ndarray:
        """Rows in the community today."""
        return self.model.community.in_community()

    def step(self) -> None:
        """On a community step day (:meth:`due`), step the people followed today."""
        if self.due():
            self.step_people(self.followed())

    def step_people(self, rows: np.ndarray) -> None:
        """This mechanism's step for ``rows``, the people in the community today."""
        raise NotImplementedError

    def enabled(self, name: str) -> bool:
        """Whether the submodel ``name`` runs in this scenario."""
        return any(sm.name == name for sm in self.model.schedule)

    def days_out(self, rows: np.ndarray) -> np.ndarray:
        return self.model.day - self.model.community.release_day[rows]

    def due(self) -> bool:
        """Today is a community step (every ``probation.step_days`` days)."""
        return clock(self.model) % self.model.config.probation.step_days == 0

    def exposure(self, rows: np.ndarray) -> np.ndarray:
        """Days each person lived in the community since the last step (release day: 1)."""
        return np.minimum(self.model.config.probation.step_days, self.days_out(rows) + 1)

    def on_licence(self, rows: np.ndarray) -> np.ndarray:
        c = self.model.community
        return (self.model.day < c.licence_end[rows]) & (c.place[rows] == Place.COMMUNITY)
