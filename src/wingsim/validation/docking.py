"""Stand-alone docking models: three published opinion-dynamics results, re-run with our kernels.

Each model runs on a complete graph of ``n`` agents with nothing of the wing (no staff,
units or regimes), so a mismatch points at the kernels in :mod:`wingsim.opinion`, which
the wing model's influence submodel calls too.

* Relative agreement with extremists: Deffuant, Amblard, Weisbuch & Faure (2002), "How
  can extremism prevail?", JASSS 5(4) 1; disputed by Meadows & Cliff (2012), JASSS 15(4) 4;
  answered by Deffuant, Amblard & Weisbuch (2013), JASSS 16(1) 11.
* Bounded confidence: Deffuant, Neau, Amblard & Weisbuch (2000), Adv. Complex Syst. 3, 87;
  Weisbuch et al. (2002), Complexity 7(3); Fortunato (2004), IJMPC 15, 1301.
* Hegselmann & Krause (2002), JASSS 5(3) 2; Fortunato (2005), IJMPC 16, 259;
  Lorenz (2007), IJMPC 18, 1819.

Replicates are simulated together: ``R`` populations of ``n`` agents sit side by side in
one flat array and each round draws one random matching inside every population, so a
single vectorised kernel call advances all of them. All randomness comes from
``np.random.default_rng(seed)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wingsim.opinion import bounded_confidence, hegselmann_krause_step, relative_agreement

Seed = int | np.random.SeedSequence


# --------------------------------------------------------------------------- helpers


def _batched_matching(
    rng: np.random.Generator, n: int, replicates: int
) -> tuple[np.ndarray, np.ndarray]:
    """One uniformly random matching inside each of ``replicates`` blocks of ``n`` agents."""
    base = np.broadcast_to(np.arange(n), (replicates, n))
    perm = rng.permuted(base, axis=1) + (np.arange(replicates) * n)[:, None]
    half = n // 2
    return perm[:, :half].ravel(), perm[:, half : 2 * half].ravel()


def count_clusters(x: np.ndarray, gap: float = 1e-2, min_share: float = 0.0) -> int:
    """Number of opinion clusters in a converged population.

    Sorted opinions are split wherever two neighbours differ by more than ``gap``; a
    cluster counts only if it holds at least ``min_share`` of the agents (the "major
    clusters" of Deffuant et al. 2000 and Lorenz 2007, which ignore a few stragglers
    stranded near the ends of the opinion range).
    """
    xs = np.sort(np.asarray(x, dtype=float))
    if xs.size == 0:
        return 0
    breaks = np.flatnonzero(np.diff(xs) > gap) + 1
    sizes = np.diff(np.concatenate(([0], breaks, [xs.size])))
    return int(np.sum(sizes >= min_share * xs.size))


# ------------------------------------------------------------------ relative agreement


@dataclass(frozen=True)
class RAResult:
    """Outcome of relative-agreement runs (one row per replicate).

    ``y = p'+^2 + p'-^2`` (Deffuant et al. 2002, sec. 3): ``p'+`` (``p'-``) is the share
    of initially moderate agents whose final opinion is above ``threshold`` (below
    ``-threshold``). ``y`` is about 0 for central convergence, 0.5 when the moderates
    split between both extremes and 1 when they all join one extreme.
    """

    y: np.ndarray
    p_plus: np.ndarray
    p_minus: np.ndarray
    converged: np.ndarray
    rounds: int
    x: np.ndarray
    u: np.ndarray
    extremist: np.ndarray

    @property
    def mean_y(self) -> float:
        return float(np.mean(self.y))

    @property
    def regime(self) -> np.ndarray:
        """Per-replicate label: 'central' (y < 0.25), 'both' (0.25-0.75), 'single' (> 0.75)."""
        return np.select([self.y < 0.25, self.y <= 0.75], ["central", "both"], "single")


def run_relative_agreement(
    n: int = 200,
    U: float = 1.4,
    p_e: float = 0.2,
    u_e: float = 0.1,
    mu: float = 0.5,
    delta: float = 0.0,
    rounds: int = 20_000,
    seed: Seed = 0,
    *,
    replicates: int = 1,
    threshold: float = 0.8,
    tol: float = 1e-6,
    check_every: int = 100,
) -> RAResult:
    """Relative agreement model with extremists (Deffuant et al. 2002, JASSS 5(4) 1).

    Opinions start uniform in [-1, 1]. The ``p_e n`` agents with the most extreme initial
    opinions are extremists with uncertainty ``u_e``: ``p+ = p_e (1 + delta) / 2`` of the
    population at the positive end and ``p- = p_e (1 - delta) / 2`` at the negative end;
    everyone else is moderate with uncertainty ``U``. Each round is a random matching
    (``n/2`` disjoint pairs, i.e. ``n/2`` of the paper's pair interactions) updated by
    :func:`wingsim.opinion.relative_agreement`.

    ``y`` is measured *after convergence* (Deffuant et al. 2013, the answer to Meadows &
    Cliff 2012): the run stops once no opinion moved more than ``tol`` over the last
    ``check_every`` rounds in every replicate, or after ``rounds`` rounds.
    """
    rng = np.random.default_rng(seed)
    r = replicates
    x = rng.uniform(-1.0, 1.0, size=(r, n))
    n_pos = int(round(p_e * n * (1.0 + delta) / 2.0))
    n_neg = int(round(p_e * n * (1.0 - delta) / 2.0))
    order = np.argsort(x, axis=1)
    extremist = np.zeros((r, n), dtype=bool)
    rows = np.arange(r)[:, None]
    extremist[rows, order[:, :n_neg]] = True
    extremist[rows, order[:, n - n_pos :]] = True
    u = np.where(extremist, u_e, U)

    xf, uf = x.ravel().copy(), u.ravel().copy()
    prev = xf.copy()
    moved = np.full(r, np.inf)
    t = 0
    while t < rounds:
        a, b = _batched_matching(rng, n, r)
        relative_agreement(xf, uf, a, b, mu)
        t += 1
        if t % check_every == 0:
            moved = np.abs(xf - prev).reshape(r, n).max(axis=1)
            if np.all(moved < tol):
                break
            prev = xf.copy()

    x, u = xf.reshape(r, n), uf.reshape(r, n)
    moderate = ~extremist
    n_mod = np.maximum(moderate.sum(axis=1), 1)
    p_plus = ((x > threshold) & moderate).sum(axis=1) / n_mod
    p_minus = ((x < -threshold) & moderate).sum(axis=1) / n_mod
    return RAResult(
        y=p_plus**2 + p_minus**2,
        p_plus=p_plus,
        p_minus=p_minus,
        converged=moved < tol,
        rounds=t,
        x=x,
        u=u,
        extremist=extremist,
    )


def ra_map(
    U_values: Sequence[float] = tuple(np.round(np.arange(0.2, 2.01, 0.2), 2)),
    pe_values: Sequence[float] = (0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3),
    *,
    replicates: int = 20,
    seed: int = 2002,
    figure: str | Path | None = None,
    title: str | None = None,
    **kwargs,
) -> pd.DataFrame:
    """The (U, p_e) map of y (Deffuant et al. 2002, fig. 9; Meadows & Cliff 2012, fig. 12).

    Returns one row per (U, p_e, replicate); each cell has its own seed stream derived
    from ``seed``. With ``figure`` set, saves a heat map of the mean y per cell.
    ``kwargs`` go to :func:`run_relative_agreement` (n, u_e, mu, delta, rounds, ...).
    """
    rows = []
    for i, U in enumerate(U_values):
        for j, pe in enumerate(pe_values):
            res = run_relative_agreement(
                U=float(U),
                p_e=float(pe),
                seed=np.random.SeedSequence([seed, i, j]),
                replicates=replicates,
                **kwargs,
            )
            for k in range(replicates):
                rows.append(
                    {
                        "U": float(U),
                        "p_e": float(pe),
                        "replicate": k,
                        "y": float(res.y[k]),
                        "p_plus": float(res.p_plus[k]),
                        "p_minus": float(res.p_minus[k]),
                        "converged": bool(res.converged[k]),
                        "rounds": res.rounds,
                    }
                )
    df = pd.DataFrame(rows)
    if figure is not None:
        plot_ra_map(df, figure, title=title)
    return df


def plot_ra_map(df: pd.DataFrame, path: str | Path, title: str | None = None) -> None:
    """Heat map of mean y over replicates, U on the x axis and p_e on the y axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = df.groupby(["p_e", "U"])["y"].mean().unstack("U")
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns], rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel("U (initial uncertainty of moderates)")
    ax.set_ylabel("p_e (share of extremists)")
    for (r, c), v in np.ndenumerate(grid.to_numpy()):
        ax.text(
            c,
            r,
            f"{v:.2f}",
            ha="center",
            va="center",
            fontsize=6,
            color="white" if v < 0.6 else "black",
        )
    fig.colorbar(im, ax=ax, label="mean y")
    ax.set_title(title or "Relative agreement: mean y after convergence")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------ bounded confidence


@dataclass(frozen=True)
class BCResult:
    """Outcome of bounded-confidence runs: cluster counts per replicate."""

    major_clusters: np.ndarray
    all_clusters: np.ndarray
    converged: np.ndarray
    rounds: int
    x: np.ndarray


def run_bounded_confidence(
    n: int = 1000,
    epsilon: float = 0.2,
    mu: float = 0.5,
    rounds: int = 20_000,
    seed: Seed = 0,
    *,
    replicates: int = 1,
    tol: float = 1e-6,
    check_every: int = 50,
    gap: float = 1e-2,
    min_share: float = 0.02,
) -> BCResult:
    """Deffuant-Weisbuch bounded confidence (Deffuant et al. 2000) on a complete graph.

    Opinions start uniform in [0, 1]; each round is a random matching updated by
    :func:`wingsim.opinion.bounded_confidence`. The published result is about
    ``floor(1 / (2 epsilon))`` major clusters (Weisbuch et al. 2002). Runs stop when no
    opinion moved more than ``tol`` over ``check_every`` rounds, then clusters are counted
    with :func:`count_clusters` (``gap``; "major" ones hold at least ``min_share``).
    """
    rng = np.random.default_rng(seed)
    r = replicates
    xf = rng.uniform(0.0, 1.0, size=r * n)
    prev = xf.copy()
    moved = np.full(r, np.inf)
    t = 0
    while t < rounds:
        a, b = _batched_matching(rng, n, r)
        bounded_confidence(xf, a, b, mu, epsilon)
        t += 1
        if t % check_every == 0:
            moved = np.abs(xf - prev).reshape(r, n).max(axis=1)
            if np.all(moved < tol):
                break
            prev = xf.copy()
    x = xf.reshape(r, n)
    return BCResult(
        major_clusters=np.array([count_clusters(row, gap, min_share) for row in x]),
        all_clusters=np.array([count_clusters(row, gap, 0.0) for row in x]),
        converged=moved < tol,
        rounds=t,
        x=x,
    )


def _epsilon_sweep(run, rows_of, epsilons, replicates, seed, **kwargs) -> pd.DataFrame:
    """Run ``run(epsilon=...)`` at each epsilon (its own seed stream); one row per replicate."""
    rows = []
    for i, eps in enumerate(epsilons):
        res = run(
            epsilon=float(eps),
            seed=np.random.SeedSequence([seed, i]),
            replicates=replicates,
            **kwargs,
        )
        for k in range(replicates):
            rows.append({"epsilon": float(eps), "replicate": k, **rows_of(res, k, eps)})
    return pd.DataFrame(rows)


def bc_sweep(
    epsilons: Sequence[float],
    *,
    replicates: int = 10,
    seed: int = 2000,
    figure: str | Path | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Cluster counts against epsilon, one row per (epsilon, replicate); optional figure."""

    def rows_of(res: BCResult, k: int, eps: float) -> dict:
        return {
            "major_clusters": int(res.major_clusters[k]),
            "all_clusters": int(res.all_clusters[k]),
            "predicted": max(1, int(np.floor(1.0 / (2.0 * eps) + 1e-9))),
            "converged": bool(res.converged[k]),
            "rounds": res.rounds,
        }

    df = _epsilon_sweep(run_bounded_confidence, rows_of, epsilons, replicates, seed, **kwargs)
    if figure is not None:
        plot_bc(df, figure)
    return df


def plot_bc(df: pd.DataFrame, path: str | Path) -> None:
    """Mean major/all cluster counts vs epsilon, against floor(1/(2 epsilon))."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = df.groupby("epsilon")
    eps = np.array(sorted(df["epsilon"].unique()))
    fine = np.linspace(eps.min(), eps.max(), 400)
    fig, ax = plt.subplots(figsize=(6.4, 4.0), constrained_layout=True)
    ax.plot(
        fine,
        np.maximum(1, np.floor(1 / (2 * fine))),
        color="0.5",
        lw=1,
        label="floor(1/(2ε)) (published)",
    )
    m, s = g["major_clusters"].mean(), g["major_clusters"].std()
    ax.errorbar(eps, m, yerr=s, fmt="o", ms=4, capsize=2, label="major clusters (≥2% of agents)")
    ax.plot(eps, g["all_clusters"].mean(), "x", ms=5, label="all clusters (incl. stragglers)")
    ax.set_xlabel("ε (confidence bound)")
    ax.set_ylabel("clusters after convergence")
    ax.set_yscale("log")
    ax.set_yticks([1, 2, 3, 5, 10, 20], ["1", "2", "3", "5", "10", "20"])
    ax.legend(fontsize=8)
    n = int(df["n"].iloc[0]) if "n" in df else None
    ax.set_title(f"Deffuant-Weisbuch bounded confidence{f', n={n}' if n else ''}, μ=0.5")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------ Hegselmann-Krause


@dataclass(frozen=True)
class HKResult:
    """Outcome of Hegselmann-Krause runs: clusters and consensus per replicate."""

    clusters: np.ndarray
    consensus: np.ndarray
    converged: np.ndarray
    steps: np.ndarray
    x: np.ndarray


def run_hegselmann_krause(
    n: int = 300,
    epsilon: float = 0.2,
    steps: int = 1000,
    seed: Seed = 0,
    *,
    replicates: int = 1,
    tol: float = 1e-10,
    gap: float = 1e-3,
) -> HKResult:
    """Hegselmann-Krause (2002) bounded confidence on a complete graph.

    Opinions start uniform in [0, 1] and every agent moves synchronously to the mean of
    the opinions within ``epsilon`` (:func:`wingsim.opinion.hegselmann_krause_step`) until
    nothing moves more than ``tol`` (HK reaches a fixed point in finite time) or after
    ``steps`` steps. Consensus means one cluster holding every agent (no straggler).
    The loop over replicates and steps is Python; each step is vectorised over agents.
    """
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(0.0, 1.0, size=(replicates, n))
    out = np.empty_like(x0)
    done = np.zeros(replicates, dtype=bool)
    used = np.zeros(replicates, dtype=int)
    for k in range(replicates):
        x = x0[k]
        for t in range(1, steps + 1):
            new = hegselmann_krause_step(x, epsilon)
            delta = np.max(np.abs(new - x))
            x, used[k] = new, t
            if delta < tol:
                done[k] = True
                break
        out[k] = x
    clusters = np.array([count_clusters(row, gap, 0.0) for row in out])
    return HKResult(clusters=clusters, consensus=clusters == 1, converged=done, steps=used, x=out)


def hk_sweep(
    epsilons: Sequence[float],
    *,
    replicates: int = 50,
    seed: int = 2002,
    figure: str | Path | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Consensus probability against epsilon, one row per (epsilon, replicate)."""

    def rows_of(res: HKResult, k: int, eps: float) -> dict:
        return {
            "clusters": int(res.clusters[k]),
            "consensus": bool(res.consensus[k]),
            "converged": bool(res.converged[k]),
            "steps": int(res.steps[k]),
        }

    df = _epsilon_sweep(run_hegselmann_krause, rows_of, epsilons, replicates, seed, **kwargs)
    if figure is not None:
        plot_hk(df, figure)
    return df


def consensus_threshold(df: pd.DataFrame, level: float = 0.5) -> float:
    """Smallest epsilon from which the consensus share stays at or above ``level``."""
    share = df.groupby("epsilon")["consensus"].mean().sort_index()
    above = share >= level
    # last epsilon below the level; the threshold is the next grid point
    below = share.index[~above.to_numpy()]
    if len(below) == 0:
        return float(share.index[0])
    later = share.index[share.index > below.max()]
    return float(later[0]) if len(later) else float("nan")


def plot_hk(df: pd.DataFrame, path: str | Path) -> None:
    """Share of runs ending in consensus vs epsilon, with the published ~0.2 threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), constrained_layout=True)
    for n, sub in df.groupby("n") if "n" in df else [(None, df)]:
        share = sub.groupby("epsilon")["consensus"].mean()
        ax.plot(share.index, share.to_numpy(), "o-", ms=3, label=f"n = {n}" if n else None)
    ax.axvline(0.2, color="0.5", ls="--", lw=1, label="ε ≈ 0.2 (Fortunato 2005)")
    ax.set_xlabel("ε (confidence bound)")
    ax.set_ylabel("share of runs reaching consensus")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=8)
    ax.set_title("Hegselmann-Krause, complete graph, uniform initial opinions")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
