"""The compiled kernels give the same bits as the plain numpy they replaced.

Each reference below is the numpy code the kernel took over (kept here, not in the
package); small random inputs, many rounds, exact equality.
"""

from __future__ import annotations

import numpy as np
import pytest

from wingsim import kernels
from wingsim.network import MIN_TIE, TieLayer


class NumpyTies:
    """The tie layer as it was in numpy: unique + bincount, searchsorted, masks."""

    def __init__(self, n):
        self.n = n
        self.keys = np.empty(0, np.int64)
        self.weight = np.empty(0)
        self.lo = np.empty(0, np.int64)
        self.hi = np.empty(0, np.int64)

    def _keep(self, keep):
        self.keys, self.weight = self.keys[keep], self.weight[keep]
        self.lo, self.hi = self.lo[keep], self.hi[keep]

    def add(self, a, b, delta):
        k = np.minimum(a, b).astype(np.int64) * self.n + np.maximum(a, b)
        uk, inv = np.unique(k, return_inverse=True)
        d = np.bincount(inv, delta, uk.shape[0])
        idx = np.searchsorted(self.keys, uk)
        found = np.zeros(uk.shape[0], dtype=bool)
        inside = idx < self.keys.shape[0]
        found[inside] = self.keys[idx[inside]] == uk[inside]
        hit = idx[found]
        w, df = self.weight[hit], d[found]
        after = np.zeros(uk.shape[0])
        after[found] = np.clip(np.where(df > 0, w + df * (1 - w), w + df * w), 0, 1)
        self.weight[hit] = after[found]
        new = ~found & (d > 0)
        if new.any():
            after[new] = np.clip(d[new], 0, 1)
            nk = uk[new]
            cols = (self.keys, self.weight, self.lo, self.hi)
            adds = (nk, after[new], nk // self.n, nk % self.n)
            self.keys, self.weight, self.lo, self.hi = (
                np.insert(col, idx[new], add) for col, add in zip(cols, adds, strict=True)
            )
        return after[inv]

    def decay(self, rate):
        self.weight *= 1.0 - rate
        self._keep(self.weight >= MIN_TIE)

    def remove_nodes(self, nodes):
        gone = np.zeros(self.n, dtype=bool)
        gone[nodes] = True
        self._keep(~(gone[self.lo] | gone[self.hi]))

    def strength_by_node(self):
        return np.bincount(self.lo, self.weight, self.n) + np.bincount(self.hi, self.weight, self.n)


def _same(a, b):
    return a.shape == b.shape and np.array_equal(a, b)


def _same_ties(x, y) -> bool:
    return all(_same(getattr(x, col), getattr(y, col)) for col in ("keys", "weight", "lo", "hi"))


def _daily_contacts(rng, n, days=80):
    """Days of random contacts among ``n`` slots: pairs (never a self-pair), tie changes."""
    for day in range(days):
        m = int(rng.integers(0, 60))
        a = rng.integers(0, n, m)
        b = (a + rng.integers(1, n, m)) % n
        yield day, a, b, np.where(rng.random(m) < 0.2, -0.16, rng.uniform(0.0, 0.2, m))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tie_layer_matches_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    n = 30
    fast, ref = TieLayer(n), NumpyTies(n)
    for day, a, b, delta in _daily_contacts(rng, n):
        m = a.shape[0]
        assert _same(fast.add(a, b, delta), ref.add(a, b, delta)) or m == 0
        if day % 7 == 3:
            gone = rng.choice(n, 3, replace=False)
            fast.remove_nodes(gone)
            ref.remove_nodes(gone)
        assert _same(fast.strength_by_node(), ref.strength_by_node())
        fast.decay(0.05)
        ref.decay(0.05)
        assert _same_ties(fast, ref), day
    assert len(fast) > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fused_add_and_decay_matches_add_then_decay(seed):
    fused, apart = TieLayer(30), TieLayer(30)
    for _, a, b, delta in _daily_contacts(np.random.default_rng(seed), 30):
        after = fused.add_and_decay(a, b, delta, 0.05)
        assert _same(after, apart.add(a, b, delta))
        apart.decay(0.05)
        assert _same_ties(fused, apart)
        assert _same(fused.strength_by_node(), apart.strength_by_node())
    assert len(fused) > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_add_and_decay_with_the_met_ties_rows(seed):
    """A day's batch as the contacts make it: random pairs, then the ties that meet (in
    tie order, given by row; some also met by chance, some with both changes
    negative). Moving the met ties by row gives the bits of looking every pair up, and
    of the numpy reference."""
    n = 120
    rng = np.random.default_rng(seed)
    with_rows, looked_up = TieLayer(n), TieLayer(n)
    ref = NumpyTies(n)
    for day in range(40):
        m = int(rng.integers(0, 300))
        a = rng.integers(0, n, m)
        b = (a + rng.integers(1, n, m)) % n
        rows = np.flatnonzero(rng.random(len(with_rows)) < 0.3)
        lo, hi = with_rows.lo[rows], with_rows.hi[rows]
        if day % 3 == 0 and rows.shape[0]:  # some met ties also met by chance, twice
            a = np.concatenate([a, hi[:5], lo[:5]])
            b = np.concatenate([b, lo[:5], hi[:5]])
        a, b = np.concatenate([a, lo]), np.concatenate([b, hi])
        delta = np.where(rng.random(a.shape[0]) < 0.2, -0.16, rng.uniform(0.0, 0.2, a.shape[0]))
        after = with_rows.add_and_decay(a, b, delta, 0.05, rows)
        assert _same(after, looked_up.add_and_decay(a, b, delta, 0.05))
        assert _same(after, ref.add(a, b, delta) if a.shape[0] else np.zeros(0))
        ref.decay(0.05)
        for col in ("weight", "lo", "hi"):
            assert _same(getattr(with_rows, col), getattr(looked_up, col))
            assert np.array_equal(getattr(with_rows, col), getattr(ref, col))
        assert _same(with_rows.strength_by_node(), looked_up.strength_by_node())
        assert _same(with_rows.strength_by_node(), ref.strength_by_node())
    assert len(with_rows) > 300
    # A row that does not hold its pair is an error, not a silent change.
    a, b = with_rows.lo[:3].astype(np.int64), with_rows.hi[:3].astype(np.int64)
    with pytest.raises(ValueError):
        with_rows.add_and_decay(a, b, np.full(3, 0.1), 0.05, np.array([0, 2, 1]))
    # So is a row outside the ties (read unsigned, it would be read out of bounds).
    for bad in (-1, len(with_rows)):
        with pytest.raises(ValueError, match="not a tie"):
            with_rows.add_and_decay(a[:1], b[:1], np.full(1, 0.1), 0.05, np.array([bad]))


def test_peer_sum_matches_bincount():
    rng = np.random.default_rng(5)
    n, k = 25, 60
    lo = rng.integers(0, n - 1, k)
    hi = lo + rng.integers(1, n - lo)
    w, values = rng.random(k), rng.random(n)
    ref = np.bincount(lo, w * values[hi], n) + np.bincount(hi, w * values[lo], n)
    assert _same(kernels.tie_peer_sum(lo, hi, w, values, n), ref)
    assert _same(kernels.tie_node_sum(lo, hi, w, n), np.bincount(lo, w, n) + np.bincount(hi, w, n))


@pytest.mark.parametrize("k", [120, 6000])
def test_tie_meetings_match_numpy_reference(k):
    rng = np.random.default_rng(7)
    n, n_units = 40 if k < 1000 else 400, 4
    lo = rng.integers(0, n - 1, k)
    hi = lo + rng.integers(1, n - lo)
    if k >= 1000:  # ties in key order, as the tie layer keeps them
        keys = np.unique(lo * n + hi)
        lo, hi = (keys // n).astype(np.int32), (keys % n).astype(np.int32)
        k = keys.shape[0]
    w = rng.random(k)
    # (unit -1: a slot on no unit; numba and numpy both read index -1 as the last unit)
    unit = rng.integers(0 if k < 1000 else -1, n_units, n).astype(np.int32)
    strength = np.bincount(lo, w, n) + np.bincount(hi, w, n)
    t_unit, access = rng.random(n_units), rng.random(n_units)
    can_meet = rng.random((n_units, n_units)) < 0.5
    r = rng.random(k)
    # The numpy the kernel replaced (PrisonerContacts.meetings).
    rate = 3.0 * t_unit[np.maximum(unit, 0)] / np.maximum(strength, 1.0)
    prob = w * np.minimum(rate[lo], rate[hi])
    ul, uh = unit[lo], unit[hi]
    cross = np.flatnonzero(ul != uh)
    cu, cv = ul[cross], uh[cross]
    prob[cross] *= can_meet[cu, cv] * 0.3 * access[cu]
    meet = r < prob
    rows = kernels.tie_meetings(lo, hi, w, strength, unit, t_unit, can_meet, access, 3.0, 0.3, r)
    assert _same(rows, np.flatnonzero(meet)) and 0 < meet.sum() < k
    assert rows.dtype == np.int64


def test_group_order_is_a_stable_argsort():
    unit = np.random.default_rng(4).integers(0, 40, 3_000).astype(np.int32)
    assert _same(kernels.group_order(unit, 40), np.argsort(unit, kind="stable"))


@pytest.mark.parametrize(("n", "size"), [(17, 300), (2_000, 5_000), (80_000, 20_000)])
def test_stable_key_order_is_a_stable_argsort(n, size):
    """One, two and three radix passes (keys of 9, 22 and 33 bits), with repeated keys."""
    rng = np.random.default_rng(3)
    lo = rng.integers(0, n - 1, size)
    hi = lo + rng.integers(1, n - lo)
    k = np.concatenate((lo * n + hi, (lo * n + hi)[: size // 3]))  # many repeated keys
    rng.shuffle(k)
    assert _same(kernels.stable_key_order(k, n), np.argsort(k, kind="stable"))


def test_unit_leaders_match_lexsort_reference():
    from wingsim.state import Prisoners, Roster
    from wingsim.submodels.status import unit_leaders

    rng = np.random.default_rng(11)
    p = Prisoners.empty(60)
    p.active[:] = rng.random(60) < 0.8
    p.unit[:] = np.where(p.active, rng.integers(0, 4, 60), -1)
    p.status[:] = rng.choice([0.2, 0.5, 0.7, 0.9], 60)  # many equal statuses
    roster = Roster.build(p, 4)
    counts = roster.counts
    cap = np.maximum(1, np.ceil(10.0 * counts / 100.0)).astype(np.int64)
    threshold = rng.uniform(0.4, 0.8, 4)
    # The numpy the kernel replaced (Status.step).
    slots = roster.slots
    order = slots[np.lexsort((-p.status[slots], roster.unit))]
    rank = np.arange(order.shape[0]) - roster.starts[p.unit[order]]
    ref = np.zeros(60, dtype=bool)
    top = order[rank < cap[p.unit[order]]]
    ref[top] = p.status[top] > threshold[p.unit[top]]
    unit_leaders(roster.by_unit, roster.starts, counts, p.status, cap, threshold, p.leader)
    assert _same(p.leader, ref) and ref.any()


def _random_ties(seed, n, k, member_share):
    """``k`` ties ``lo < hi`` among ``n`` slots, their strengths, and a random group."""
    rng = np.random.default_rng(seed)
    lo = rng.integers(0, n - 1, k)
    return lo, lo + rng.integers(1, n - lo), rng.random(k), rng.random(n) < member_share


_GOLDEN, _M1, _M2 = (
    np.uint64(c) for c in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
)


def _numpy_mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def test_keyed_uniforms_match_numpy_reference():
    from wingsim.streams import _KEY_MULTIPLIERS, _MASK, KeyedStream

    stream = KeyedStream(42, "supervision")
    ids = np.random.default_rng(3).integers(0, 10**7, 500)
    for counters, k in (((3, 7), 4), ((365,), 1), ((), 3)):
        shared = int(stream.base)
        for i, counter in enumerate(counters, 1):
            shared ^= (counter * _KEY_MULTIPLIERS[i]) & _MASK
        z = ids.astype(np.uint64) * np.uint64(_KEY_MULTIPLIERS[0]) ^ np.uint64(shared)
        draws = np.arange(1, k + 1, dtype=np.uint64) * _GOLDEN
        ref = (_numpy_mix(_numpy_mix(z)[:, None] + draws) >> np.uint64(11)) / 2.0**53
        got = stream.uniforms(ids, *counters, k=k)
        assert got.shape == (500, k) and _same(got, ref)
        assert 0.45 < got.mean() < 0.55


def _in_order(values):
    """Sums adding in input order (``cumsum`` is sequential), zero for no values."""
    return np.cumsum(values, axis=0)[-1] if len(values) else np.zeros(values.shape[1:])


def test_prisoner_pass_matches_numpy_masks():
    from wingsim.outcomes import AVERAGED, prisoner_sums

    rng = np.random.default_rng(5)
    for n in (0, 1, 50, 300, 2000):
        act = rng.random(n) < 0.8
        cat = rng.integers(0, 4, n).astype(np.int8)
        attributes = tuple(rng.random(n) for _ in AVERAGED[:-1])
        radical, labelled, leader = (rng.random(n) < share for share in (0.2, 0.3, 0.1))
        status, extremism = rng.random(n), rng.random(n)
        status[rng.random(n) < 0.1] = 0.0
        unit = rng.integers(0, 6, n).astype(np.int32)
        officer = rng.integers(-1, 4, n).astype(np.int32)
        is_special = np.arange(6) == 5
        day = prisoner_sums(
            act, cat, attributes, radical, status, labelled, extremism, leader, unit, officer,
            0.6, 0.5, 4, is_special, 2.5,
        )  # fmt: skip
        sums, counts, tally, veo, status_act, totals, occupancy = day
        values = np.column_stack([*attributes, radical]) if n else np.zeros((0, 8))
        for c in range(4):
            members = act & (cat == c)
            assert counts[c] == members.sum()
            assert _same(sums[c], _in_order(values[members]))
        risky = act & (extremism > 0.6)
        safe = act & ~risky
        expected = [
            act & labelled, risky, safe, act & labelled & safe, ~labelled & risky,
            act & leader, act & leader & (extremism > 0.5), act & (officer >= 0),
        ]  # fmt: skip
        assert tally.tolist() == [int(m.sum()) for m in expected]
        assert _same(veo, act & (cat >= 2))
        occ = np.bincount(unit[act], minlength=6)
        assert _same(occupancy, occ)
        places = occ * np.where(is_special, 2.5, 1.0)
        assert _same(status_act, status[act])
        assert _same(totals, np.array([status[act].sum(), status[veo].sum(), places.sum()]))


def test_gini_has_the_bits_numpy_gave_it():
    from wingsim.outcomes import gini

    rng = np.random.default_rng(12)
    for n in (0, 1, 7, 9, 399, 10_000):
        x = rng.random(n) ** 3
        want = 0.0
        if n and x.sum() > 0:  # as numpy computed it before it was compiled
            cum = np.cumsum(np.sort(x))
            want = float((n + 1 - 2 * (cum.sum() / cum[-1])) / n)
        assert gini(x) == gini(x, x.sum()) == want


def test_tie_staff_and_community_passes_match_numpy_masks():
    from wingsim.outcomes import community_tally, staff_counts, tie_weights_by_group
    from wingsim.state import Place

    lo, hi, w, member = _random_ties(13, 300, 5000, 0.3)
    inside, across = tie_weights_by_group(lo, hi, w, member)
    assert inside == w[member[lo] & member[hi]].sum()
    assert across == w[member[lo] ^ member[hi]].sum()

    rng = np.random.default_rng(8)
    active, training = rng.random(40) < 0.7, rng.integers(0, 3, 40).astype(np.int8)
    assert staff_counts(active, training) == (  # untrained 0, general 1, specialist 2
        active.sum(),
        (active & (training == 1)).sum(),
        (active & (training == 2)).sum(),
    )

    size, capacity, day = 900, 1024, 100
    place = rng.integers(0, 4, capacity).astype(np.int8)
    officer = rng.integers(-1, 5, capacity).astype(np.int32)
    licence_end = rng.integers(0, 200, capacity)
    mentor = rng.integers(-1, 3, capacity).astype(np.int32)
    awaiting, housed, employed = (rng.random(capacity) < 0.4 for _ in range(3))
    support, strain, extremism, trust = (rng.random(capacity) for _ in range(4))
    tally, totals = community_tally(
        size, place, officer, licence_end, day, mentor, awaiting, housed, employed,
        support, strain, extremism, trust,
    )  # fmt: skip
    rows = slice(0, size)
    out = place[rows] == Place.COMMUNITY
    supervised = out & (officer[rows] >= 0) & (day < licence_end[rows])
    counts = [out, supervised, out & (mentor[rows] >= 0), awaiting[rows]]
    counts += [out & housed[rows], out & employed[rows]]
    assert tally.tolist() == [int(m.sum()) for m in counts]
    k, supervised_k = int(out.sum()), int(supervised.sum())
    reference = [values[rows][out].sum() for values in (support, strain, extremism)]
    reference.append(trust[rows][supervised].sum())
    assert k and supervised_k and _same(totals, np.array(reference))


def _assign_reference(load, cap, officer_background, background, matching):
    """The numpy loop ``Supervision.assign`` ran before ``assign_cases`` (hiring an
    officer of background 0 whenever all are full)."""
    load, officer_background = load.astype(float), officer_background.copy()
    out = np.empty(background.shape[0], np.int32)
    for i, bg in enumerate(background.tolist()):
        room = load < cap
        if not room.any():
            load, room = np.append(load, 0.0), np.append(room, True)
            officer_background = np.append(officer_background, np.int8(0))
        score = -load
        if matching:
            score = score + 1e6 * (officer_background == bg)
        score[~room] = -np.inf
        j = int(np.argmax(score))
        out[i] = j
        load[j] += 1
    return out, load


@pytest.mark.parametrize("matching", [False, True])
def test_assign_cases_matches_the_numpy_loop(matching):
    from wingsim.submodels.supervision import assign_cases

    rng = np.random.default_rng(5)
    cap = 6
    officer_background = rng.integers(0, 3, 8).astype(np.int8)
    load0 = rng.integers(0, cap + 1, 8)  # some full, some with room, ties
    background = rng.integers(0, 3, 40).astype(np.int8)  # more cases than room: hires
    want, want_load = _assign_reference(load0, cap, officer_background, background, matching)
    load, out, done = load0.astype(float), np.empty(40, np.int32), 0
    while (
        done := assign_cases(load, cap, officer_background, background, matching, out, done)
    ) < 40:
        load = np.append(load, 0.0)
        officer_background = np.append(officer_background, np.int8(0))
    assert _same(out, want) and _same(load, want_load)
    assert load.shape[0] > 8  # the case of everyone full (hiring) was exercised


def test_group_means_add_categories_as_python_sum_does():
    """Each column's mean as Python computed it (``sum`` over the categories' sums, then
    divided by the members), to the bit; values of mixed magnitude, where adding in a
    plain loop would give other bits, and empty groups (NaN)."""
    from wingsim.outcomes import _MEAN_ATTRIBUTE, _MEAN_GROUP, GROUP_MEANS, group_means

    rng = np.random.default_rng(11)
    loop_differs = 0
    for _ in range(2000):
        sums = rng.standard_normal((4, 8)) * 10.0 ** rng.integers(-8, 9, (4, 8))
        counts = rng.integers(0, 3, 4)
        got = group_means(sums, counts, _MEAN_ATTRIBUTE, _MEAN_GROUP)
        for k, (_, group) in enumerate(GROUP_MEANS.values()):
            values = [float(sums[c, _MEAN_ATTRIBUTE[k]]) for c in group]
            members = sum(int(counts[c]) for c in group)
            want = sum(values) / members if members else float("nan")
            assert got[k] == want or (np.isnan(want) and np.isnan(got[k]))
            loop = 0.0
            for v in values:
                loop += v
            loop_differs += members > 0 and loop / members != want
    assert loop_differs  # the check can fail: Python's sum is not a plain loop
