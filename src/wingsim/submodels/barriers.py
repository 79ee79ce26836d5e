"""After release: stigma and the material barriers of housing and work."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import VEO_LESSER
from wingsim.submodels.community import HOME, CommunitySubmodel, traits


class BarriersParams(Params):
    """Strengths of stigma and material barriers (``[mechanisms.barriers]``)."""

    veo_stigma: float = par(
        1.0,
        ge=0.0,
        le=5.0,
        unit="multiple of public stigma",
        doc="Extra stigma a terrorist conviction carries, on top of the public stigma.",
        source="paper ('unique sources of stigma associated with terrorist offences')",
    )
    label_stigma: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="multiple of public stigma",
        doc="Extra stigma of a risk label that follows a person out of prison.",
    )
    home_share: float = par(
        0.55,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of people with a home to return to (family, partner, own tenancy).",
        source="assumption (many prison leavers in England and Wales lack settled housing)",
    )
    plan_housing: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc=(
            "Chance a complete plan with full services and no stigma has housing arranged "
            "for the day of release (scaled by readiness, services and stigma)."
        ),
    )
    plan_work: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc="The same for work or training arranged before release (also scaled by skills).",
    )
    housing_rate: float = par(
        0.03,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily chance of finding housing with no services and no stigma.",
    )
    work_rate: float = par(
        0.008,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily chance of finding work or training with full skills, no services, no stigma.",
    )
    services_boost: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="multiplier",
        doc="Housing and work chances rise by this times probation.support_services.",
        source="paper ('Structured cooperation with service-providers ... are crucial')",
    )
    housing_stigma: float = par(
        0.7,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the chance of finding housing lost at full stigma.",
        source="paper ('Barriers to reintegration'); value assumption",
    )
    work_stigma: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the chance of finding work lost at full stigma.",
        source="paper ('access to employment or education'); value assumption",
    )
    mentor_help: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="multiplier per unit trust",
        doc="A trusted mentor's practical help (e.g. job applications) raises the chances.",
        source="paper (mentors help 'in completing job applications')",
    )
    housing_loss: float = par(
        0.002,
        ge=0.0,
        le=0.5,
        unit="1/day per unit strain",
        doc="Daily chance of losing housing, times strain.",
    )
    work_loss: float = par(
        0.003,
        ge=0.0,
        le=0.5,
        unit="1/day",
        doc="Daily chance of losing work, times (0.5 + strain).",
    )
    stigma_radicalisation: float = par(
        0.004,
        ge=0.0,
        le=0.1,
        unit="1/day per unit stigma",
        doc=(
            "Daily push of stigma, where support is missing, on an extremist predisposition "
            "(x stigma x (1 - support) x p (1 - p))."
        ),
        source=(
            "paper ('prejudices ... reinforce oppositional and radicalised identities'; 'A sense "
            "of belonging and acceptance makes commitment to violence less sustainable'); value "
            "set against re-engagement under 5% (Belgium, Renard), see docs/ODD.md 7.13"
        ),
    )


class Barriers(CommunitySubmodel):
    """Stigma makes housing and work harder to find; support services lower the barriers.

    Paper: "Individuals convicted of terrorist offences face additional barriers. There
    are unique sources of stigma associated with terrorist offences"; "The stigmatised
    offender will experience challenges in terms of accessing social support and
    opportunities to reintegrate, including access to employment or education";
    "Structured cooperation with service-providers like housing agencies, employment
    agencies ... are crucial ... This must be built into resettlement plans prior to
    release"; "Upholding prejudices towards the offender can entrench barriers and
    reinforce oppositional and radicalised identities."

    Stigma = ``probation.public_stigma`` x (1 + ``veo_stigma`` for a VEO + ``label_stigma``
    for a label), at most 1. A person goes home at release if they have one; otherwise
    the plan may have arranged housing (readiness x services x (1 - stigma)), and likewise
    work. After release the daily chances of finding housing and work are lowered by
    stigma and raised by services and a trusted mentor's help; strain makes them easier to
    lose. Where support is missing, stigma hardens an extremist predisposition.
    """

    name = "barriers"
    Params = BarriersParams
    paper = (
        "The stigmatised offender will experience challenges in terms of accessing social "
        "support and opportunities to reintegrate, including access to employment"
    )

    def services(self) -> float:
        return 1.0 + self.params.services_boost * self.model.config.probation.support_services

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        m, c, mp = self.model, self.model.community, self.params
        rec = c.person
        trait = traits(m, rec.uid[rows])
        services = self.services() / (1.0 + mp.services_boost)
        u = self.draws(rows, 2, salt=1)
        gate_barriers(
            rows, rec.category, rec.labelled, rec.skills, c.readiness, trait, u,
            m.config.probation.public_stigma, mp.veo_stigma, mp.label_stigma, mp.home_share,
            services, mp.plan_housing, mp.housing_stigma, mp.plan_work, mp.work_stigma,
            c.stigma, c.home, c.housed, c.employed,
        )  # fmt: skip

    def step_people(self, rows: np.ndarray) -> None:
        c, mp = self.model.community, self.params
        if rows.shape[0] == 0:
            return
        e = self.exposure(rows)
        u = self.draws(rows, 2)
        # Each daily chance's complement, then its power over the step's days in numpy
        # (the kernels' libm pow differs in the last bit), then the moves.
        stays = barrier_stays(
            rows, c.stigma, c.strain, c.mentor, c.mentor_trust, c.housed, c.person.skills,
            c.support, self.services(), mp.mentor_help, mp.housing_rate, mp.housing_stigma,
            mp.work_rate, mp.work_stigma, mp.housing_loss, mp.work_loss,
            mp.stigma_radicalisation,
        )  # fmt: skip
        barrier_moves(
            rows, u, *(stay**e for stay in stays), c.housed, c.employed, c.person.predisposition
        )


@compiled
def barrier_stays(
    rows, stigma, strain, mentor, mentor_trust, housed, skills, support, services,
    mentor_help, housing_rate, housing_stigma, work_rate, work_stigma, housing_loss,
    work_loss, stigma_radicalisation,
):  # fmt: skip
    """:meth:`Barriers.step_people`'s daily chances, each as ``1 - min(chance, 1)``:
    losing a home, finding one, losing work, finding it (stigma lowers finding, services
    and a trusted mentor raise it, strain raises losing) and stigma's push on the
    predisposition where support is missing."""
    k = rows.shape[0]
    out = np.empty((5, k))
    for i in range(k):
        r = rows[i]
        helped = 1.0 + mentor_help * (mentor_trust[r] if mentor[r] >= 0 else 0.0)
        chance = services * helped
        s = stigma[r]
        find_home = housing_rate * chance * (1.0 - housing_stigma * s)
        find_work = (
            work_rate
            * chance
            * (0.3 + 0.7 * skills[r])
            * (1.0 - work_stigma * s)
            * (1.0 if housed[r] else 0.5)
        )
        out[0, i] = 1.0 - min(housing_loss * strain[r], 1.0)
        out[1, i] = 1.0 - min(find_home, 1.0)
        out[2, i] = 1.0 - min(work_loss * (0.5 + strain[r]), 1.0)
        out[3, i] = 1.0 - min(find_work, 1.0)
        out[4, i] = 1.0 - min(stigma_radicalisation * s * (1.0 - support[r]), 1.0)
    return out[0], out[1], out[2], out[3], out[4]


@compiled
def barrier_moves(
    rows, u, keep_home, no_home, keep_work, no_work, no_push, housed, employed,
    predisposition,
):  # fmt: skip
    """Housing and work kept or found over the step (``u[:, 0]``, ``u[:, 1]`` against
    the chances ``1 - stay``), and the push on the predisposition, in place."""
    for i in range(rows.shape[0]):
        r = rows[i]
        if housed[r]:
            housed[r] = u[i, 0] >= 1.0 - keep_home[i]
        else:
            housed[r] = u[i, 0] < 1.0 - no_home[i]
        if employed[r]:
            employed[r] = u[i, 1] >= 1.0 - keep_work[i]
        else:
            employed[r] = u[i, 1] < 1.0 - no_work[i]
        x0 = predisposition[r]
        predisposition[r] = x0 + (1.0 - no_push[i]) * x0 * (1.0 - x0)


_VEO_LESSER = int(VEO_LESSER)


@compiled
def gate_barriers(
    rows, category, labelled, skills, readiness, trait, u, public_stigma, veo_stigma,
    label_stigma, home_share, services, plan_housing, housing_stigma, plan_work, work_stigma,
    stigma, home, housed, employed,
):  # fmt: skip
    """:meth:`Barriers.enter` for ``rows``, in place: stigma (more for a VEO and for a
    label, at most 1); a home from the trait; housing and work arranged by the plan
    (readiness x services), less likely with stigma, with uniforms ``u``."""
    for i in range(rows.shape[0]):
        r = rows[i]
        s = public_stigma * (
            1.0
            + veo_stigma * np.float64(category[r] >= _VEO_LESSER)
            + label_stigma * np.float64(labelled[r])
        )
        s = min(s, 1.0)
        stigma[r] = s
        h = trait[i, HOME] < home_share
        home[r] = h
        ready = readiness[r] * services
        housed[r] = h or u[i, 0] < plan_housing * ready * (1.0 - housing_stigma * s)
        employed[r] = u[i, 1] < plan_work * ready * skills[r] * (1.0 - work_stigma * s)
