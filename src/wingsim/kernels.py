"""Compiled kernels (numba) for the day's hot paths that several modules share.

The tie layer's batch update, decay and pruning, and the per-slot sums over ties that
contacts, staff contacts and status read. Each kernel does the arithmetic of the numpy
expression it replaces in the same order (``np.bincount`` accumulates in input order, so
a loop that adds in input order gives the same bits), so results are bit-identical to
the numpy versions kept as references in ``tests/test_kernels.py``. Kernels draw no
random numbers: callers draw from their submodel's own stream with numpy and pass the
draws in, so every stream's sequence of draws is what it was.

Compiled code is cached on disk (``cache=True``): beside the source in ``__pycache__``,
or, where that is read-only, in numba's user cache directory (``NUMBA_CACHE_DIR``
overrides both). Kernels release the GIL (``nogil=True``): they touch only arrays, so
models stepped in threads (the dashboard's sessions, Dask's threaded workers) run their
kernels on separate cores at once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: How every kernel is compiled: cached on disk (``cache=True``), releasing the GIL
#: (``nogil=True``), and with numpy's error model: a division by zero would give inf or
#: nan instead of raising ZeroDivisionError. Every divisor in the kernels is bounded away
#: from zero (uncertainty >= MIN_UNCERTAINTY, ``max(x, 1e-12)``, constants), so results
#: are the same bits; without a check on each division numba compiles tighter loops
#: (``contacts.meeting_effects`` at 80,000 prisoners: 11.7 -> 9.9 ms, least of 15).
compiled = njit(cache=True, nogil=True, error_model="numpy")

#: An index cast for the hottest loops: numba reads ``a[i]`` for a signed ``i`` as
#: ``a[i + len(a)]`` when ``i < 0`` (Python's wraparound), a compare and a select on every
#: access unless the compiler can prove ``i >= 0``; an unsigned index has no such check.
#: Only for indices that are never negative (slots, tie rows, counters), so the same
#: elements and the same bits (``tie_add_decay``'s pass over 140,000 ties at 10,000
#: prisoners: 0.71 -> 0.59 ms).
_u = np.uint64

_RADIX_BITS = 11
_RADIX = 1 << _RADIX_BITS


@compiled
def tie_keys(a, b, n):
    """The key ``min*n + max`` of each pair."""
    k = np.empty(a.shape[0], np.int64)
    for i in range(a.shape[0]):
        x, y = np.int64(a[i]), np.int64(b[i])
        k[i] = min(x, y) * n + max(x, y)
    return k


@compiled
def officers_per_unit(staff_unit, staff_active, n_units):
    """Officers in post on each unit (``np.bincount(staff_unit[staff_active], n_units)``)."""
    officers = np.zeros(n_units, np.int64)
    for j in range(staff_unit.shape[0]):
        if staff_active[j]:
            officers[staff_unit[j]] += 1
    return officers


@compiled
def group_order(group, n):
    """``np.argsort(group, kind="stable")`` for labels in ``range(n)`` (a counting sort:
    one pass to count, one to place; the roster's daily sort by unit)."""
    starts = np.zeros(n + 1, np.int64)
    for g in group:
        starts[g + 1] += 1
    for d in range(n):
        starts[d + 1] += starts[d]
    out = np.empty(group.shape[0], np.int64)
    for i in range(group.shape[0]):
        out[starts[group[i]]] = i
        starts[group[i]] += 1
    return out


@compiled
def stable_key_order(k, n):
    """``np.argsort(k, kind="stable")`` for tie keys ``lo*n + hi`` (below ``n*n``): a
    least-significant-digit radix sort on 11-bit digits (three passes for 80,000 slots),
    carrying the keys along so every pass reads in order; linear in the batch, with
    counters that stay in the first-level cache (two counting sorts on ``n`` buckets took
    half as long again at 80,000 slots)."""
    m = k.shape[0]
    order = np.arange(m)
    order_out = np.empty(m, np.int64)
    key = k.copy()
    key_out = np.empty(m, np.int64)
    count = np.empty(_RADIX + 1, np.int64)
    shift = 0
    while ((np.int64(n) * n - 1) >> shift) > 0:
        count[:] = 0
        for j in range(m):
            count[_u(((key[j] >> shift) & (_RADIX - 1)) + 1)] += 1
        for d in range(_RADIX):
            count[d + 1] += count[d]
        for j in range(m):
            d = _u((key[j] >> shift) & (_RADIX - 1))
            c = _u(count[d])
            order_out[c] = order[j]
            key_out[c] = key[j]
            count[d] = c + 1
        order, order_out = order_out, order
        key, key_out = key_out, key
        shift += _RADIX_BITS
    return order


@compiled
def _grown(arr, size, capacity):
    """A buffer of ``capacity`` rows holding the first ``size`` rows of ``arr``."""
    out = np.empty(capacity, arr.dtype)
    out[:size] = arr[:size]
    return out


@compiled
def _batch(a, b, delta, n):
    """The batch's distinct pair keys in key order with their summed ``delta`` (repeated
    pairs summed in batch order), and each pair's index among them.

    Only the batch before its longest tail in key order is radix-sorted; that sorted
    head is then merged with the tail, the head's pair first among equal keys: the
    stable order of the whole batch, so every sum adds in batch order as before. (The
    day's batch is the chance meetings, then the meetings along ties, which come in tie
    order: at 10,000 prisoners 9,300 of 15,200 pairs are sorted, 0.091 -> 0.052 ms.)
    """
    m = a.shape[0]
    k = tie_keys(a, b, n)
    s = m - 1 if m else 0  # where the tail in key order starts
    while s > 0 and k[_u(s - 1)] <= k[_u(s)]:
        s -= 1
    order = stable_key_order(k[:s], n)  # equal keys keep batch order
    uk = np.empty(m, np.int64)
    d = np.zeros(m)
    inv = np.empty(m, np.int64)
    nu = 0
    p = 0
    t = s
    for _ in range(m):
        if t >= m or (p < s and k[_u(order[_u(p)])] <= k[_u(t)]):
            i = _u(order[_u(p)])
            p += 1
        else:
            i = _u(t)
            t += 1
        if nu == 0 or k[i] != uk[_u(nu - 1)]:
            uk[_u(nu)] = k[i]
            nu += 1
        d[_u(nu - 1)] += delta[i]
        inv[i] = nu - 1
    return uk[:nu], d[:nu], inv


@compiled
def _moved(w, dj):
    """A tie's strength after a day's summed change ``dj``, saturating in [0, 1]."""
    v = w + dj * (1.0 - w) if dj > 0 else w + dj * w
    return min(max(v, 0.0), 1.0)


@compiled
def _key(lo, hi, i, n):
    """The key ``lo*n + hi`` of tie ``i`` (ties are kept in key order)."""
    return np.int64(lo[i]) * n + hi[i]


@compiled
def tie_add(weight, lo, hi, size, a, b, delta, n):
    """Move each pair's tie by ``delta`` (saturating), inserting new ties in key order.

    ``weight``, ``lo`` and ``hi`` are buffers whose first ``size`` rows are the ties.
    Repeated pairs are summed in batch order first. Existing ties change in place; new
    ones are merged in place from the back (no allocation) while the buffers have room,
    else into larger buffers. Returns ``(weight, lo, hi, size, after)``, with ``after``
    each pair's strength after the update.
    """
    m = a.shape[0]
    uk, d, inv = _batch(a, b, delta, n)
    nu = uk.shape[0]
    # Walk the sorted ties and the sorted batch keys together.
    after = np.zeros(nu)
    new_keys = np.empty(nu, np.int64)
    new_weight = np.empty(nu)
    n_new = 0
    p = 0
    for j in range(nu):
        key = uk[j]
        while p < size and _key(lo, hi, p, n) < key:
            p += 1
        dj = d[j]
        if p < size and _key(lo, hi, p, n) == key:
            v = _moved(weight[p], dj)
            weight[p] = v
            after[j] = v
        elif dj > 0:
            after[j] = min(dj, 1.0)
            new_keys[n_new] = key
            new_weight[n_new] = after[j]
            n_new += 1
    out = np.empty(m)
    for i in range(m):
        out[i] = after[inv[i]]
    total = size + n_new
    if total > weight.shape[0]:
        capacity = total + total // 2 + 1024
        weight = _grown(weight, size, capacity)
        lo, hi = _grown(lo, size, capacity), _grown(hi, size, capacity)
    # Merge from the back: every row moves right by the number of new keys above it.
    p = size - 1
    q = total - 1
    for j in range(n_new - 1, -1, -1):
        key = new_keys[j]
        while p >= 0 and _key(lo, hi, p, n) > key:
            weight[q], lo[q], hi[q] = weight[p], lo[p], hi[p]
            p -= 1
            q -= 1
        weight[q], lo[q], hi[q] = new_weight[j], key // n, key % n
        q -= 1
    return weight, lo, hi, total, out


@compiled
def tie_add_decay(weight, lo, hi, size, a, b, delta, rows, n, factor, min_tie, out):
    """``tie_add`` then ``tie_decay`` in one forward pass, written into the buffers
    ``out`` (weight, lo, hi; grown if too small): the day's contacts move their ties,
    every tie fades by ``factor``, ties below ``min_tie`` go. The same arithmetic in the
    same order as the two kernels, so the same bits. Returns ``(buffers, size, after,
    strength)``: the buffers now holding the ties, how many, each pair's strength after
    its contact (before the fading) and every slot's weighted degree after.

    ``rows`` are the rows of the ties of the batch's last pairs (the meetings along
    ties, each tie once, in tie order; may be empty): their ties move in place before the
    pass, once every pair's change is summed, so the pass merges only the other pairs
    (at 10,000 prisoners 9,300 pairs of 15,200 instead of all).

    Written for speed (about one tie in twenty falls below ``min_tie`` on a day, at
    random): every tie is written and the write position moves only if it is kept, and
    a dropped tie adds 0.0 to the weighted degrees (strengths are >= 0, so the same
    bits); each ``lo`` end's sum is kept in a register over its run of ties (ties are in
    key order), see ``tie_peer_sum``. The ties between two of the pairs fade in a tight
    loop that compares keys only; a pair's tie moves in place, and a new tie is written
    as a tie into the row just read, to fade in the next run (the input buffers are
    the caller's spare after). Indices are unsigned (see ``_u``). At 10,000 prisoners,
    0.71 -> 0.54 ms a day with ``_batch``'s sorted tail and ``rows``.
    """
    m = a.shape[0]
    uk, d, inv = _batch(a, b, delta, n)
    nu = uk.shape[0]
    after = np.zeros(nu)
    # The met ties move in place (a pair's change summed in batch order, as it is used),
    # and the pass walks only the distinct pairs that have no row yet, ``todo``.
    met = np.zeros(nu, np.bool_)
    if rows.shape[0] > m:
        raise ValueError("more met ties than pairs")
    for t in range(rows.shape[0]):
        if not 0 <= rows[t] < size:  # (checked before the unsigned reads below)
            raise ValueError("a met tie's row is not a tie")
        j, i = _u(inv[m - rows.shape[0] + t]), _u(rows[t])
        if lo[i] * np.int64(n) + hi[i] != uk[j]:
            raise ValueError("a met tie's row does not hold its pair")
        weight[i] = after[j] = _moved(weight[i], d[j])
        met[j] = True
    todo = np.empty(nu, np.int64)
    n_todo = 0
    for j in range(nu):
        todo[_u(n_todo)] = j
        n_todo += not met[j]
    ow, olo, ohi = out
    if ow.shape[0] < size + nu:
        capacity = size + nu + (size + nu) // 2 + 1024
        ow, olo, ohi = (
            np.empty(capacity),
            np.empty(capacity, lo.dtype),
            np.empty(capacity, hi.dtype),
        )
    strength = np.zeros(n)
    s_hi = np.zeros(n)
    nn = np.int64(n)
    end = nn * n  # above every key
    i = 0
    q = 0
    cur = np.int64(0)
    acc = 0.0
    for t in range(n_todo + 1):
        j = _u(todo[_u(t)]) if t < n_todo else _u(0)
        key = uk[j] if t < n_todo else end
        # The ties below the pair ``j``'s key, in a tight loop. (Its last lines are
        # ``_compact``'s: a kernel called once a tie costs some twenty times the loop
        # itself, its array arguments being reference-counted.)
        while i < size:
            ui = _u(i)
            x, y = lo[ui], hi[ui]
            if x * nn + y >= key:
                break
            w = weight[ui] * factor
            keep = w >= min_tie
            ow[_u(q)], olo[_u(q)], ohi[_u(q)] = w, x, y
            kept = w if keep else 0.0
            if x != cur:
                strength[_u(cur)] = acc
                cur, acc = x, 0.0
            acc += kept
            s_hi[_u(y)] += kept
            q += keep
            i += 1
        if t == n_todo:
            break
        if i < size and lo[_u(i)] * nn + hi[_u(i)] == key:  # a tie used today moves,
            weight[_u(i)] = after[j] = _moved(weight[_u(i)], d[j])  # and fades next run
            continue
        if d[j] <= 0:  # a pair with no tie yet: only a friendly contact makes one,
            continue
        after[j] = min(d[j], 1.0)
        if i == 0:  # written as a tie into the row before ``i`` (read, or made free:
            if size == weight.shape[0]:  # the ties move down one row), faded next run
                capacity = size + size // 2 + 1024
                weight = _grown(weight, size, capacity)
                lo, hi = _grown(lo, size, capacity), _grown(hi, size, capacity)
            for r in range(size, 0, -1):
                weight[r], lo[r], hi[r] = weight[r - 1], lo[r - 1], hi[r - 1]
            size += 1
        else:
            i -= 1
        weight[_u(i)], lo[_u(i)], hi[_u(i)] = after[j], key // n, key % n
    if n:  # (no slots, no ties)
        strength[_u(cur)] = acc
    for x in range(n):
        strength[x] += s_hi[x]
    strength_after = np.empty(m)
    for k in range(m):
        strength_after[k] = after[_u(inv[k])]
    return (ow, olo, ohi), q, strength_after, strength


@compiled
def tie_decay(weight, lo, hi, size, factor, min_tie, n):
    """Scale the first ``size`` strengths by ``factor``; compact away ties below
    ``min_tie`` in place. Returns how many ties remain (the first rows of the buffers)
    and the weighted degree of every slot after (``tie_node_sum``, in the same pass).
    """
    return _compact(weight, lo, hi, size, factor, min_tie, np.zeros(n, np.bool_))


@compiled
def tie_drop_nodes(weight, lo, hi, size, gone):
    """Compact away, in place, every one of the first ``size`` ties with an end where
    ``gone``; returns how many remain and the weighted degree of every slot after."""
    return _compact(weight, lo, hi, size, 1.0, -np.inf, gone)


@compiled
def _compact(weight, lo, hi, size, factor, min_tie, gone):
    """Keep, in place, the first ``size`` ties whose strength times ``factor`` (exact for
    1.0) is at least ``min_tie`` and with no end where ``gone``; returns how many remain
    and every slot's weighted degree after. Written without branches on a tie's fate,
    as ``tie_add_decay`` (a dropped tie is written over by the next and adds 0.0)."""
    n = gone.shape[0]
    strength = np.zeros(n)
    s_hi = np.zeros(n)
    j = 0
    cur = np.int64(0)
    acc = 0.0
    gone_x = gone[0] if n else False  # ``gone[lo]``, read once a run
    for i in range(size):
        w, x, y = weight[i] * factor, lo[i], hi[i]
        if x != cur:
            strength[_u(cur)] = acc
            cur, acc, gone_x = x, 0.0, gone[_u(x)]
        keep = (w >= min_tie) & ~(gone_x | gone[_u(y)])
        weight[_u(j)], lo[_u(j)], hi[_u(j)] = w, x, y
        kept = w if keep else 0.0
        acc += kept
        s_hi[_u(y)] += kept
        j += keep
    if n:  # (no slots, no ties)
        strength[_u(cur)] = acc
    for x in range(n):
        strength[x] += s_hi[x]
    return j, strength


@compiled
def tie_node_sum(lo, hi, w, n):
    """``bincount(lo, w, n) + bincount(hi, w, n)``: weighted degree of every slot
    (``tie_peer_sum`` of ones: ``w * 1.0`` is ``w``, so the same bits)."""
    return tie_peer_sum(lo, hi, w, np.ones(n), n)


@compiled
def tie_peer_sum(lo, hi, w, values, n):
    """``bincount(lo, w*values[hi], n) + bincount(hi, w*values[lo], n)``: tie-weighted
    sum of each slot's peers' ``values``.

    For ties in key order (``lo`` never decreasing) each ``lo`` end's sum is kept in a
    register over its run of ties and stored once: the same additions in the same
    order, without a store and a load of the same element for every tie (that chain
    was most of the pass). Falls back to the plain loop if ``lo`` ever decreases.
    """
    s = np.zeros(n)
    s_hi = np.zeros(n)
    cur = _u(0)
    acc = 0.0
    for i in range(lo.shape[0]):
        x, y = _u(lo[i]), _u(hi[i])
        if x != cur:
            if x < cur:
                return _peer_sum_unordered(lo, hi, w, values, n)
            s[cur] = acc
            cur, acc = x, 0.0
        acc += w[i] * values[y]
        s_hi[y] += w[i] * values[x]
    if n:  # (no slots, no ties)
        s[cur] = acc
    for x in range(n):
        s[x] += s_hi[x]
    return s


@compiled
def _peer_sum_unordered(lo, hi, w, values, n):
    """``tie_peer_sum`` for ends in any order."""
    s_lo = np.zeros(n)
    s_hi = np.zeros(n)
    for i in range(lo.shape[0]):
        s_lo[lo[i]] += w[i] * values[hi[i]]
        s_hi[hi[i]] += w[i] * values[lo[i]]
    return s_lo + s_hi


@compiled
def tie_meetings(lo, hi, w, strength, unit, t_unit, can_meet, access, contact_rate, mixing, r):
    """Which ties meet today, given one uniform draw ``r`` per tie.

    A slot's repeat meetings are shared among its ties by strength: its rate is
    ``contact_rate x t_unit / max(strength, 1)``; a tie meets with chance
    ``w x min(rate_lo, rate_hi)``, across units scaled by ``can_meet x mixing x access``.
    Returns the rows of the ties that meet, in tie order (``flatnonzero(r < prob)``).
    """
    n = unit.shape[0]
    rate = np.empty(n)
    for s in range(n):
        rate[s] = contact_rate * t_unit[max(unit[s], 0)] / max(strength[s], 1.0)
    # The cross-unit factor of every pair of units, looked up instead of a branch per tie
    # (about one tie in eight crosses units, at random). Row and column ``k`` stand for
    # unit -1, read as numba reads index -1 (the last unit); a tie within a unit is
    # multiplied by 1.0 (the same bits as not multiplying).
    k = can_meet.shape[0]
    scale = np.empty((k + 1, k + 1))
    for i in range(k + 1):
        for j in range(k + 1):
            ua, ub = i if i < k else -1, j if j < k else -1
            cross = (1.0 if can_meet[ua, ub] else 0.0) * mixing * access[ua]
            scale[i, j] = cross if ua != ub else 1.0
    row = np.empty(n, np.int64)
    for s in range(n):
        row[s] = unit[s] if unit[s] >= 0 else k
    # One pass: every tie's row is written and the count moves on only if it meets
    # (about one tie in twenty does, at random, so a branch would often be mispredicted).
    size = lo.shape[0]
    rows = np.empty(size, np.int64)
    count = 0
    for i in range(size):
        ua, ub = _u(lo[i]), _u(hi[i])
        prob = w[i] * min(rate[ua], rate[ub]) * scale[_u(row[ua]), _u(row[ub])]
        rows[_u(count)] = i
        count += r[i] < prob
    return rows[:count]


@compiled
def serve_day(active, served, sentence):
    """One more day served by every active prisoner (everyone if ``active`` is None: the
    arrivals waiting elsewhere), in place; returns the rows whose sentence is now served,
    in order."""
    out = np.empty(served.shape[0], np.int64)
    k = 0
    for i in range(served.shape[0]):
        if active is not None and not active[i]:  # (compiled away when it is None)
            continue
        served[i] += 1
        if served[i] >= sentence[i]:
            out[k] = i
            k += 1
    return out[:k]
