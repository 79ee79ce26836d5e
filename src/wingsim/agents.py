"""Mesa agents as views on rows of the state arrays.

Agents are the public face (``model.agents_by_type[Prisoner]``, AgentSet methods,
dashboards); the state lives in numpy arrays updated by vectorised submodels, so an
attribute read such as ``prisoner.extremism`` always shows the live value and an
attribute write goes straight into the array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from wingsim.state import CATEGORY_NAMES, VEO_LESSER

if TYPE_CHECKING:
    from wingsim.model import WingModel


def _view(array_name: str, field: str, doc: str, cast=float) -> property:
    def get(self):
        return cast(getattr(getattr(self.model, array_name), field)[self.slot])

    def set_(self, value):
        getattr(getattr(self.model, array_name), field)[self.slot] = value

    return property(get, set_, doc=doc)


class Prisoner(mesa.Agent):
    """A prisoner: a view on one slot of ``model.prisoners``."""

    def __init__(self, model: WingModel, slot: int):
        super().__init__(model)
        self.slot = slot

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
        return "extremist" if self.extremism > 0.5 else "order-keeping"


class Staff(mesa.Agent):
    """An officer in post: a view on one post of ``model.staff``."""

    def __init__(self, model: WingModel, post: int):
        super().__init__(model)
        self.slot = post

    unit = _view("staff", "unit", "Index of the posted unit.", int)
    training = _view("staff", "training", "0 none, 1 general awareness, 2 specialist.", int)
    fairness = _view("staff", "fairness", "Professionalism and fairness, 0-1.")
    stress = _view("staff", "stress", "Stress, 0-1.")


class Chaplain(mesa.Agent):
    """A chaplain: pastoral care and, if trained, theological challenge."""

    def __init__(self, model: WingModel, index: int):
        super().__init__(model)
        self.slot = index

    trained = _view("chaplains", "trained", "Trained for disengagement work.", bool)
    visits_made = _view("chaplains", "visits_made", "Visits made so far.")
