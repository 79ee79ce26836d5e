"""A self-contained HTML brief for a policy analyst, from a compare or sweep folder.

Plots are embedded as base64 PNG and the styling is inline, so the file can be mailed
or opened on an air-gapped machine: no CDN, no scripts, no external requests.
"""

from __future__ import annotations

import base64
import html
import json
import tomllib
from pathlib import Path

import pandas as pd

from wingsim.experiments.analysis import key_columns
from wingsim.experiments.store import atomic_write_text, read_manifest

CSS = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1,h2{font-family:Helvetica,Arial,sans-serif} table{border-collapse:collapse;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right} th{background:#eee}
td:first-child{text-align:left} img{max-width:100%} .note{color:#555;font-size:.9rem}
"""

PLOTS = {
    "timeseries.png": "Daily outcomes over the run (mean and 95% confidence band).",
    "distributions.png": "End-of-run outcomes: one dot per replication.",
    "sensitivity.png": "Sensitivity indices with 95% confidence intervals.",
    "parameter_summary.png": "Outcomes against each varied parameter.",
}


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def scenario_differences(folder: Path) -> pd.DataFrame:
    """Settings that differ between the folder's base scenarios (names excluded)."""
    files = sorted((folder / "scenarios").glob("*.toml"))
    manifest = read_manifest(folder)
    order = list(manifest.get("scenarios", {}))
    flat = {}
    for f in files:
        data = _flatten(tomllib.loads(f.read_text()))
        flat[data.get("name", f.stem)] = data
    names = [n for n in order if n in flat] + [n for n in flat if n not in order]
    if len(names) < 2:
        return pd.DataFrame()
    keys = sorted({k for d in flat.values() for k in d} - {"name", "description"})
    rows = [
        {"setting": k, **{n: flat[n].get(k) for n in names}}
        for k in keys
        if len({json.dumps(flat[n].get(k)) for n in names}) > 1
    ]
    return pd.DataFrame(rows)


def _label(outcome: str) -> str:
    kind, _, col = outcome.partition("_")
    words = col.replace("_", " ").replace("veo", "VEO")
    return {
        "mean": f"average {words}",
        "total": f"total {words}",
        "end": f"end-of-run {words}",
    }.get(kind, outcome)


def plain_sentences(table: pd.DataFrame, outcomes: list[str]) -> list[str]:
    """ "containment lowers average extremism mainstream by X (95% CI a to b)" sentences."""
    out = []
    for _, r in table[table["outcome"].isin(outcomes) & table["diff"].notna()].iterrows():
        lo, hi = r["diff_ci_low"], r["diff_ci_high"]
        label = _label(r["outcome"])
        if pd.isna(lo):
            out.append(
                f"{r['scenario']} changes {label} by {r['diff']:+.3g} compared with "
                f"{r['reference']} (too few replications for a confidence interval)."
            )
        elif lo <= 0 <= hi:
            out.append(
                f"{r['scenario']}: no clear difference in {label} from {r['reference']} "
                f"({r['diff']:+.3g}, 95% CI {lo:.3g} to {hi:.3g})."
            )
        else:
            verb = "raises" if r["diff"] > 0 else "lowers"
            out.append(
                f"{r['scenario']} {verb} {label} by {abs(r['diff']):.3g} "
                f"(95% CI {abs(lo if r['diff'] > 0 else hi):.3g} to "
                f"{abs(hi if r['diff'] > 0 else lo):.3g}) compared with "
                f"{r['reference']}."
            )
    return out


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.name)}" src="data:image/png;base64,{data}">'


def _table(df: pd.DataFrame, max_rows: int = 60) -> str:
    return df.head(max_rows).to_html(
        index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0
    )


#: What the first screen shows: headcounts and euros an analyst can act on.
FOREST_OUTCOMES = (
    "cost_per_prisoner_year_eur",
    "newly_radicalised_per_year",
    "entered_radical_per_year",
    "left_radical_per_year",
    "incidents_per_1000_year",
    "assaults_on_staff_per_1000_year",
    "staff_leaving_share_per_year",
    "held_on_unit",
    "mean_trust_in_staff_veo",
)


def trade_off(table: pd.DataFrame) -> list[str]:
    """The trade-off in plain words: per scenario, what it buys, at what cost, for whom."""

    def cell(scenario: str, outcome: str):
        r = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)]
        return None if r.empty or pd.isna(r["diff"].iloc[0]) else r.iloc[0]

    def clear(r) -> bool:
        return (
            r is not None
            and not pd.isna(r["diff_ci_low"])
            and not (r["diff_ci_low"] <= 0 <= r["diff_ci_high"])
        )

    out = []
    for scen in [s for s in dict.fromkeys(table["scenario"]) if s != table["reference"].iloc[0]]:
        ref = table["reference"].iloc[0]
        parts = []
        cost = cell(scen, "cost_per_prisoner_year_eur")
        if cost is not None:
            more = "more" if cost["diff"] > 0 else "less"
            parts.append(f"costs {abs(cost['diff']):,.0f} euros {more} per prisoner-year")
        for outcome, words, unit in (
            ("newly_radicalised_per_year", "non-VEOs newly radicalised", "a year"),
            ("incidents_per_1000_year", "incidents", "per 1,000 prisoners a year"),
            ("left_radical_per_year", "prisoners leaving radical views", "a year"),
            ("mean_trust_in_staff_veo", "VEOs' trust in staff", "on a 0-1 scale"),
        ):
            r = cell(scen, outcome)
            if r is None:
                continue
            if clear(r):
                verb = "more" if r["diff"] > 0 else "fewer"
                if outcome == "mean_trust_in_staff_veo":
                    verb = "higher" if r["diff"] > 0 else "lower"
                parts.append(f"{verb} {words} ({r['diff']:+.2g} {unit})")
            else:
                parts.append(f"no clear change in {words}")
        if parts:
            out.append(f"Compared with {ref}, {scen}: " + "; ".join(parts) + ".")
    return out


def build_report(folder: Path) -> str:
    """The HTML text of the brief for ``folder``."""
    manifest = read_manifest(folder)
    exp = json.loads((folder / "experiment.json").read_text())
    e = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>wingsim: {e(exp['name'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(exp['name'])}</h1>",
    ]
    question = exp.get("question") or "How do the scenarios differ in their outcomes?"
    parts.append(f"<h2>The question</h2><p>{e(question)}</p>")
    if exp.get("description"):
        parts.append(f"<p>{e(exp['description'])}</p>")

    parts.append("<h2>Scenarios</h2><ul>")
    for label, path in manifest.get("scenarios", {}).items():
        parts.append(f"<li><b>{e(label)}</b> ({e(Path(path).name)})</li>")
    parts.append("</ul>")
    diffs = scenario_differences(folder)
    if not diffs.empty:
        parts.append("<p>What differs between them:</p>" + _table(diffs))
    if manifest.get("parameters"):
        parts.append(
            f"<p>Varied ({e(exp['design'])} design): "
            + ", ".join(e(p) for p in manifest["parameters"])
            + ".</p>"
        )

    comp = folder / "comparison.csv"
    if comp.exists():
        table = pd.read_csv(comp)
        forest = [o for o in FOREST_OUTCOMES if o in set(table["outcome"])]
        if forest and table["diff"].notna().any():
            from wingsim.experiments.plots import forest_plot

            png = forest_plot(table, forest, folder / "forest.png")
            head = ["<h2>The trade-off</h2><ul>"]
            head += [f"<li>{e(s)}</li>" for s in trade_off(table)]
            head.append(
                "</ul><figure>"
                + _img(png)
                + "<figcaption>Paired differences from the reference scenario, in people, "
                "incidents and euros (95% CI over common-seed replications). Cost is "
                "accounting: it follows from the resources each regime uses.</figcaption>"
                "</figure>"
            )
            parts[2:2] = head
        keys = key_columns(table["outcome"].unique())
        parts.append("<h2>Findings</h2><ul>")
        parts += [f"<li>{e(s)}</li>" for s in plain_sentences(table, keys)]
        parts.append(
            "</ul><p class='note'>Differences are paired: replication <i>i</i> of "
            "every scenario uses the same seed, and the 95% CI is a t-interval of "
            "the per-replication differences.</p>"
        )
        shown = table[table["outcome"].isin(keys)][
            [
                "outcome",
                "scenario",
                "mean",
                "ci_low",
                "ci_high",
                "diff",
                "diff_ci_low",
                "diff_ci_high",
            ]
        ]
        parts.append("<h3>Comparison table</h3>" + _table(shown, 200))
    for name in ("sensitivity.csv", "parameter_summary.csv"):
        if (folder / name).exists():
            df = pd.read_csv(folder / name)
            parts.append(
                f"<h2>{'Sensitivity' if 'sens' in name else 'Parameter effects'}</h2>"
                + _table(df)
                + f"<p class='note'>Full table: {e(name)} "
                f"({len(df)} rows).</p>"
            )
    for name, caption in PLOTS.items():
        if (folder / name).exists():
            parts.append(
                f"<figure>{_img(folder / name)}<figcaption>{e(caption)}</figcaption></figure>"
            )

    seeds = manifest.get("seeds", [])
    parts.append(
        "<h2>Method</h2><ul>"
        f"<li>Agent-based model wingsim {e(str(manifest.get('wingsim_version')))}, "
        f"Python {e(str(manifest.get('python')))}.</li>"
        f"<li>Design: {e(exp['design'])}; {manifest.get('runs')} runs; "
        f"{exp['replications']} replications per point; {exp['days']} simulated "
        "days per run.</li>"
        f"<li>Seeds (common to every scenario and point; derived from base seed "
        f"{exp['seed']}): {e(', '.join(map(str, seeds[:20])))}"
        f"{' ...' if len(seeds) > 20 else ''}.</li>"
        "<li>Each run can be reproduced alone: <code>wingsim run "
        "scenarios/&lt;scenario&gt;.toml --seed &lt;seed&gt; --days "
        f"{exp['days']}</code> in the results folder.</li>"
        f"<li>Created {e(str(manifest.get('created')))}.</li></ul>"
        "<p class='note'>For comparing regimes and levers, never for scoring real "
        "individuals.</p></body></html>"
    )
    return "\n".join(parts)


def write_report(folder: Path, out: Path | None = None) -> Path:
    folder = Path(folder)
    out = out or folder / "report.html"
    atomic_write_text(out, build_report(folder))
    return out
