"""Weighted prisoner-prisoner ties as sorted edge arrays (a Starsim-style network layer).

An undirected tie ``{i, j}`` is stored once, as its two ends ``lo < hi`` (``int32``) and
its strength (``float64``), in order of the key ``lo*n + hi`` (computed when needed, not
stored: 16 bytes a tie, half of what keys and 64-bit ends took; a daily pass over a
million ties is bound by memory). Strengthening a
batch of contacts is one merge of the sorted batch into the sorted ties; decay and
pruning compact the arrays in place (compiled kernels in ``kernels.py``).
``to_networkx`` gives the public, networkx view.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from wingsim import kernels

MIN_TIE = 0.05  # ties weaker than this are forgotten
_NO_ROWS = np.empty(0, np.int64)


class TieLayer:
    """Ties in buffers with room to grow: rows ``[0, len)`` are the ties, in key order.

    ``weight``, ``lo`` and ``hi`` are views on those rows (so ``weight`` can be changed in
    place); they are views of the day, to be read again after an update.
    """

    def __init__(self, n: int):
        self.n = n
        self._size = 0
        self._buffers = (
            np.empty(0, dtype=np.float64),
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=np.int32),
        )
        #: Buffers the fused daily update writes into, then swaps with ``_buffers``.
        self._spare = tuple(np.empty(0, dtype=b.dtype) for b in self._buffers)
        self._strength: np.ndarray | None = None

    def __len__(self) -> int:
        return self._size

    @property
    def keys(self) -> np.ndarray:
        """Each tie's key ``lo*n + hi`` (ascending)."""
        return kernels.tie_keys(self.lo, self.hi, self.n)

    @property
    def weight(self) -> np.ndarray:
        return self._buffers[0][: self._size]

    @property
    def lo(self) -> np.ndarray:
        return self._buffers[1][: self._size]

    @property
    def hi(self) -> np.ndarray:
        return self._buffers[2][: self._size]

    @property
    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """The two endpoints of every tie, ``lo < hi``."""
        return self.lo, self.hi

    def _changed(self) -> None:
        self._strength = None

    def strength(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Current strength of ties between pairs (0 where there is none)."""
        k = kernels.tie_keys(a, b, self.n)
        if len(self) == 0:
            return np.zeros(k.shape[0])
        keys = self.keys
        idx = np.minimum(np.searchsorted(keys, k), len(self) - 1)
        return np.where(keys[idx] == k, self.weight[idx], 0.0)

    def add(self, a: np.ndarray, b: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """Move the strength of each pair's tie by ``delta`` (saturating in [0, 1]).

        Positive deltas strengthen as ``w += delta (1 - w)``; negative ones weaken as
        ``w += delta w``. Repeated pairs in a batch are summed first. Returns each pair's
        strength after the update (0 where a tie was dropped or never formed).
        """
        if a.shape[0] == 0:
            return np.zeros(0)
        *self._buffers, self._size, after = kernels.tie_add(
            *self._buffers, self._size, a, b, delta, self.n
        )
        self._changed()
        return after

    def add_and_decay(
        self,
        a: np.ndarray,
        b: np.ndarray,
        delta: np.ndarray,
        rate: float,
        rows: np.ndarray | None = None,
    ):
        """The day's contacts (:meth:`add`) then the day's fading (:meth:`decay`) in one
        pass over the ties: the same result, bit for bit (a day with no contacts is just the
        fading). Returns what :meth:`add` does.

        ``rows``, if given, are the rows of the ties of the last ``len(rows)`` pairs (the
        meetings along ties, in tie order, each tie once), so they need not be looked up.
        """
        rows = _NO_ROWS if rows is None else rows
        out, self._size, after, self._strength = kernels.tie_add_decay(
            *self._buffers, self._size, a, b, delta, rows, self.n, 1.0 - rate, MIN_TIE,
            self._spare,
        )  # fmt: skip
        self._spare, self._buffers = self._buffers, out
        return after

    def decay(self, rate: float) -> None:
        """Ties fade without contact; the faintest are dropped."""
        self._size, self._strength = kernels.tie_decay(
            *self._buffers, self._size, 1.0 - rate, MIN_TIE, self.n
        )

    def remove_nodes(self, nodes: np.ndarray) -> None:
        """Drop every tie of the given slots (release: the slot will be reused)."""
        if nodes.shape[0] == 0 or len(self) == 0:
            return
        gone = np.zeros(self.n, dtype=bool)
        gone[nodes] = True
        self._size, self._strength = kernels.tie_drop_nodes(*self._buffers, self._size, gone)

    def renumber(self, new_slot: np.ndarray) -> None:
        """The slots were renumbered (slot ``s`` is now ``new_slot[s]``): every tie's ends
        take their new numbers, and the ties their key order again."""
        weight, lo, hi = (b[: self._size] for b in self._buffers)
        a, b = new_slot[lo], new_slot[hi]
        new_lo, new_hi = np.minimum(a, b), np.maximum(a, b)
        order = kernels.stable_key_order(kernels.tie_keys(new_lo, new_hi, self.n), self.n)
        weight[:] = weight[order]
        lo[:], hi[:] = new_lo[order], new_hi[order]
        if self._strength is not None:
            strength = np.empty_like(self._strength)
            strength[new_slot] = self._strength
            self._strength = strength

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
