"""Mesa agents as views on rows of the state arrays.

Agents are the public face (``model.agents_by_type[Prisoner]``, AgentSet methods,
dashboards); the state lives in numpy arrays updated by vectorised submodels, so an
attribute read such as ``prisoner.extremism`` always shows the live value and an
attribute write goes straight into the array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from wingsim.state import CATEGORY_NAMES, VEO_LESSER, FamilyKind, MentorKind, Place

if TYPE_CHECKING:
    from wingsim.model import WingModel


def _view(array_name: str, field: str, doc: str, cast=float) -> property:
    def get(self):
        return cast(getattr(getattr(self.model, array_name), field)[self.slot])

    def set_(self, value):
        getattr(getattr(self.model, array_name), field)[self.slot] = value

    return property(get, set_, doc=doc)


class RowView(mesa.Agent):
    """An agent that is a view on one row (``slot``) of one of the model's arrays."""

    def __init__(self, model: WingModel, slot: int):
        super().__init__(model)
        self.slot = slot


class Prisoner(RowView):
    """A prisoner: a view on one slot of ``model.prisoners``."""

    extremism = _view("prisoners", "extremism", "Attitude toward violent extremism, 0-1.")
    uncertainty = _view("prisoners", "uncertainty", "Openness to influence (RA uncertainty).")
    trust_in_staff = _view("prisoners", "trust_in_staff", "Trust in officers, 0-1.")
    trust_in_chaplain = _view("prisoners", "trust_in_chaplain", "Trust in chaplains, 0-1.")
    legitimacy = _view("prisoners", "legitimacy", "Perceived fairness of the prison, 0-1.")
    wellbeing = _view("prisoners", "wellbeing", "Well-being, 0-1.")
    grievance = _view("prisoners", "grievance", "Hardship x (1 - legitimacy), 0-1.")
    opposition = _view("prisoners", "opposition", "'Us versus them' mindset, 0-1.")
    status = _view("prisoners", "status", "Status among prisoners, 0-1.")
    vulnerability = _view("prisoners", "vulnerability", "Susceptibility to coercion, 0-1.")
    assessed_risk = _view("prisoners", "assessed_risk", "Latest assessed risk, 0-1.")
    charisma = _view("prisoners", "charisma", "Charisma (0 unless a charismatic leader).")
    unit = _view("prisoners", "unit", "Index of the unit the prisoner is on.", int)
    labelled = _view("prisoners", "labelled", "Carries a risk label.", bool)
    leader = _view("prisoners", "leader", "Currently a leader on the unit.", bool)
    gang = _view("prisoners", "gang", "Member of a crime group or gang.", bool)
    days_served = _view("prisoners", "served", "Days served so far.", int)
    sentence = _view("prisoners", "sentence", "Sentence length in days.", int)
    skills = _view("prisoners", "skills", "Vocational skills built in prison, 0-1.")
    family_bond = _view("prisoners", "family_bond", "Strength of family ties, 0-1.")
    plan_days = _view("prisoners", "plan_days", "Days of resettlement planning so far.", int)

    @property
    def category(self) -> str:
        """mainstream | at_risk | veo_lesser | veo_violent"""
        return CATEGORY_NAMES[int(self.model.prisoners.category[self.slot])]

    @property
    def is_veo(self) -> bool:
        return bool(self.model.prisoners.category[self.slot] >= VEO_LESSER)

    @property
    def ties(self) -> dict[int, float]:
        """Tie strengths to other prisoners, by their ``unique_id``."""
        m = self.model
        lo, hi = m.ties.ends
        mine = (lo == self.slot) | (hi == self.slot)
        other = (lo + hi - self.slot)[mine]
        return {
            int(m.prisoners.uid[o]): float(w)
            for o, w in zip(other, m.ties.weight[mine], strict=True)
        }

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.unique_id} {self.category} unit={self.unit}>"


class Leader(Prisoner):
    """A charismatic prisoner leader: high imported status and charisma.

    Extremist leaders amplify influence and disrupt group sessions; order-keeping
    leaders calm a tense wing (the paper's 'Charismatic Leadership' box).
    """

    @property
    def kind(self) -> str:
        """``extremist`` above the scenario's radical threshold (as the outcomes count
        extremist leaders), else ``order-keeping``."""
        threshold = self.model.config.definitions.radical_threshold
        return "extremist" if self.extremism > threshold else "order-keeping"


class Staff(RowView):
    """An officer in post: a view on one post of ``model.staff``."""

    unit = _view("staff", "unit", "Index of the posted unit.", int)
    training = _view("staff", "training", "0 none, 1 general awareness, 2 specialist.", int)
    fairness = _view("staff", "fairness", "Professionalism and fairness, 0-1.")
    stress = _view("staff", "stress", "Stress, 0-1.")


class Chaplain(RowView):
    """A chaplain: pastoral care and, if trained, theological challenge."""

    trained = _view("chaplains", "trained", "Trained for disengagement work.", bool)
    visits_made = _view("chaplains", "visits_made", "Visits made so far.")


def _record(field: str, doc: str, cast=float) -> property:
    """A view on the prisoner record a released person carries (``community.person``)."""

    def get(self):
        return cast(getattr(self.model.community.person, field)[self.slot])

    def set_(self, value):
        getattr(self.model.community.person, field)[self.slot] = value

    return property(get, set_, doc=doc)


class ReleasedPerson(RowView):
    """A person released from the establishment: a view on one row of ``model.community``.

    The row is one release *episode*; the agent leaves the model when the episode ends
    (returned to custody, or followed for the whole horizon).
    """

    prisoner_uid = _record("uid", "The person's id as a prisoner (kept across returns).", int)
    extremism = _record("extremism", "Attitude toward violent extremism, 0-1.")
    labelled = _record("labelled", "Carries a risk label from prison.", bool)
    housed = _view("community", "housed", "Has stable housing.", bool)
    employed = _view("community", "employed", "Has work or training.", bool)
    strain = _view("community", "strain", "Transition strain (vulnerability), 0-1.")
    support = _view("community", "support", "Support in place, 0-1.")
    trust_in_officer = _view("community", "officer_trust", "Trust in the probation officer.")
    trust_in_mentor = _view("community", "mentor_trust", "Trust in the mentor, 0-1.")
    officer = _view("community", "officer", "Probation officer (-1: none).", int)
    mentor = _view("community", "mentor", "Mentor (-1: none).", int)
    episode = _view("community", "episode", "1 for a first release, 2 after a return, ...", int)

    @property
    def category(self) -> str:
        return CATEGORY_NAMES[int(self.model.community.person.category[self.slot])]

    @property
    def place(self) -> str:
        """community | returned | past_horizon"""
        return Place(int(self.model.community.place[self.slot])).name.lower()

    @property
    def family(self) -> str:
        """none | supportive | negative"""
        return FamilyKind(int(self.model.community.family_kind[self.slot])).name.lower()

    @property
    def days_out(self) -> int:
        return int(self.model.day - self.model.community.release_day[self.slot])

    def __repr__(self) -> str:
        return f"<ReleasedPerson {self.unique_id} {self.category} day {self.days_out}>"


class ProbationOfficer(RowView):
    """A probation officer in post: a view on one row of ``model.probation_officers``."""

    background = _view("probation_officers", "background", "Cultural or religious background.", int)
    fairness = _view("probation_officers", "fairness", "Professionalism and fairness, 0-1.")

    @property
    def caseload(self) -> int:
        """People on licence and in pre-release planning this officer holds."""
        m = self.model
        c, n = m.community, m.community.size
        in_community = (
            (c.officer[:n] == self.slot)
            & (c.place[:n] == Place.COMMUNITY)
            & (m.day < c.licence_end[:n])
        )
        before = m.prisoners.active & (m.prisoners.officer == self.slot)
        return int(in_community.sum() + before.sum())


class Mentor(RowView):
    """A mentor: a 'former', a religious mentor or a community volunteer."""

    hidden_agenda = _view("mentors", "hidden_agenda", "Has a hidden agenda (not screened).", bool)
    places = _view("mentors", "places", "People the mentor can work with at once.", int)

    @property
    def kind(self) -> str:
        """former | religious | volunteer"""
        return MentorKind(int(self.model.mentors.kind[self.slot])).name.lower()
