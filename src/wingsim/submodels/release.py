"""Release at sentence end; release outcomes are recorded and the person handed over to the
community before the slot is freed."""

from __future__ import annotations

from wingsim.kernels import serve_day
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
