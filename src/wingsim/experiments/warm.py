"""Imported once by the local pool's fork server (:mod:`wingsim.experiments.pool`).

A month of the default wing loads the compiled kernels a run uses (82 of 121 after 30
days; a week loads 80) before any worker is forked, so a worker's first run does not
load them itself (0.33 s each) and the workers share the loaded code.
"""

from wingsim.output import run_scenario
from wingsim.scenario import default_scenario

#: Days of the warm-up run: enough for releases, arrivals and probation's first week.
WARM_DAYS = 30

run_scenario(default_scenario(), seed=0, days=WARM_DAYS)
