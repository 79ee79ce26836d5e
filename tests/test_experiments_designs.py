"""Design sizes, analysis of each design, and refusal of invalid experiment files."""

from pathlib import Path

import pandas as pd
import pytest

from wingsim.experiments.designs import expected_points, plan
from wingsim.experiments.engine import execute_plan, prepare_folder
from wingsim.experiments.experiment_file import ExperimentError, load_experiment
from wingsim.experiments.folder_analysis import analyze_folder

SCENARIO = """name = "tiny"
[establishment]
wings = 2
wing_capacity = 30
"""


def write_experiment(tmp: Path, body: str) -> Path:
    (tmp / "tiny.toml").write_text(SCENARIO)
    path = tmp / "exp.toml"
    path.write_text('name = "t"\nscenarios = ["tiny.toml"]\n' + body)
    return path


SAMPLED = """
[parameters."staff.training"]
min = 0.0
max = 1.0
[parameters."establishment.time_out_of_cell"]
min = 0.2
max = 0.8
[parameters."chaplaincy.chaplains"]
min = 0
max = 4
"""


@pytest.mark.parametrize(
    ("design", "extra", "points"),
    [
        ("lhs", "samples = 7", 7),
        ("sobol", "samples = 8", 8 * (3 + 2)),
        ("sobol", "samples = 8\nsecond_order = true", 8 * (2 * 3 + 2)),
        ("morris", "samples = 5\nlevels = 4", 5 * (3 + 1)),
    ],
)
def test_sampled_design_sizes(tmp_path, design, extra, points):
    exp = load_experiment(
        write_experiment(
            tmp_path, f'design = "{design}"\nreplications = 2\ndays = 3\n{extra}\n{SAMPLED}'
        )
    )
    p = plan(exp)
    assert expected_points(exp) == points
    assert len(p.table) == points * 2 and p.table["point"].nunique() == points
    d = p.design_table()
    assert d["staff.training"].between(0, 1).all()
    assert pd.api.types.is_integer_dtype(d["chaplaincy.chaplains"])
    # common random numbers: one seed per replication, shared by every point
    assert d.groupby("replication")["seed"].nunique().eq(1).all()


def test_grid_size_and_scenarios(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            """replications = 3
[parameters."staff.staff_ratio"]
values = [0.1, 0.2]
[parameters."regime.type"]
values = ["dispersal", "containment", "combination"]
""",
        )
    )
    p = plan(exp)
    assert expected_points(exp) == 6 and len(p.table) == 18
    assert p.table["run_id"].is_unique


def _run(tmp_path, body):
    exp = load_experiment(write_experiment(tmp_path, body))
    p = plan(exp)
    store = prepare_folder(p, tmp_path / "out", "sweep", None)
    finished, failed = execute_plan(p, store, workers=1, progress=False)
    assert failed == 0
    return tmp_path / "out"


def test_morris_analysis_writes_indices(tmp_path):
    out = _run(
        tmp_path,
        f'design = "morris"\nsamples = 3\nreplications = 1\ndays = 6\n'
        f'outcomes = ["trust_in_staff_veo", "cost"]\n{SAMPLED}',
    )
    analyze_folder(out)
    idx = pd.read_csv(out / "sensitivity.csv")
    assert set(idx["parameter"]) == {
        "staff.training",
        "establishment.time_out_of_cell",
        "chaplaincy.chaplains",
    }
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(idx.columns)
    assert len(idx) == 3 * 4  # 3 parameters x (end_ and mean_ of 2 outcomes)
    assert (out / "sensitivity.png").exists()


def test_sobol_analysis_writes_indices_with_cis(tmp_path):
    out = _run(
        tmp_path,
        f'design = "sobol"\nsamples = 4\nreplications = 1\ndays = 4\n'
        f'outcomes = ["mean_cost"]\n{SAMPLED}',
    )
    analyze_folder(out)
    idx = pd.read_csv(out / "sensitivity.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns) and len(idx) == 3
    # cost is driven by staffing and chaplains, not by time out of cell
    assert idx.set_index("parameter").loc["establishment.time_out_of_cell", "ST"] < 0.2


def test_grid_and_lhs_summaries(tmp_path):
    out = _run(
        tmp_path,
        'replications = 2\ndays = 4\noutcomes = ["cost"]\n'
        '[parameters."staff.staff_ratio"]\nvalues = [0.1, 0.3]\n',
    )
    analyze_folder(out)
    s = pd.read_csv(out / "parameter_summary.csv")
    cost = s[s.outcome == "mean_cost"].set_index("value")["mean"]
    assert cost.loc[0.3] > cost.loc[0.1]  # more officers cost more
    assert (s["n"] == 2).all()


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('design = "fancy"', "design: Input should be 'grid', 'lhs', 'sobol' or 'morris'"),
        ("replications = 0", "replications: Input should be greater than or equal to 1"),
        ('replications = "5"', "replications: Input should be a valid integer"),
        ("colour = 1", "colour: unknown key; known keys here: name,"),
        ('[parameters."staff.training"]\nvalues = [0.2]\nstep = 1', "step: unknown key"),
        ('[parameters."staff.trainin"]\nvalues = [0.2]', "'trainin' of staff; known:"),
        ('[parameters."staf.training"]\nvalues = [0.2]', "tables: establishment"),
        (
            'design = "lhs"\n[parameters."staff.training"]\nmin = 0.0\nmax = 1.5',
            "staff.training.max: 1.5 is outside the scenario range; allowed: 0.0 <= value <= 1.0",
        ),
        (
            '[parameters."staff.training"]\nvalues = [0.2, 2.0]',
            "staff.training: Input should be less than or equal to 1",
        ),
        ('[parameters."regime.type"]\nvalues = ["prison"]', "'dispersal' | 'containment'"),
        ('outcomes = ["happiness"]', "outcomes.0: unknown outcome 'happiness'"),
        (
            'design = "sobol"\n[parameters."staff.training"]\nvalues = [0.1]',
            "samples a range; give 'min' and 'max'",
        ),
    ],
)
def test_invalid_experiment_files_name_file_key_and_allowed(tmp_path, body, needle):
    path = write_experiment(tmp_path, body)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    msg = str(info.value)
    assert str(path) in msg and "invalid experiment" in msg
    assert needle in msg


def test_missing_scenario_file_is_reported(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('name = "t"\nscenarios = ["nope.toml"]\n')
    with pytest.raises(ExperimentError, match=r"scenarios.0 \(.*nope.toml\): file not found"):
        load_experiment(path)


def test_shipped_experiment_files_are_valid():
    root = Path(__file__).resolve().parents[1] / "experiments"
    # docking-, robustness- and discovery- files have their own loaders (wingsim.validation)
    own_loader = ("docking-", "robustness-", "discovery-")
    files = [f for f in sorted(root.glob("*.toml")) if not f.name.startswith(own_loader)]
    assert len(files) >= 4
    designs = {load_experiment(f).design for f in files}
    assert {"grid", "lhs", "morris"} <= designs
