"""Release at sentence end; release outcomes are recorded before the slot is freed."""

from __future__ import annotations

import numpy as np

from wingsim.submodels.base import Submodel


class Release(Submodel):
    """Prisoners whose sentence is served leave; their ties go with them.

    Paper: "Offenders with shorter sentences present fewer opportunities for
    intervention in prison."
    """

    name = "release"
    paper = (
        "Offenders with shorter sentences present fewer opportunities for intervention in prison."
    )

    def step(self) -> None:
        m, p = self.model, self.model.prisoners
        p.served[p.active] += 1
        done = np.flatnonzero(p.active & (p.served >= p.sentence))
        if done.shape[0] == 0:
            return
        m.day_counts["released"] += int(done.shape[0])
        m.day_sums["release_extremism"] += float(p.extremism[done].sum())
        m.day_sums["release_trust"] += float(p.trust_in_staff[done].sum())
        m.discharge(done)
