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
from wingsim.experiments.folder_analysis import (
    analysis_is_current,
    analyze_folder,
    last_analysis,
)
from wingsim.experiments.store import atomic_write_text, read_manifest

CSS = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1,h2{font-family:Helvetica,Arial,sans-serif} table{border-collapse:collapse;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right} th{background:#eee}
td:first-child{text-align:left} img{max-width:100%} .note{color:#555;font-size:.9rem}
.partial{border:3px solid #b00;background:#fee;padding:.5rem 1rem;font-weight:bold}
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


def embed_png(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.name)}" src="data:image/png;base64,{data}">'


def html_table(df: pd.DataFrame, max_rows: int = 60) -> str:
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


def _status_block(record: dict) -> list[str]:
    """The top of the brief: PARTIAL in red if runs are missing, and the run counts."""
    e = html.escape
    c = record.get("counts", {})
    line = (
        f"{c.get('finished', '?')} of {c.get('planned', '?')} planned runs finished; "
        f"{c.get('failed', 0)} failed; {c.get('damaged', 0)} damaged; "
        f"{c.get('not_run', 0)} not run."
    )
    out = []
    if not record.get("complete", False):
        out.append(
            "<div class='partial' id='partial'>PARTIAL RESULTS: "
            + e(line)
            + " Every number below comes from the finished runs only; rerun the sweep to "
            "complete it.</div>"
        )
    rows = "".join(
        f"<tr><td>{e(str(r['scenario']))}</td><td>{r['runs_planned']}</td>"
        f"<td>{r['runs_finished']}</td><td>{r['runs_failed']}</td></tr>"
        for r in record.get("per_scenario", [])
    )
    out.append(
        f"<p class='note' id='runs'>Runs: {e(line)}</p>"
        "<table><tr><th>scenario</th><th>planned</th><th>finished</th><th>failed</th></tr>"
        f"{rows}</table>"
    )
    notes = [n for n in record.get("notes", []) if not n.startswith("partial:")]
    if notes:
        out.append("<ul class='note'>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    return out


def _claims_block(claims: pd.DataFrame, ensemble: str | None) -> list[str]:
    """The paper's regime claims: the paired difference and the share in which each holds."""
    e = html.escape
    if ensemble:
        share = (
            "Each replication drew its mechanism parameters from the posterior "
            f"<code>{e(Path(ensemble).name)}</code> (the same draw in both regimes), so "
            "<i>share holds</i> is the share of the posterior (each draw with its run-to-run "
            "noise) in which the difference has the sign the paper expects."
        )
    else:
        share = (
            "<i>share holds</i> is the share of paired replications whose difference has "
            "the sign the paper expects (run-to-run noise only: the parameters are fixed; "
            "<code>--ensemble POSTERIOR</code> adds their uncertainty)."
        )
    table = claims[
        ["words", "kind", "outcome", "a", "b", "diff", "diff_ci_low", "diff_ci_high"]
    ].copy()
    table["holds (95% CI)"] = claims["holds_ci"].map({True: "yes", False: "no"})
    table["share holds"] = claims["share_holds"].map(lambda x: f"{x:.0%}")
    return [
        "<h2>The paper's claims</h2>" + html_table(table),
        f"<p class='note'>{share} Rows of kind <i>accounting</i> follow from a definition "
        "(the unit labels whom it receives; cost is summed from per-place and per-officer "
        "costs), not from the model's dynamics.</p>",
    ]


def build_report(folder: Path, record: dict | None = None) -> str:
    """The HTML text of the brief for ``folder`` (``record``: its ``analysis.json``)."""
    manifest = read_manifest(folder)
    exp = json.loads((folder / "experiment.json").read_text())
    record = record if record is not None else (last_analysis(folder) or {})
    files = set(record.get("files", []))
    e = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>wingsim: {e(exp['name'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(exp['name'])}</h1>",
        *_status_block(record),
    ]
    top = len(parts)
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
        parts.append("<p>What differs between them:</p>" + html_table(diffs))
    if manifest.get("parameters"):
        parts.append(
            f"<p>Varied ({e(exp['design'])} design): "
            + ", ".join(e(p) for p in manifest["parameters"])
            + ".</p>"
        )

    comp = folder / "comparison.csv"
    if "comparison.csv" in files and comp.exists():
        table = pd.read_csv(comp)
        forest = [o for o in FOREST_OUTCOMES if o in set(table["outcome"])]
        if forest and table["diff"].notna().any():
            from wingsim.experiments.plots import forest_plot

            png = forest_plot(table, forest, folder / "forest.png")
            head = ["<h2>The trade-off</h2><ul>"]
            head += [f"<li>{e(s)}</li>" for s in trade_off(table)]
            head.append(
                "</ul><figure>"
                + embed_png(png)
                + "<figcaption>Paired differences from the reference scenario, in people, "
                "incidents and euros (95% CI over common-seed replications). Cost is "
                "accounting: it follows from the resources each regime uses.</figcaption>"
                "</figure>"
            )
            parts[top:top] = head
        keys = key_columns(table["outcome"].unique())
        parts.append("<h2>Findings</h2><ul>")
        parts += [f"<li>{e(s)}</li>" for s in plain_sentences(table, keys)]
        for r in record.get("per_scenario", []):
            if r["runs_finished"] == 0:
                parts.append(
                    f"<li>{e(str(r['scenario']))}: no finished runs (0 of "
                    f"{r['runs_planned']}), so no findings.</li>"
                )
            elif r["runs_finished"] < r["runs_planned"]:
                parts.append(
                    f"<li>{e(str(r['scenario']))}: from {r['runs_finished']} of "
                    f"{r['runs_planned']} planned replications only.</li>"
                )
        parts.append(
            "</ul><p class='note'>Differences are paired: replication <i>i</i> of "
            "every scenario uses the same seed, and the 95% CI is a t-interval of "
            "the per-replication differences (<i>n</i>: replications in each).</p>"
        )
        shown = table[table["outcome"].isin(keys)][
            [
                "outcome",
                "scenario",
                "n",
                "mean",
                "ci_low",
                "ci_high",
                "diff",
                "diff_ci_low",
                "diff_ci_high",
            ]
        ]
        parts.append("<h3>Comparison table</h3>" + html_table(shown, 200))
    if "claims.csv" in files and (folder / "claims.csv").exists():
        parts += _claims_block(pd.read_csv(folder / "claims.csv"), exp.get("ensemble"))
    for name in ("sensitivity.csv", "parameter_summary.csv"):
        if name in files and (folder / name).exists():
            df = pd.read_csv(folder / name)
            parts.append(
                f"<h2>{'Sensitivity' if 'sens' in name else 'Parameter effects'}</h2>"
                + html_table(df)
                + f"<p class='note'>Full table: {e(name)} "
                f"({len(df)} rows).</p>"
            )
    for name, caption in PLOTS.items():
        if name in files and (folder / name).exists():
            parts.append(
                f"<figure>{embed_png(folder / name)}<figcaption>{e(caption)}</figcaption></figure>"
            )

    seeds = manifest.get("seeds", [])
    c = record.get("counts", {})
    versions = record.get("versions") or {}
    made_with = (
        ", ".join(f"{e(k)} ({n} runs)" for k, n in sorted(versions.items()))
        if len(versions) > 1
        else e(str(next(iter(versions), manifest.get("wingsim_version"))))
    )
    parts.append(
        "<h2>Method</h2><ul>"
        f"<li>Agent-based model wingsim {made_with}, "
        f"Python {e(str(manifest.get('python')))}.</li>"
        f"<li>Design: {e(exp['design'])}; {manifest.get('runs')} runs planned, "
        f"{c.get('finished', '?')} finished, {c.get('failed', 0)} failed; "
        f"{exp['replications']} replications per point planned; {exp['days']} simulated "
        "days per run.</li>"
        f"<li>Seeds (common to every scenario and point; derived from base seed "
        f"{exp['seed']}): {e(', '.join(map(str, seeds[:20])))}"
        f"{' ...' if len(seeds) > 20 else ''}.</li>"
        "<li>Each run can be reproduced alone: <code>wingsim run "
        "scenarios/&lt;scenario&gt;.toml --seed &lt;seed&gt; --days "
        f"{exp['days']}</code> in the results folder.</li>"
        f"<li>Created {e(str(manifest.get('created')))}; analysed "
        f"{e(str(record.get('time')))}.</li></ul>"
        "<p class='note'>For comparing regimes and levers, never for scoring real "
        "individuals.</p></body></html>"
    )
    return "\n".join(parts)


def make_report(folder: Path, out: Path | None = None, partial: bool = False):
    """Write the brief, re-running the analysis first if the runs changed since it was made.

    Returns (path, the analysis record it shows, whether it re-ran the analysis).
    """
    folder = Path(folder)
    out = Path(out) if out else folder / "report.html"
    reanalysed = False
    last = last_analysis(folder) or {}
    withheld = any("indices withheld" in n for n in last.get("notes", []))
    if not analysis_is_current(folder) or (partial and withheld):
        analyze_folder(folder, partial=partial, withhold=True)
        reanalysed = True
    record = last_analysis(folder) or {}
    atomic_write_text(out, build_report(folder, record))
    return out, record, reanalysed


def write_report(folder: Path, out: Path | None = None, partial: bool = False) -> Path:
    """Write the brief (see :func:`make_report`) and return its path."""
    return make_report(folder, out, partial)[0]
