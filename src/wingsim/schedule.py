"""The day's schedule: the paper's mechanisms in order, visible in one place.

``WingModel.step`` walks this list; a scenario's ``[submodels]`` table switches any
entry off. ``describe()`` prints the day for docs and the CLI.
"""

from __future__ import annotations

from wingsim.submodels.assessment import Assessment
from wingsim.submodels.chaplaincy import Chaplaincy
from wingsim.submodels.contacts import PrisonerContacts
from wingsim.submodels.grievance import Grievance
from wingsim.submodels.incidents import Incidents
from wingsim.submodels.intake import Intake
from wingsim.submodels.interventions import Interventions
from wingsim.submodels.release import Release
from wingsim.submodels.staff_contact import StaffContacts
from wingsim.submodels.status import Status

#: One day, in order. Metrics (``outcomes.py``) are computed after the last entry.
DAY = (
    Intake,
    PrisonerContacts,
    StaffContacts,
    Chaplaincy,
    Grievance,
    Status,
    Incidents,
    Interventions,
    Assessment,
    Release,
)


def describe() -> str:
    """The schedule as numbered lines: name, class and the paper's sentence."""
    lines = []
    for i, cls in enumerate(DAY, 1):
        lines.append(f'{i:2d}. {cls.name:<18} {cls.__name__:<16} "{cls.paper}"')
    lines.append(f"{len(DAY) + 1:2d}. {'metrics':<18} {'outcomes':<16} every outcome column")
    return "\n".join(lines)
