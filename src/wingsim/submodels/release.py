"""Release at sentence end; release outcomes are recorded and the person handed over to the
community before the slot is freed."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import _u, compiled, serve_day
from wingsim.pairwise import pairwise_sum
from wingsim.state import Prisoners
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
        self.release_waiting()
        if done.shape[0] == 0:
            return
        # Each regular release brings an arrival tomorrow (a returner's place is refilled
        # from those waiting for one).
        m.arrivals_due += self.record(done, p)
        m.hand_over(done)
        m.discharge(done)

    def release_waiting(self) -> None:
        """Arrivals who served their whole sentence while waiting for a place are released
        from there (counted as releases of the establishment)."""
        m, h = self.model, self.model.holding
        if h.size == 0:
            return
        done = serve_day(None, h.person.served[: h.size], h.person.sentence[: h.size])
        if done.shape[0]:
            self.record(done, h.person)
            m.arrivals_due += int(done.shape[0])
            m.hand_over(done, source=h.person)
            h.remove(done)

    def record(self, done: np.ndarray, person: Prisoners) -> int:
        """Count today's releases (rows ``done`` of ``person``) and add their extremism and
        trust in staff to the day's sums; returns how many are regular releases (not back
        from the community)."""
        m = self.model
        regular, extremism, trust = release_tally(
            done, person.readmitted, person.extremism, person.trust_in_staff
        )
        m.day_counts["released"] += int(done.shape[0])
        m.day_sums["release_extremism"] += extremism
        m.day_sums["release_trust"] += trust
        return regular


@compiled
def release_tally(done, readmitted, extremism, trust):
    """How many of ``done`` are regular releases (not readmitted), and their extremism and
    trust in staff added as ``ndarray.sum`` adds them (:mod:`wingsim.pairwise`): one call
    for what took three gathers and three sums (a few microseconds a release day)."""
    k = done.shape[0]
    regular = 0
    x, t = np.empty(k), np.empty(k)
    for i in range(k):
        j = _u(done[i])
        regular += not readmitted[j]
        x[i], t[i] = extremism[j], trust[j]
    return regular, pairwise_sum(x), pairwise_sum(t)
