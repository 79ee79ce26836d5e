"""``wingsim calibrate``: ABC-SMC (pyabc) of uncertain mechanism strengths against targets.

Why ABC: the model has no likelihood, only simulations. pyabc's ABC-SMC samples
particles from the priors, keeps those whose simulated targets lie within a distance
epsilon of the published figures, and tightens epsilon generation by generation.

Reproducibility: each model run's seed is derived from the file's seed and the
particle's parameter values, and pyabc's global numpy and ``random`` states are seeded
from (seed, generation) before each generation. With one worker the whole posterior is
a function of the targets file; a run interrupted mid-generation redoes that generation
from the same seed, so resuming gives what an uninterrupted run gives. With several
workers or Dask, pyabc's parallel samplers reseed each evaluation from the operating
system (``EPSMixin``), so proposals, and so the posterior, differ from run to run.
"""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc

from wingsim.experiments.targets import STATISTICS, Calibration, TargetsError, load_targets

DB = "abc.db"


class Simulator:
    """pyabc's model: mechanism values in, the targets' model quantities out.

    Picklable (a plain class), so the parallel samplers can ship it to workers.
    """

    def __init__(self, cal: Calibration, salt: int = 0):
        s = cal.settings
        base = cal.scenario.with_overrides({"run.warmup_days": s.warmup_days})
        self.scenario = base.model_dump()
        self.parameters = cal.parameters
        self.statistics = {k: t.statistic for k, t in cal.computed.items()}
        self.seed, self.salt = s.seed, salt
        self.days, self.replications = s.days, s.replications

    def seeds(self, values: list[float]) -> list[int]:
        """Seeds of a particle's replications: a function of the file's seed and the values."""
        words = np.frombuffer(np.asarray(values, dtype=np.float64).tobytes(), dtype=np.uint32)
        ss = np.random.SeedSequence([self.seed, self.salt, *words.tolist()])
        return [int(x) for x in ss.generate_state(self.replications, dtype=np.uint32)]

    def run(self, values: list[float]) -> dict[str, float]:
        """Mean over replications of each computed target's model quantity."""
        from wingsim.output import run_scenario
        from wingsim.scenario import validate_scenario

        scenario = validate_scenario(self.scenario, "calibration").with_overrides(
            dict(zip(self.parameters, values, strict=True)), "calibration particle"
        )
        rows = []
        for seed in self.seeds(values):
            model = run_scenario(scenario, seed=seed, days=self.days)
            daily = model.datacollector.get_model_vars_dataframe()
            days = daily[daily["day"] > 0]
            rows.append({k: STATISTICS[s][0](days) for k, s in self.statistics.items()})
        return {k: float(np.mean([r[k] for r in rows])) for k in self.statistics}

    def __call__(self, pars) -> dict[str, float]:
        return self.run([float(pars[_key(i)]) for i in range(len(self.parameters))])


class Distance:
    """Euclidean distance over the fitted targets, each in units of its uncertainty."""

    def __init__(self, cal: Calibration):
        self.scale = {k: t.uncertainty for k, t in cal.fit.items()}

    def __call__(self, x: dict, x0: dict) -> float:
        z = [(x[k] - x0[k]) / s for k, s in self.scale.items()]
        d = float(np.sqrt(np.sum(np.square(z))))
        return d if np.isfinite(d) else np.inf


def _key(i: int) -> str:
    """pyabc's name of parameter i (dotted names stay out of its database)."""
    return f"p{i}"


def _sampler(workers: int, scheduler: str | None, stack):
    if scheduler is None and workers <= 1:
        return pyabc.sampler.SingleCoreSampler()
    from wingsim.experiments.runner import executor_factory

    new_executor = stack.enter_context(executor_factory(workers, scheduler))
    executor = new_executor()
    stack.callback(executor.shutdown)
    jobs = workers if scheduler is None else max(2, _dask_cores(executor))
    return pyabc.sampler.ConcurrentFutureSampler(executor, client_max_jobs=jobs)


def _dask_cores(executor) -> int:
    client = getattr(executor, "_client", None)
    info = client.scheduler_info() if client is not None else {}
    return sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()) or 2


class _Quantile(pyabc.QuantileEpsilon):
    """pyabc's quantile epsilon, also when a run is resumed: a fixed initial epsilon
    would otherwise be used again for the first generation after a restart."""

    def initialize(self, t, get_weighted_distances, *args, **kwargs):
        if t > 0:
            self._update(t, get_weighted_distances())
        else:
            super().initialize(t, get_weighted_distances, *args, **kwargs)


def _abc(cal: Calibration, sampler):
    for name in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon"):
        logging.getLogger(name).setLevel(logging.WARNING)

    s = cal.settings
    prior = pyabc.Distribution(
        **{
            _key(i): pyabc.RV("uniform", p.low, p.high - p.low)
            for i, p in enumerate(cal.spec.priors[n] for n in cal.parameters)
        }
    )
    return pyabc.ABCSMC(
        Simulator(cal),
        prior,
        Distance(cal),
        population_size=s.particles,
        sampler=sampler,
        eps=_Quantile(initial_epsilon=s.initial_epsilon, alpha=s.epsilon_quantile),
    )


def _identity(cal: Calibration) -> tuple:
    """What a calibration's particles depend on: all but how many generations and PPC draws
    (raising ``generations`` extends a finished calibration)."""
    spec = cal.spec.model_dump(exclude={"calibration": {"generations", "ppc_draws"}})
    return spec, cal.scenario.model_dump()


def prepare_out(cal: Calibration, out: Path) -> bool:
    """Make ``out``; True if it holds a calibration of this file to resume.

    A folder holding another targets file's calibration is refused.
    """
    copy = out / "targets.toml"
    if copy.exists():
        if _identity(load_targets(copy, base=cal.path.parent)) != _identity(cal):
            raise TargetsError(
                str(out),
                [
                    "holds a calibration of a different targets file "
                    f"({copy}); give a new --out, or delete the folder to start again"
                ],
            )
        copy.write_text(cal.text, encoding="utf-8")
        return (out / DB).exists()
    if out.exists() and any(out.iterdir()):
        raise TargetsError(str(out), ["is not empty and holds no calibration; give a new --out"])
    out.mkdir(parents=True, exist_ok=True)
    copy.write_text(cal.text, encoding="utf-8")
    return False


def run_abc(cal: Calibration, out: Path, workers: int = 1, scheduler: str | None = None, say=None):
    """Run (or resume) the ABC-SMC generations into ``out/abc.db``; return the history."""
    import contextlib

    s = cal.settings
    say = say or (lambda message: print(message, flush=True))
    resume = prepare_out(cal, out)
    db = f"sqlite:///{(out / DB).resolve()}"
    with contextlib.ExitStack() as stack:
        sampler = _sampler(workers, scheduler, stack)
        if resume:
            history = pyabc.History(db)
            done = history.max_t + 1
            say(f"resuming: {done} of {s.generations} generation(s) already done")
        else:
            history = _abc(cal, sampler).new(db, {k: t.value for k, t in cal.fit.items()})
        while history.max_t + 1 < s.generations:
            t = history.max_t + 1
            # A fresh ABCSMC per generation, loaded from the database: pyabc caches the
            # previous population in the object, so this is what a resumed run does too.
            abc = _abc(cal, sampler)
            history = abc.load(db, 1)
            # pyabc draws from the legacy global generators; seed them per generation.
            np.random.seed([s.seed, t])  # noqa: NPY002
            random.seed(s.seed * 1000 + t)
            start = time.perf_counter()
            abc.run(max_nr_populations=1)
            pops = history.get_all_populations()
            row = pops[pops["t"] == t].iloc[0]
            say(
                f"generation {t}: epsilon {row['epsilon']:.3g}, {int(row['samples'])} runs, "
                f"{time.perf_counter() - start:.0f} s"
            )
    return history


def posterior(cal: Calibration, history) -> pd.DataFrame:
    """The last generation: one column per dotted parameter, plus ``weight`` (sum 1)."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    post = pd.DataFrame({n: df[_key(i)].to_numpy() for i, n in enumerate(cal.parameters)})
    post["weight"] = np.asarray(w, dtype=float) / float(np.sum(w))
    return post


def diagnostics(history) -> pd.DataFrame:
    """Per generation: epsilon, runs, accepted particles, acceptance rate, ESS."""
    rows = []
    pops = history.get_all_populations()
    for _, row in pops[pops["t"] >= 0].iterrows():
        t = int(row["t"])
        _, w = history.get_distribution(m=0, t=t)
        dist = history.get_weighted_distances(t=t)
        rows.append(
            {
                "generation": t,
                "epsilon": float(row["epsilon"]),
                "runs": int(row["samples"]),
                "particles": int(row["particles"]),
                "acceptance_rate": int(row["particles"]) / max(int(row["samples"]), 1),
                "ess": float(
                    pyabc.weighted_statistics.effective_sample_size(np.asarray(w) / np.sum(w))
                ),
                "median_distance": float(np.median(dist["distance"])),
            }
        )
    return pd.DataFrame(rows)


def ppc(cal: Calibration, post: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posterior-predictive check: fresh runs at posterior draws (new seeds).

    Returns the draws (parameters and model quantities) and, per target, the share of
    draws whose quantity lies within the target's uncertainty.
    """
    s = cal.settings
    rng = np.random.default_rng([s.seed, 7])
    idx = rng.choice(len(post), size=s.ppc_draws, replace=True, p=post["weight"].to_numpy())
    sim = Simulator(cal, salt=1)
    draws = []
    for d, i in enumerate(idx):
        values = [float(post[n].iloc[i]) for n in cal.parameters]
        draws.append(
            {"draw": d, **dict(zip(cal.parameters, values, strict=True)), **sim.run(values)}
        )
    draws = pd.DataFrame(draws)
    rows = []
    for name, t in cal.spec.targets.items():
        row = {
            "target": name,
            "use": t.use,
            "value": t.value,
            "uncertainty": t.uncertainty,
            "unit": t.unit,
            "statistic": t.statistic or "",
        }
        if t.use != "reference":
            x = draws[name].to_numpy(dtype=float)
            row.update(
                draws=len(x),
                share_within=float(np.mean((x >= t.low) & (x <= t.high))),
                model_median=float(np.nanmedian(x)),
                model_q05=float(np.nanquantile(x, 0.05)),
                model_q95=float(np.nanquantile(x, 0.95)),
            )
        rows.append(row)
    return draws, pd.DataFrame(rows)


def parameter_table(cal: Calibration, post: pd.DataFrame) -> pd.DataFrame:
    """Prior range, weighted posterior summaries, and how much the data narrowed each."""
    w = post["weight"].to_numpy()
    rows = []
    for n in cal.parameters:
        p = cal.spec.priors[n]
        x = post[n].to_numpy()
        order = np.argsort(x)
        cum = np.cumsum(w[order])
        q = [float(x[order][np.searchsorted(cum, a)]) for a in (0.05, 0.5, 0.95)]
        mean = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        ratio = sd / ((p.high - p.low) / np.sqrt(12))
        rows.append(
            {
                "parameter": n,
                "prior_low": p.low,
                "prior_high": p.high,
                "posterior_mean": mean,
                "q05": q[0],
                "median": q[1],
                "q95": q[2],
                "sd_ratio": ratio,
                "pinned_down": bool(ratio < 0.8),
            }
        )
    return pd.DataFrame(rows)


def plots(cal: Calibration, post: pd.DataFrame, draws: pd.DataFrame, out: Path) -> None:
    """marginals.png (prior against posterior) and ppc.png (draws against each target band)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(cal.parameters)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.8), squeeze=False)
    for ax, name in zip(axes[0], cal.parameters, strict=True):
        p = cal.spec.priors[name]
        ax.hist(post[name], bins=15, range=(p.low, p.high), weights=post["weight"], density=True,
                color="tab:blue", alpha=0.7, label="posterior")  # fmt: skip
        ax.hlines(1 / (p.high - p.low), p.low, p.high, colors="k", linestyles="--", label="prior")
        ax.set_title(name.removeprefix("mechanisms."), fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "marginals.png", dpi=110)
    plt.close(fig)

    computed = list(cal.computed)
    fig, axes = plt.subplots(1, len(computed), figsize=(3.2 * len(computed), 2.8), squeeze=False)
    for ax, name in zip(axes[0], computed, strict=True):
        t = cal.spec.targets[name]
        ax.hist(draws[name].dropna(), bins=15, color="tab:green", alpha=0.7)
        ax.axvspan(t.low, t.high, color="tab:orange", alpha=0.25, label="target +/- uncertainty")
        ax.axvline(t.value, color="tab:orange")
        ax.set_title(f"{name} ({t.use})", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "ppc.png", dpi=110)
    plt.close(fig)


def write_results(cal: Calibration, history, out: Path) -> pd.DataFrame:
    """posterior.parquet, diagnostics.csv, parameters.csv, ppc.csv, ppc_draws.parquet, plots."""
    post = posterior(cal, history)
    post.to_parquet(out / "posterior.parquet", index=False)
    diagnostics(history).to_csv(out / "diagnostics.csv", index=False)
    parameter_table(cal, post).to_csv(out / "parameters.csv", index=False)
    draws, table = ppc(cal, post)
    draws.to_parquet(out / "ppc_draws.parquet", index=False)
    table.to_csv(out / "ppc.csv", index=False)
    plots(cal, post, draws, out)
    return table
