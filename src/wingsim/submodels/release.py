"""Release at sentence end; release outcomes are recorded and the person handed over to the
community before the slot is freed."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.submodels.base import Submodel


class Release(Submodel):
    """Prisoners whose sentence is served leave; their ties go with them.

    Paper: "Offenders with shorter sentences present fewer opportunities for
    intervention in prison."

    The released enter the community (``model.hand_over``): each community submodel sets
    its part of their state at the gate, and they are followed for the horizon.
    """

    name = "release"
    paper = (
        "Offenders with shorter sentences present fewer opportunities for intervention in prison."
    )

    def step(self) -> None:
        m, p = self.model, self.model.prisoners
        done = serve_day(p.active, p.served, p.sentence)
        m.release_waiting()
        if done.shape[0] == 0:
            return
        # Each regular release brings an arrival tomorrow (a returner's place is refilled
        # from those waiting for one).
        m.arrivals_due += int((~p.readmitted[done]).sum())
        m.day_counts["released"] += int(done.shape[0])
        m.day_sums["release_extremism"] += float(p.extremism[done].sum())
        m.day_sums["release_trust"] += float(p.trust_in_staff[done].sum())
        m.hand_over(done)
        m.discharge(done)


@compiled
def serve_day(active, served, sentence):
    """One more day served by every active prisoner, in place; returns the active slots
    whose sentence is now served, in order."""
    out = np.empty(active.shape[0], np.int64)
    k = 0
    for i in range(active.shape[0]):
        if active[i]:
            served[i] += 1
            if served[i] >= sentence[i]:
                out[k] = i
                k += 1
    return out[:k]
