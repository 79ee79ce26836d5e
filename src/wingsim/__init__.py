"""wingsim: agent-based simulation of prison wing dynamics under VEO regimes.

For comparing regimes and levers, never for scoring real individuals.
"""

from wingsim.agents import (
    Chaplain,
    Leader,
    Mentor,
    Prisoner,
    ProbationOfficer,
    ReleasedPerson,
    Staff,
)
from wingsim.model import WingModel
from wingsim.scenario import Scenario, ScenarioError, default_scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Chaplain",
    "Leader",
    "Mentor",
    "Prisoner",
    "ProbationOfficer",
    "ReleasedPerson",
    "Scenario",
    "ScenarioError",
    "Staff",
    "WingModel",
    "__version__",
    "default_scenario",
    "load_scenario",
]
