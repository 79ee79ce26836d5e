"""WingModel: builds the establishment, owns the state, runs the day's schedule."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import mesa
import numpy as np

from wingsim import kernels, outcomes, schedule
from wingsim.agents import (
    Chaplain,
    Leader,
    Mentor,
    Prisoner,
    ProbationOfficer,
    ReleasedPerson,
    Staff,
)
from wingsim.establishment import build_units
from wingsim.network import TieLayer
from wingsim.scenario import Scenario, default_scenario, load_scenario
from wingsim.state import (
    VEO_LESSER,
    Chaplains,
    Community,
    Holding,
    Mentors,
    Prisoners,
    ProbationOfficers,
    Roster,
)
from wingsim.state import Staff as StaffArrays
from wingsim.streams import Streams


def _remove_views(views: list, rows: np.ndarray) -> None:
    """Take the Mesa agents viewing ``rows`` out of the model (their rows are vacated)."""
    for row in rows.tolist():
        agent = views[row]
        if agent is not None:
            agent.remove()
        views[row] = None


class WingModel(mesa.Model):
    """A prison establishment under one VEO regime, one day per step.

    Args:
        scenario: a :class:`Scenario`, a path to a scenario TOML file, or None for the
            default dispersal establishment.
        rng: the seed (an int). Every random draw of the run flows from it through
            per-submodel streams. Defaults to the scenario's ``run.seed``.
        day: the submodels of one day, in order (default ``schedule.DAY``). A study of a
            new mechanism passes a copy of the schedule with its submodel added; its
            ``[mechanisms.<name>]`` parameters then take their defaults.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        rng: int | None = None,
        day: tuple | None = None,
    ):
        if scenario is None:
            scenario = default_scenario()
        elif isinstance(scenario, str | Path):
            scenario = load_scenario(scenario)
        seed = scenario.run.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.seed = seed
        # Mesa reserves ``model.scenario`` for its own Scenario type; ours is ``config``.
        self.config = scenario
        self.streams = Streams(seed)
        self.units = build_units(scenario)
        est = scenario.establishment
        self.wing_fill = max(1.0, est.occupancy)
        n = int(round(est.wings * est.wing_capacity * est.occupancy))
        self.prisoners = Prisoners.empty(n)
        self.ties = TieLayer(n)
        #: After release: one row per release episode (``state.Community``), the probation
        #: officers in post and the mentors available (built by the community submodels).
        self.community = Community.empty(scenario.probation.horizon_days)
        self.probation_officers = ProbationOfficers.empty()
        self.mentors = Mentors.empty()
        self._released_agents: dict[int, ReleasedPerson] = {}
        #: Arrivals waiting elsewhere for a place (only while returners hold places), and
        #: how many arrivals today's intake draws (the regular releases of yesterday).
        self.holding = Holding.empty()
        self.arrivals_due = 0
        self._next_uid = {"prisoner": 0, "staff": 0}
        self.day = 0
        self._reset_day()
        self._prisoner_agents: list[Prisoner | None] = [None] * n
        self._staff_agents: list[Staff | None] = []
        self.staff = StaffArrays.posts(np.empty(0, np.int32))  # posts: staffing.py
        ch = scenario.chaplaincy
        self.chaplains = Chaplains(
            uid=np.arange(ch.chaplains),
            trained=np.full(ch.chaplains, ch.trained),
            visits_made=np.zeros(ch.chaplains),
        )
        for i in range(ch.chaplains):
            Chaplain(self, i)

        self.placement = schedule.PLACEMENT[scenario.regime.type](self)
        #: Every submodel of the day by name, on or off; ``schedule`` runs the enabled ones.
        self.submodels = {cls.name: cls(self) for cls in (day or schedule.DAY)}
        switches = scenario.submodels
        self.schedule = [sm for sm in self.submodels.values() if getattr(switches, sm.name, True)]
        self.last_meetings = (np.empty(0, np.int64),) * 4
        # Officers in post and the first prisoners (part-way through sentences, placed by
        # the regime) exist whichever mechanisms are switched on.
        for submodel in self.submodels.values():
            submodel.build()
        self._warm_up(scenario.run.warmup_days)
        self.datacollector = outcomes.DayTable()
        self.day_counts["population"] = int(self.prisoners.active.sum())
        self.today = outcomes.compute(self)
        self.datacollector.collect(self)

    # -- population -------------------------------------------------------------------
    def new_uids(self, k: int, kind: str = "prisoner") -> np.ndarray:
        """Fresh ids per kind, so a regime's staffing never shifts prisoner ids."""
        start = self._next_uid[kind]
        self._next_uid[kind] = start + k
        return np.arange(start, start + k)

    def add_prisoner_views(self, slots: np.ndarray) -> None:
        """Mesa agents for newly filled ``slots`` (``Leader`` for charismatic prisoners)."""
        charisma = self.prisoners.charisma
        for slot in slots.tolist():
            cls = Leader if charisma[slot] > 0 else Prisoner
            self._prisoner_agents[slot] = cls(self, slot)

    def discharge(self, slots: np.ndarray) -> None:
        """Release ``slots``: their ties end and their Mesa agents leave the model."""
        self.ties.remove_nodes(slots)
        self.prisoners.clear(slots)
        _remove_views(self._prisoner_agents, slots)

    # -- after release -----------------------------------------------------------------
    def hand_over(self, slots: np.ndarray, source: Prisoners | None = None) -> np.ndarray:
        """People released today from ``slots`` of ``source`` (the prisoners, or the
        arrivals waiting for a place) enter the community; returns their community rows.

        Each enabled submodel with an ``enter(rows, slots)`` method then sets its part of
        their state at the gate, in schedule order (``slots`` is None for people who never
        held a place here). The probation case and the mentoring place move out with them.
        """
        from_prison = source is None
        source = self.prisoners if from_prison else source
        rows = self.community.admit(source, slots, self.day)
        # Work history and family ties are first seen at a weekly resettlement step; anyone
        # released before one (or with resettlement off) is profiled at the gate.
        person = self.community.person
        resettlement = self.submodels.get("resettlement")
        if resettlement is not None:
            resettlement.profile(rows[person.family_bond[rows] < 0], person)
        source.officer[slots] = -1
        source.mentor[slots] = -1
        for submodel in self.schedule:
            enter = getattr(submodel, "enter", None)
            if enter is not None:
                enter(rows, slots if from_prison else None)
        for row in rows.tolist():
            self._released_agents[row] = ReleasedPerson(self, row)
        return rows

    def leave_community(self, rows: np.ndarray) -> None:
        """Remove the Mesa views of ``rows`` (returned to custody, or past the horizon)."""
        for row in rows.tolist():
            agent = self._released_agents.pop(row, None)
            if agent is not None:
                agent.remove()

    def return_to_custody(self, rows: np.ndarray, sentence: np.ndarray | int) -> None:
        """Recall (or a new custodial sentence): ``rows`` wait for a place at the next intake."""
        if rows.shape[0] == 0:
            return
        self.community.send_back(rows, self.day, sentence)
        self.community.mentor[rows] = -1
        self.leave_community(rows)
        self.day_counts["recalls"] += int(rows.shape[0])

    def readmit(self, slots: np.ndarray) -> int:
        """People returned to custody take free ``slots``, longest waiting first, with their
        own state; returns how many did."""
        if slots.shape[0] == 0 or not np.count_nonzero(self.community.awaiting):
            return 0
        rows = self.community.waiting()[: slots.shape[0]]
        k = rows.shape[0]
        if k:
            self.community.restore(rows, self.prisoners, slots[:k], self.day)
            self.day_counts["readmissions"] += k
        return k

    def add_officer_views(self, officers: np.ndarray) -> None:
        for index in officers.tolist():
            ProbationOfficer(self, index)

    def add_mentor_views(self, mentors: np.ndarray) -> None:
        for index in mentors.tolist():
            Mentor(self, index)

    # -- staff ------------------------------------------------------------------------
    def add_staff_views(self, posts: np.ndarray) -> None:
        """Mesa agents for officers just hired into ``posts``."""
        if len(self._staff_agents) < self.staff.n:
            self._staff_agents.extend([None] * (self.staff.n - len(self._staff_agents)))
        for post in posts.tolist():
            self._staff_agents[post] = Staff(self, post)

    def dismiss_staff(self, posts: np.ndarray) -> None:
        self.staff.active[posts] = False
        _remove_views(self._staff_agents, posts)

    # -- the day ------------------------------------------------------------------------
    def _track_radical_views(self) -> None:
        """Count who crossed into or out of radical views today, across a buffer band.

        Entering needs extremism above threshold + buffer, leaving below threshold -
        buffer, so drift near the line is not counted as change. ``newly_radicalised``
        counts non-VEOs entering for the first time in their sentence.
        """
        p, d = self.prisoners, self.config.definitions
        newly, entered, left = radical_crossings(
            p.active, p.radical, p.radicalised, p.extremism, p.category,
            d.radical_threshold + d.radical_buffer, d.radical_threshold - d.radical_buffer,
        )  # fmt: skip
        self.day_counts["newly_radicalised"] = newly
        self.day_counts["entered_radical"] = entered
        self.day_counts["left_radical"] = left

    def take_roster(self) -> None:
        """After intake, before anything else: who is on which unit today."""
        self.roster = Roster.build(self.prisoners, self.units.n)
        self.day_counts["population"] = self.roster.slots.shape[0]
        for count in schedule.ON_ROSTER:
            count(self.prisoners, self.units.special)

    def order_slots_by_unit(self) -> None:
        """Renumber prisoners' rows so each unit's prisoners sit together (empty rows last).

        Memory layout only (``run.slot_order_days``, off by default): rows are reused as
        people leave, so a unit's prisoners scatter over the arrays, and at tens of
        thousands of places every meeting reads memory far apart. Each prisoner keeps all
        their state, ties and Mesa view; only their row number changes.
        """
        p, units = self.prisoners, self.units
        unit = np.where(p.active & (p.unit >= 0), p.unit, units.n)
        order = kernels.group_order(unit, units.n + 1)
        new_slot = np.empty_like(order)
        new_slot[order] = np.arange(order.shape[0])
        p.reorder(order)
        self.ties.renumber(new_slot)
        self._prisoner_agents = [self._prisoner_agents[i] for i in order.tolist()]
        for slot, view in enumerate(self._prisoner_agents):
            if view is not None:
                view.slot = slot

    def _slot_order_due(self) -> bool:
        """Day 1 and every ``run.slot_order_days`` after (never if 0)."""
        every = self.config.run.slot_order_days
        return every > 0 and (self.day - 1) % every == 0

    def _reset_day(self) -> None:
        self.roster: Roster | None = None
        # The units' conditions of the day are read afresh each morning, so a lockdown or a
        # security level set between days (a notebook, a test) is seen; within the day only
        # the incidents submodel writes the lockdown, and it says so.
        self.units.lockdown_changed()
        self.day_counts: defaultdict[str, int] = defaultdict(int)
        self.day_sums: defaultdict[str, float] = defaultdict(float)

    def _simulate_day(self) -> None:
        """Every enabled submodel in schedule order."""
        self.day += 1
        self._reset_day()
        if self._slot_order_due():
            self.order_slots_by_unit()
        for submodel in self.schedule:
            if self.roster is None and submodel.name != "intake":
                self.take_roster()
            submodel.step()
        if self.roster is None:
            self.take_roster()
        self._track_radical_views()

    def _warm_up(self, days: int) -> None:
        """Simulate ``days`` unrecorded days so ties form and attitudes settle; then day 0."""
        if days <= 0:
            return
        for _ in range(days):
            self._simulate_day()
        self.prisoners.next_assessment -= self.day  # keep the assessment calendar
        self.holding.person.next_assessment[: self.holding.size] -= self.day
        self.community.shift_days(self.day)
        self.day = 0
        self._reset_day()

    def step(self) -> None:
        """One day: every enabled submodel in schedule order, then the metrics."""
        self._simulate_day()
        self.today = outcomes.compute(self)
        self.datacollector.collect(self)

    # -- convenience -------------------------------------------------------------------
    def timeseries(self):
        """The daily outcomes as a pandas DataFrame indexed by day."""
        return self.datacollector.get_model_vars_dataframe().set_index("day")

    def network(self):
        """The prisoner tie network as a networkx graph with node attributes."""
        p = self.prisoners
        slots = np.flatnonzero(p.active)
        g = self.ties.to_networkx(slots)
        for s in slots.tolist():
            g.nodes[s].update(
                unit=int(p.unit[s]),
                extremism=float(p.extremism[s]),
                category=int(p.category[s]),
                leader=bool(p.leader[s]),
            )
        return g


@kernels.compiled
def radical_crossings(active, radical, radicalised, x, category, enter_above, leave_below):
    """Who crossed into (``x > enter_above``) or out of (``x < leave_below``) radical
    views today, in place on ``radical`` and ``radicalised``; returns how many non-VEOs
    entered for the first time in their sentence, how many entered and how many left."""
    newly = entered = left = 0
    for i in range(active.shape[0]):
        if not active[i]:
            continue
        if not radical[i] and x[i] > enter_above:
            radical[i] = True
            entered += 1
            if category[i] < VEO_LESSER and not radicalised[i]:
                newly += 1
            radicalised[i] = True
        elif radical[i] and x[i] < leave_below:
            radical[i] = False
            left += 1
    return newly, entered, left
