"""wingsim: agent-based simulation of prison wing dynamics under VEO regimes.

For comparing regimes and levers, never for scoring real individuals.

The names below are imported when first used (PEP 562), so ``import wingsim`` (and
every ``wingsim`` command that needs no model, such as ``wingsim check``) does not load
Mesa, numba and pandas, and a command that will use a process pool can start it first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "Chaplain": "wingsim.agents",
    "Leader": "wingsim.agents",
    "Mentor": "wingsim.agents",
    "Prisoner": "wingsim.agents",
    "ProbationOfficer": "wingsim.agents",
    "ReleasedPerson": "wingsim.agents",
    "Staff": "wingsim.agents",
    "WingModel": "wingsim.model",
    "Scenario": "wingsim.scenario",
    "ScenarioError": "wingsim.scenario",
    "default_scenario": "wingsim.scenario",
    "load_scenario": "wingsim.scenario",
}

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


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wingsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
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
