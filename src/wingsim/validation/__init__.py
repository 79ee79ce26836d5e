"""Validation of wingsim: docking the opinion kernels against published models.

Docking (Axtell, Axelrod, Epstein & Cohen 1996) means re-running a published model
with our own code and checking that it reproduces the published results. The
stand-alone models in :mod:`wingsim.validation.docking` use the very kernels in
:mod:`wingsim.opinion` that the wing model runs.
"""

from wingsim.validation.docking import (
    BCResult,
    HKResult,
    RAResult,
    count_clusters,
    run_bounded_confidence,
    run_hegselmann_krause,
    run_relative_agreement,
)

__all__ = [
    "BCResult",
    "HKResult",
    "RAResult",
    "count_clusters",
    "run_bounded_confidence",
    "run_hegselmann_krause",
    "run_relative_agreement",
]
