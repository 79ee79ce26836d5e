"""Run one docking experiment from a TOML file: ``python -m wingsim.validation FILE [--out DIR]``.

Writes ``DIR/<name>.csv`` (one row per run) and ``DIR/<name>.png`` and prints a summary.
The TOML layout (see ``experiments/docking-*.toml``)::

    model = "relative_agreement" | "bounded_confidence" | "hegselmann_krause"
    name = "ra_map"          # output file stem
    seed = 2002              # root seed; every cell derives its own stream from it
    replicates = 50          # runs per grid cell
    [params]                 # fixed keyword arguments of the run_* function
    [grid]                   # swept values (lists)
    [early]                  # relative_agreement only: also measure y after `rounds` rounds

Unknown keys are rejected with the file and key named, so a typo cannot silently fall
back to a default.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tomllib
from pathlib import Path

import pandas as pd

from wingsim.validation import docking

MODELS = {
    "relative_agreement": (docking.run_relative_agreement, {"U", "p_e"}),
    "bounded_confidence": (docking.run_bounded_confidence, {"epsilon", "n"}),
    "hegselmann_krause": (docking.run_hegselmann_krause, {"epsilon", "n"}),
}
TOP_KEYS = {"model", "name", "seed", "replicates", "params", "grid", "early", "description"}


class ConfigError(ValueError):
    """A docking TOML file that does not match the expected layout."""


def load_config(path: str | Path) -> dict:
    """Read and validate a docking TOML file; raise ConfigError naming file and key."""
    path = Path(path)
    with path.open("rb") as fh:
        cfg = tomllib.load(fh)

    def bad(msg: str) -> ConfigError:
        return ConfigError(f"{path}: {msg}")

    for key in cfg:
        if key not in TOP_KEYS:
            raise bad(f"unknown key '{key}' (allowed: {', '.join(sorted(TOP_KEYS))})")
    model = cfg.get("model")
    if model not in MODELS:
        raise bad(f"key 'model' must be one of {sorted(MODELS)}, got {model!r}")
    func, grid_keys = MODELS[model]
    run_args = set(inspect.signature(func).parameters) - {"seed", "replicates"}
    params, grid = cfg.get("params", {}), cfg.get("grid", {})
    for key in params:
        if key not in run_args:
            raise bad(f"unknown key 'params.{key}' (allowed: {', '.join(sorted(run_args))})")
    for key, values in grid.items():
        if key not in grid_keys:
            raise bad(f"unknown key 'grid.{key}' (allowed: {', '.join(sorted(grid_keys))})")
        if not isinstance(values, list) or not values:
            raise bad(f"key 'grid.{key}' must be a non-empty list")
        if key in params:
            raise bad(f"key '{key}' is both in [params] and [grid]")
    required = {"U", "p_e"} if model == "relative_agreement" else {"epsilon"}
    for key in required - set(grid):
        raise bad(f"missing key 'grid.{key}'")
    early = cfg.get("early", {})
    if early and model != "relative_agreement":
        raise bad("key 'early' is only for model = 'relative_agreement'")
    for key in early:
        if key != "rounds":
            raise bad(f"unknown key 'early.{key}' (allowed: rounds)")
    cfg.setdefault("name", path.stem)
    cfg.setdefault("seed", 0)
    cfg.setdefault("replicates", 10)
    return cfg


def run(cfg: dict, out: Path) -> pd.DataFrame:
    """Run the experiment described by a validated config; write CSV and figure to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    name, seed, reps = cfg["name"], int(cfg["seed"]), int(cfg["replicates"])
    params, grid = dict(cfg.get("params", {})), cfg["grid"]
    png = out / f"{name}.png"
    model = cfg["model"]
    if model == "relative_agreement":
        df = docking.ra_map(
            grid["U"], grid["p_e"], replicates=reps, seed=seed, figure=png, **params
        )
        df.insert(0, "measured", "converged")
        if "early" in cfg:
            r = int(cfg["early"]["rounds"])
            early = docking.ra_map(
                grid["U"],
                grid["p_e"],
                replicates=reps,
                seed=seed,
                figure=out / f"{name}_early.png",
                title=f"Relative agreement: mean y after only {r} rounds (before convergence)",
                **{**params, "rounds": r, "tol": 0.0},
            )
            early.insert(0, "measured", f"after_{r}_rounds")
            df = pd.concat([df, early], ignore_index=True)
    else:
        ns = grid.get("n", [params.pop("n")] if "n" in params else [None])
        frames = []
        for n in ns:
            kw = params if n is None else {**params, "n": int(n)}
            sweep = docking.bc_sweep if model == "bounded_confidence" else docking.hk_sweep
            sub = sweep(grid["epsilon"], replicates=reps, seed=seed, **kw)
            if n is not None:
                sub.insert(0, "n", int(n))
            frames.append(sub)
        df = pd.concat(frames, ignore_index=True)
        plot = docking.plot_bc if model == "bounded_confidence" else docking.plot_hk
        plot(df, png)
    df.to_csv(out / f"{name}.csv", index=False)
    return df


def summary(cfg: dict, df: pd.DataFrame) -> str:
    """A short text table of the measured docking numbers."""
    model = cfg["model"]
    if model == "relative_agreement":
        parts = []
        for measured, sub in df.groupby("measured", sort=False):
            grid = sub.groupby(["p_e", "U"])["y"].mean().unstack("U").round(2)
            parts.append(f"mean y ({measured}), rows p_e, columns U:\n{grid.to_string()}")
        conv = df.loc[df.measured == "converged", "converged"].mean()
        parts.append(f"converged share: {conv:.3f}")
        return "\n\n".join(parts)
    keys = ["n", "epsilon"] if "n" in df else ["epsilon"]
    if model == "bounded_confidence":
        g = df.groupby(keys).agg(
            predicted=("predicted", "first"),
            major_mean=("major_clusters", "mean"),
            major_min=("major_clusters", "min"),
            major_max=("major_clusters", "max"),
            all_mean=("all_clusters", "mean"),
            converged=("converged", "mean"),
        )
        return g.round(2).to_string()
    g = df.groupby(keys).agg(
        consensus=("consensus", "mean"),
        clusters=("clusters", "mean"),
        steps_max=("steps", "max"),
        converged=("converged", "mean"),
    )
    lines = [g.round(3).to_string()]
    for n, sub in df.groupby("n") if "n" in df else [(None, df)]:
        th = docking.consensus_threshold(sub, 0.5)
        lines.append(f"consensus share >= 0.5 from epsilon = {th:g}" + (f" (n = {n})" if n else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wingsim.validation", description=__doc__)
    ap.add_argument("config", type=Path, help="docking experiment TOML file")
    ap.add_argument("--out", type=Path, default=Path("docs/figures"), help="output directory")
    args = ap.parse_args(argv)
    try:
        cfg = load_config(args.config)
    except (ConfigError, tomllib.TOMLDecodeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    df = run(cfg, args.out)
    print(summary(cfg, df))
    print(f"wrote {args.out / (cfg['name'] + '.csv')} and {args.out / (cfg['name'] + '.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
