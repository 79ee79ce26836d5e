"""Imported once by the dashboard's forkserver (:mod:`wingsim.dashboard.workers`).

Importing wingsim and building and stepping one small model here loads the compiled
kernels before any worker is forked: every worker starts with them, and shares their
pages and the imported modules' with its siblings instead of loading its own copy.
"""

from wingsim.dashboard.session import Run, Settings


def warm() -> None:
    run = Run(Settings())
    run.step()
    run.frame()
    run.close()


warm()
