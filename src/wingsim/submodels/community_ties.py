"""After release: family and significant others, and prison ties that leave with a person."""

from __future__ import annotations

import numpy as np

from wingsim import kernels
from wingsim.network import MIN_TIE
from wingsim.params import Params, par
from wingsim.state import AT_RISK, FamilyKind, Place
from wingsim.submodels.community import FAMILY, CommunitySubmodel, traits


class CommunityTiesParams(Params):
    """Strengths of the social network after release (``[mechanisms.community_ties]``)."""

    supportive_stance: float = par(
        0.1,
        ge=0.0,
        le=1.0,
        unit="extremism (0-1)",
        doc="Attitude a supportive family pulls a person toward (non-violence).",
        source="assumption",
    )
    negative_stance: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="extremism (0-1)",
        doc="Attitude a family that shares the extremist mindset pulls a person toward.",
        source="paper ('assess whether the family and social circle are partners'); value "
        "assumption",
    )

    supportive_family_share: float = par(
        0.55,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of people with a family or partner who can support desistance.",
        source="assumption",
    )
    negative_family_share: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of mainstream prisoners whose family circle shares an extremist mindset.",
        source="assumption",
    )
    negative_family_share_concern: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="The same share among VEOs and at-risk prisoners.",
        source=(
            "paper ('assess whether the family and social circle are partners in a "
            "disengagement process ... as opposed to stimulators'); value assumption"
        ),
    )
    family_influence: float = par(
        0.003,
        ge=0.0,
        le=0.5,
        unit="1/day per unit bond",
        doc="Daily pull of a family on a person's attitude, times the strength of the bond.",
    )
    involvement_gain: float = par(
        0.4,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Share of a supportive family's support that comes from being involved in the plan "
            "and supervision (an uninvolved family gives the rest)."
        ),
        source="paper ('Involving an ex-offender's social network ... provides crucial support')",
    )
    anchor_rate: float = par(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily pull of attitude back to the person's predisposition (as in prison).",
        source="Friedkin & Johnsen (form); value assumption",
    )
    carry_threshold: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="tie strength",
        doc="Prison ties at least this strong carry over after release.",
    )
    peer_influence: float = par(
        0.01,
        ge=0.0,
        le=0.5,
        unit="1/day per unit tie",
        doc="Daily pull of a former fellow prisoner, also released, on attitude, times the tie.",
        source=(
            "brief (ties to others released from the same unit can pull toward re-engagement); "
            "value assumption"
        ),
    )
    peer_tie_decay: float = par(
        0.005,
        ge=0.0,
        le=0.5,
        unit="1/day",
        doc="Daily fading of carried-over prison ties.",
    )


class CommunityTies(CommunitySubmodel):
    """Family, significant others and former fellow prisoners pull attitudes after release.

    Paper: "Friends, family members and other significant others and meaningful
    relationships are crucial for desistance trajectories"; "Those within an offender's
    social network who are a negative influence should not be involved, but care should
    be taken when identifying such negative influences"; "Involving an ex-offender's social
    network, especially the family ... provides crucial support for desistance processes."

    Each person has a supportive family, a family circle that shares an extremist mindset,
    or none (fixed traits); the bond is what family contact left at release. A supportive
    family is involved in the plan with chance ``probation.family_involvement`` times
    readiness. A negative family is identified with the quality of the needs assessment
    and then kept out; one that is missed may be involved in its place, which strengthens
    its pull. Families pull attitude toward their stance in proportion to the bond.
    Prison ties at least ``carry_threshold`` strong leave with the person; when both ends
    are in the community they pull each other's attitudes together (toward re-engagement
    when the other is more extreme) and fade. Attitude is anchored to predisposition.
    """

    name = "community_ties"
    Params = CommunityTiesParams
    paper = (
        "Friends, family members and other significant others and meaningful relationships "
        "are crucial for desistance trajectories"
    )

    def family_kind(self, u: np.ndarray, category: np.ndarray) -> np.ndarray:
        """FamilyKind of each person from their fixed traits ``u`` and category."""
        mp = self.params
        return family_kinds(
            u,
            category,
            mp.negative_family_share_concern,
            mp.negative_family_share,
            mp.supportive_family_share,
        )

    def family_support(self, rows: np.ndarray) -> np.ndarray:
        """Support a supportive family gives, 0-1 (0 for the others)."""
        c, g = self.model.community, self.params.involvement_gain
        return family_supports(rows, c.family_kind, c.person.family_bond, c.family_involved, g)

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        m, c = self.model, self.model.community
        rec = c.person
        kind = self.family_kind(traits(m, rec.uid[rows]), rec.category[rows])
        u = self.draws(rows, 2, salt=1)
        involve_family(
            rows, kind, u, c.readiness, c.quality, m.config.probation.family_involvement,
            c.family_kind, c.family_involved,
        )  # fmt: skip
        if slots is None:
            return
        # Prison ties that leave with them (before their slots are freed).
        lo, hi = m.ties.ends
        a, b, w = leaving_ties(
            lo, hi, m.ties.weight, slots, m.prisoners.uid, self.params.carry_threshold
        )
        c.carry_ties(a, b, w)

    def step_people(self, rows: np.ndarray) -> None:
        c, mp = self.model.community, self.params
        if rows.shape[0] == 0:
            return
        e = self.exposure(rows)
        x = c.person.extremism
        # Family and anchor pulls, and former fellow prisoners both out (summed over the
        # ties as ``np.bincount`` sums them): the step's move and total pull.
        dx, rate, stay = tie_pulls(
            rows, x, c.person.predisposition, c.family_kind, c.person.family_bond,
            c.family_involved, c.rows_of(c.tie_a), c.rows_of(c.tie_b), c.tie_w, c.place,
            c.size, mp.negative_stance, mp.supportive_stance, mp.family_influence,
            mp.anchor_rate, mp.peer_influence,
        )  # fmt: skip
        if c.tie_a.shape[0]:
            c.tie_w *= (1.0 - mp.peer_tie_decay) ** self.model.config.probation.step_days
            keep = c.tie_w >= MIN_TIE
            if not keep.all():
                c.tie_a, c.tie_b, c.tie_w = c.tie_a[keep], c.tie_b[keep], c.tie_w[keep]
        # Pulls toward fixed targets compound over the step's days: x moves by
        # ``1 - (1 - rate)**e`` of the way to the pulls' weighted target (rate capped at 1;
        # numpy's power, as libm's differs in the last bit).
        tie_moves(rows, dx, rate, stay**e, x)


_COMMUNITY = int(Place.COMMUNITY)
_AT_RISK, _NONE, _SUPPORTIVE, _NEGATIVE = (
    int(AT_RISK),
    int(FamilyKind.NONE),
    int(FamilyKind.SUPPORTIVE),
    int(FamilyKind.NEGATIVE),
)


@kernels.compiled
def family_kinds(u, category, negative_concern, negative_other, supportive):
    """FamilyKind of each row from its trait ``u[:, FAMILY]``: negative below the negative
    share (higher for prisoners of concern), supportive below that plus the supportive
    share, none above."""
    kind = np.empty(u.shape[0], np.int8)
    for i in range(u.shape[0]):
        x = u[i, FAMILY]
        negative = negative_concern if category[i] >= _AT_RISK else negative_other
        if x < negative:
            kind[i] = _NEGATIVE
        elif x < negative + supportive:
            kind[i] = _SUPPORTIVE
        else:
            kind[i] = _NONE
    return kind


@kernels.compiled
def family_supports(rows, family_kind, bond, involved, gain):
    """:meth:`CommunityTies.family_support`: a supportive family's bond, the less without
    involvement (``1 - gain + gain x involved``); 0 for the others."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        share = 1.0 - gain + gain * np.float64(involved[r])
        out[i] = bond[r] * share if family_kind[r] == _SUPPORTIVE else 0.0
    return out


@kernels.compiled
def involve_family(rows, kind, u, readiness, quality, involvement, family_kind, involved):
    """At the gate, in place: each row's family kind, and whether the family is involved
    (offered with chance ``involvement x readiness``; a supportive family, or a negative
    one the assessment did not spot, with chance ``quality``)."""
    for i in range(rows.shape[0]):
        r = rows[i]
        family_kind[r] = kind[i]
        offered = u[i, 0] < involvement * readiness[r]
        spotted = u[i, 1] < quality[r]
        involved[r] = offered and (kind[i] == _SUPPORTIVE or (kind[i] == _NEGATIVE and not spotted))


@kernels.compiled
def leaving_ties(lo, hi, w, slots, uid, min_weight):
    """The ties, in tie order, with an end in ``slots`` and a strength of at least
    ``min_weight``: the uids of both ends and the strength. Ties are in key order (``lo``
    never falls, ``lo < hi``), so none past the last with ``lo`` at most the highest slot
    leaving can touch one: the scan stops there (a binary search)."""
    leaving = np.zeros(uid.shape[0], np.bool_)
    top = -1
    for s in slots:
        leaving[s] = True
        top = max(top, s)
    start, end = 0, lo.shape[0]
    while start < end:
        mid = (start + end) // 2
        if lo[mid] <= top:
            start = mid + 1
        else:
            end = mid
    a = np.empty(start, np.int64)
    b = np.empty(start, np.int64)
    out_w = np.empty(start)
    k = 0
    for i in range(start):
        if (leaving[lo[i]] or leaving[hi[i]]) and w[i] >= min_weight:
            a[k], b[k], out_w[k] = uid[lo[i]], uid[hi[i]], w[i]
            k += 1
    return a[:k], b[:k], out_w[:k]


@kernels.compiled
def tie_pulls(
    rows, x, x0, family_kind, bond, involved, ra, rb, tie_w, place, n, negative_stance,
    supportive_stance, family_influence, anchor_rate, peer_influence,
):  # fmt: skip
    """:meth:`CommunityTies.step_people` before the step's power: each row's move ``dx``
    (anchor, family and peers) and total pull ``rate``, and ``1 - min(rate, 1)``. Ties
    count where both ends (rows ``ra``, ``rb``; -1 for none) are in the community; their
    pulls are summed per person in tie order, as ``np.bincount`` sums them."""
    k = rows.shape[0]
    dx = np.empty(k)
    rate = np.empty(k)
    stay = np.empty(k)
    peer_a = np.zeros(n)
    peer_b = np.zeros(n)
    pull_a = np.zeros(n)
    pull_b = np.zeros(n)
    peers = False
    for j in range(ra.shape[0]):
        a, b = ra[j], rb[j]
        if a >= 0 and b >= 0 and place[a] == _COMMUNITY and place[b] == _COMMUNITY:
            w = peer_influence * tie_w[j]
            g = w * (x[b] - x[a])
            peer_a[a] += g
            peer_b[b] += g
            pull_a[a] += w
            pull_b[b] += w
            peers = True
    for i in range(k):
        r = rows[i]
        kind = family_kind[r]
        stance = negative_stance if kind == _NEGATIVE else supportive_stance
        if kind == _NONE:
            pull = 0.0
        else:
            pull = family_influence * bond[r] * (1.0 + np.float64(involved[r]))
        pull = min(pull, 1.0)
        d = anchor_rate * (x0[r] - x[r]) + pull * (stance - x[r])
        t = anchor_rate + pull
        if peers:
            d += peer_a[r] - peer_b[r]
            t += pull_a[r] + pull_b[r]
        dx[i] = d
        rate[i] = t
        stay[i] = 1.0 - min(t, 1.0)
    return dx, rate, stay


@kernels.compiled
def tie_moves(rows, dx, rate, stays, x):
    """``x`` moves ``(1 - stay) / rate`` of each row's ``dx``, within [0, 1], in place."""
    for i in range(rows.shape[0]):
        r = rows[i]
        moved = (1.0 - stays[i]) / max(rate[i], 1e-12)
        x[r] = min(max(x[r] + moved * dx[i], 0.0), 1.0)
