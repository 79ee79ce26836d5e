"""After release: mental health needs, their assessment and treatment."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import AT_RISK
from wingsim.submodels.community import MENTAL_HEALTH, CommunitySubmodel, over, traits


class MentalHealthParams(Params):
    """Strengths of mental health services (``[mechanisms.mental_health]``)."""

    need_share: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of released people with a mental health need.",
        source="assumption (mental health problems are common among prison leavers)",
    )
    need_share_concern: float = par(
        0.4,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="The same share among VEOs and at-risk prisoners.",
        source=(
            "paper ('some sort of connection between radicalised offenders ... and mental "
            "health issues'); value assumption"
        ),
    )
    identification_rate: float = par(
        0.005,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily chance an unassessed need comes to light without probation (GP, crisis).",
    )
    treatment_rate: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="1/day at full services",
        doc="Daily chance an identified need starts treatment, times the services available.",
    )
    treatment_relief: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the strain from a mental health need that treatment removes.",
    )


class MentalHealth(CommunitySubmodel):
    """Needs identified before release can be treated from the gate; others wait.

    Paper: "Mental health services and assessments are needed in prison and post-release
    to ensure that the individual receives the support needed"; "Increasingly, data and
    experience support some sort of connection between radicalised offenders ... and
    mental health issues."

    A need (fixed trait) is identified before release with the quality of the
    multi-agency assessment, and treatment starts in prison with chance
    ``probation.mental_health_services`` x readiness. After release an unknown need comes
    to light slowly (or when the person confides in the probation officer,
    ``supervision.py``); an identified need starts treatment at ``treatment_rate`` x
    services. An untreated need adds to strain (``transition.py``); treatment removes
    ``treatment_relief`` of it.
    """

    name = "mental_health"
    Params = MentalHealthParams
    paper = (
        "Mental health services and assessments are needed in prison and post-release to ensure "
        "that the individual receives the support needed"
    )

    def load(self, rows: np.ndarray) -> np.ndarray:
        """Strain a person's mental health need brings, 0-1."""
        c = self.model.community
        return need_loads(rows, c.mh_need, c.mh_treated, self.params.treatment_relief)

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        m, c, mp = self.model, self.model.community, self.params
        gate_needs(
            rows, c.person.category, traits(m, c.person.uid[rows]), self.draws(rows, 2, salt=1),
            c.quality, c.readiness, mp.need_share_concern, mp.need_share,
            m.config.probation.mental_health_services, c.mh_need, c.mh_identified, c.mh_treated,
        )  # fmt: skip

    def step_people(self, rows: np.ndarray) -> None:
        c, mp = self.model.community, self.params
        rows = rows[c.mh_need[rows] & ~c.mh_treated[rows]]
        if rows.shape[0] == 0:
            return
        e = self.exposure(rows)
        u = self.draws(rows, 2)
        known = c.mh_identified[rows]
        services = self.model.config.probation.mental_health_services
        c.mh_treated[rows] = known & (u[:, 0] < over(mp.treatment_rate * services, e))
        c.mh_identified[rows] = known | (u[:, 1] < over(mp.identification_rate, e))


_AT_RISK = int(AT_RISK)


@compiled
def gate_needs(
    rows, category, trait, u, quality, readiness, share_concern, share, services, need,
    identified, treated,
):  # fmt: skip
    """:meth:`MentalHealth.enter` in place: a need where the person's trait falls below
    the share for his category (``share_concern`` from at risk up), identified before
    release with chance ``quality`` (draw ``u[i, 0]``) and treated from the gate with
    chance ``services x readiness`` (draw ``u[i, 1]``)."""
    for i in range(rows.shape[0]):
        r = rows[i]
        need[r] = trait[i, MENTAL_HEALTH] < (share_concern if category[r] >= _AT_RISK else share)
        identified[r] = need[r] and u[i, 0] < quality[r]
        treated[r] = identified[r] and u[i, 1] < services * readiness[r]


@compiled
def need_loads(rows, need, treated, relief):
    """:meth:`MentalHealth.load`: ``need x (1 - relief x treated)`` of each row."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        out[i] = np.float64(need[r]) * (1.0 - relief * np.float64(treated[r]))
    return out
