"""The day's schedule: the paper's mechanisms in order, visible in one place.

``WingModel.step`` walks ``DAY``; a scenario's ``[submodels]`` table switches any entry
off, and ``[mechanisms.<name>]`` holds each entry's parameters (both tables are built
from this list, so adding a submodel is one file plus one line here). ``PLACEMENT`` is
the regime: intake places arrivals with it, assessment reviews placements with it.
``describe()`` prints the day for the docs and ``wingsim schedule``. The prison's day ends
with release; the released then enter the community, whose submodels follow them.
"""

from __future__ import annotations

from wingsim.submodels import labelling
from wingsim.submodels.assessment import Assessment
from wingsim.submodels.barriers import Barriers
from wingsim.submodels.chaplaincy import Chaplaincy
from wingsim.submodels.community_ties import CommunityTies
from wingsim.submodels.contacts import PrisonerContacts
from wingsim.submodels.grievance import Grievance
from wingsim.submodels.incidents import Incidents
from wingsim.submodels.intake import Intake
from wingsim.submodels.interventions import Interventions
from wingsim.submodels.mental_health import MentalHealth
from wingsim.submodels.mentoring import Mentoring
from wingsim.submodels.placement import POLICIES, Placement
from wingsim.submodels.release import Release
from wingsim.submodels.reoffending import Reoffending
from wingsim.submodels.resettlement import Resettlement
from wingsim.submodels.staff_contact import StaffContacts
from wingsim.submodels.staffing import Staffing
from wingsim.submodels.status import Status
from wingsim.submodels.supervision import Supervision
from wingsim.submodels.transition import Transition

#: One day, in order. Metrics (``outcomes.py``) are computed after the last entry.
DAY = (
    Intake,
    PrisonerContacts,
    StaffContacts,
    Chaplaincy,
    Grievance,
    Status,
    Incidents,
    Staffing,
    Interventions,
    Assessment,
    Resettlement,
    Release,
    # After the gate: the community of released people, followed for the horizon.
    CommunityTies,
    Barriers,
    MentalHealth,
    Mentoring,
    Supervision,
    Transition,
    Reoffending,
)

#: Day counters kept whichever submodels run, once a day when the roster is taken (after
#: intake): days under a label and on the special unit (``labelling.py``).
ON_ROSTER = (labelling.count_days,)

#: The regime's placement policy, chosen by ``[regime] type``.
PLACEMENT: dict[str, type[Placement]] = POLICIES


def describe() -> str:
    """The schedule as numbered lines: name, class and the paper's sentence."""
    lines = []
    for i, cls in enumerate(DAY, 1):
        lines.append(f'{i:2d}. {cls.name:<18} {cls.__name__:<16} "{cls.paper}"')
    lines.append(f"{len(DAY) + 1:2d}. {'metrics':<18} {'outcomes':<16} every outcome column")
    counters = ", ".join(f.__name__ for f in ON_ROSTER)
    lines.append(f"after intake, whichever submodels run: {counters} (labelling.py)")
    regimes = " | ".join(PLACEMENT)
    lines.append(
        f"placement ({regimes}): arrivals at intake, reviews after assessment (placement.py)"
    )
    return "\n".join(lines)
