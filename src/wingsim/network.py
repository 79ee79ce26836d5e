"""Weighted prisoner-prisoner ties as sorted edge arrays (a Starsim-style network layer).

An undirected tie ``{i, j}`` is stored once under the key ``min*n + max`` in a sorted
``int64`` array, with its strength in a parallel ``float64`` array. Strengthening a
batch of contacts is a ``searchsorted`` plus one sorted insertion; decay and pruning
are whole-array operations. ``to_networkx`` gives the public, networkx view.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

MIN_TIE = 0.05  # ties weaker than this are forgotten


def _merge_insert(arrays, pos, new_arrays):
    """Insert sorted new rows at ``pos`` (from searchsorted) into parallel arrays.

    A leaner ``np.insert`` for several arrays at once: new row ``i`` lands at ``pos[i] + i``.
    """
    k = pos.shape[0]
    n = arrays[0].shape[0] + k
    slots = pos + np.arange(k)
    old = np.ones(n, dtype=bool)
    old[slots] = False
    out = []
    for arr, new in zip(arrays, new_arrays, strict=True):
        merged = np.empty(n, dtype=arr.dtype)
        merged[slots] = new
        merged[old] = arr
        out.append(merged)
    return out


class TieLayer:
    def __init__(self, n: int):
        self.n = n
        self.keys = np.empty(0, dtype=np.int64)
        self.weight = np.empty(0, dtype=np.float64)
        self.lo = np.empty(0, dtype=np.int64)
        self.hi = np.empty(0, dtype=np.int64)
        self._strength: np.ndarray | None = None

    def __len__(self) -> int:
        return self.keys.shape[0]

    @property
    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """The two endpoints of every tie, ``lo < hi``."""
        return self.lo, self.hi

    def _changed(self) -> None:
        self._strength = None

    def _keep(self, keep: np.ndarray) -> None:
        self.keys = self.keys[keep]
        self.weight = self.weight[keep]
        self.lo = self.lo[keep]
        self.hi = self.hi[keep]
        self._changed()

    def _key(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.minimum(a, b).astype(np.int64) * self.n + np.maximum(a, b)

    def strength(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Current strength of ties between pairs (0 where there is none)."""
        k = self._key(a, b)
        idx = np.searchsorted(self.keys, k)
        idx = np.minimum(idx, max(len(self) - 1, 0))
        if len(self) == 0:
            return np.zeros(k.shape[0])
        return np.where(self.keys[idx] == k, self.weight[idx], 0.0)

    def add(self, a: np.ndarray, b: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """Move the strength of each pair's tie by ``delta`` (saturating in [0, 1]).

        Positive deltas strengthen as ``w += delta (1 - w)``; negative ones weaken as
        ``w += delta w``. Repeated pairs in a batch are summed first. Returns each pair's
        strength after the update (0 where a tie was dropped or never formed).
        """
        if a.shape[0] == 0:
            return np.zeros(0)
        k = self._key(a, b)
        uk, inv = np.unique(k, return_inverse=True)
        d = np.bincount(inv, delta, uk.shape[0])
        idx = np.searchsorted(self.keys, uk)
        found = np.zeros(uk.shape[0], dtype=bool)
        inside = idx < len(self)
        found[inside] = self.keys[idx[inside]] == uk[inside]
        hit = idx[found]
        w = self.weight[hit]
        df = d[found]
        after = np.zeros(uk.shape[0])
        after[found] = np.clip(np.where(df > 0, w + df * (1 - w), w + df * w), 0, 1)
        self.weight[hit] = after[found]
        new = ~found & (d > 0)
        if new.any():
            after[new] = np.clip(d[new], 0, 1)
            nk = uk[new]
            self.keys, self.weight, self.lo, self.hi = _merge_insert(
                (self.keys, self.weight, self.lo, self.hi),
                idx[new],
                (nk, after[new], nk // self.n, nk % self.n),
            )
        self._changed()
        return after[inv]

    def decay(self, rate: float) -> None:
        """Ties fade without contact; the faintest are dropped."""
        self.weight *= 1.0 - rate
        self._strength = None
        keep = self.weight >= MIN_TIE
        if not keep.all():
            self._keep(keep)

    def remove_nodes(self, nodes: np.ndarray) -> None:
        """Drop every tie of the given slots (release: the slot will be reused)."""
        if nodes.shape[0] == 0 or len(self) == 0:
            return
        gone = np.zeros(self.n, dtype=bool)
        gone[nodes] = True
        lo, hi = self.ends
        self._keep(~(gone[lo] | gone[hi]))

    def strength_by_node(self) -> np.ndarray:
        """Sum of tie strengths per slot (weighted degree; cached until the ties change)."""
        if self._strength is None:
            lo, hi = self.ends
            self._strength = np.bincount(lo, self.weight, self.n) + np.bincount(
                hi, self.weight, self.n
            )
        return self._strength

    def to_networkx(self, nodes: np.ndarray | None = None) -> nx.Graph:
        """The tie layer as a networkx graph (``weight`` on edges)."""
        g = nx.Graph()
        if nodes is not None:
            g.add_nodes_from(int(i) for i in nodes)
        lo, hi = self.ends
        g.add_weighted_edges_from(zip(lo.tolist(), hi.tolist(), self.weight.tolist(), strict=True))
        return g
