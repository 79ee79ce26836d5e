"""Weighted prisoner-prisoner ties as sorted edge arrays (a Starsim-style network layer).

An undirected tie ``{i, j}`` is stored once under the key ``min*n + max`` in a sorted
``int64`` array, with its strength in a parallel ``float64`` array. Strengthening a
batch of contacts is one merge of the sorted batch into the sorted ties; decay and
pruning compact the arrays in place (compiled kernels in ``kernels.py``).
``to_networkx`` gives the public, networkx view.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from wingsim import kernels

MIN_TIE = 0.05  # ties weaker than this are forgotten


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

    def _truncate(self, k: int) -> None:
        """Keep the first ``k`` ties (the kernels compact the survivors to the front)."""
        if k < len(self):
            self.keys = self.keys[:k]
            self.weight = self.weight[:k]
            self.lo = self.lo[:k]
            self.hi = self.hi[:k]
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
        self.keys, self.weight, self.lo, self.hi, after = kernels.tie_add(
            self.keys, self.weight, self.lo, self.hi, a, b, delta, self.n
        )
        self._changed()
        return after

    def decay(self, rate: float) -> None:
        """Ties fade without contact; the faintest are dropped."""
        self._truncate(
            kernels.tie_decay(self.keys, self.weight, self.lo, self.hi, 1.0 - rate, MIN_TIE)
        )

    def remove_nodes(self, nodes: np.ndarray) -> None:
        """Drop every tie of the given slots (release: the slot will be reused)."""
        if nodes.shape[0] == 0 or len(self) == 0:
            return
        gone = np.zeros(self.n, dtype=bool)
        gone[nodes] = True
        self._truncate(kernels.tie_drop_nodes(self.keys, self.weight, self.lo, self.hi, gone))

    def strength_by_node(self) -> np.ndarray:
        """Sum of tie strengths per slot (weighted degree; cached until the ties change)."""
        if self._strength is None:
            self._strength = kernels.tie_node_sum(self.lo, self.hi, self.weight, self.n)
        return self._strength

    def to_networkx(self, nodes: np.ndarray | None = None) -> nx.Graph:
        """The tie layer as a networkx graph (``weight`` on edges)."""
        g = nx.Graph()
        if nodes is not None:
            g.add_nodes_from(int(i) for i in nodes)
        lo, hi = self.ends
        g.add_weighted_edges_from(zip(lo.tolist(), hi.tolist(), self.weight.tolist(), strict=True))
        return g
