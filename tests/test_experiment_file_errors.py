"""A bad experiment file is refused with ExperimentError naming the file; never a crash.

The experiment loader has the scenario loader's guards: regular files under a size limit,
absurd nesting, integers past Python's digit limit, values of any type. The property
tests mirror ``tests/test_scenario_errors.py`` for experiment files.
"""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wingsim import tomlout
from wingsim.experiments.experiment_file import (
    Experiment,
    ExperimentError,
    Parameter,
    load_experiment,
    validate_experiment,
)
from wingsim.scenario import ScenarioError

TINY = 'name = "tiny"\n[establishment]\nwings = 2\nwing_capacity = 30\n'


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("directory", "is a directory, not an experiment file"),
        ("fifo", "is a named pipe (FIFO), not an experiment file"),
        ("dev-zero", "is a character device, not an experiment file"),
        ("huge", "too large for an experiment file"),
        ("deep", "nested too deeply"),
        ("huge-int", "TOML value error: Exceeds the limit (4300 digits)"),
        ("not-utf8", "not UTF-8 text"),
        ("missing", "file not found"),
    ],
)
def test_unreadable_experiment_files_are_refused(tmp_path, alarm, kind, needle):
    path = tmp_path / "exp.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "huge":
        path.write_text("# padding\n" * 200_000)
    elif kind == "deep":
        path.write_text("name = " + "[" * 3000 + "]" * 3000 + "\n")
    elif kind == "huge-int":
        path.write_text('name = "x"\nreplications = ' + "9" * 5000 + "\n")
    elif kind == "not-utf8":
        path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: invalid experiment") and needle in msg
    assert len(msg) < 400


def test_a_scenario_that_is_a_fifo_is_refused(tmp_path, alarm):
    os.mkfifo(tmp_path / "tiny.toml")
    path = tmp_path / "exp.toml"
    path.write_text('name = "t"\nscenarios = ["tiny.toml"]\n')
    with pytest.raises(ExperimentError, match=r"scenarios.0 .*named pipe"):
        load_experiment(path)


def test_byte_order_mark_is_accepted(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / "exp.toml"
    path.write_bytes(b'\xef\xbb\xbfname = "bom"\nscenarios = ["tiny.toml"]\n')
    assert load_experiment(path).name == "bom"


def test_a_huge_grid_is_checked_value_by_value(tmp_path):
    """Validating a million-point grid point by point took minutes; values are checked alone."""
    (tmp_path / "tiny.toml").write_text(TINY)
    values = ", ".join(f"{i / 1000:.3f}" for i in range(1001))
    path = tmp_path / "exp.toml"
    path.write_text(
        'name = "t"\nscenarios = ["tiny.toml"]\n'
        f'[parameters."staff.training"]\nvalues = [{values}]\n'
        f'[parameters."staff.fairness"]\nvalues = [{values}]\n'
    )
    assert len(load_experiment(path).parameters) == 2
    path.write_text(path.read_text().replace("1.000]", "1.000, 7.0]", 1))
    with pytest.raises(ExperimentError, match="staff.training: Input should be less than"):
        load_experiment(path)


# -- property-based: malformed experiment files never crash the loader -------------------------
_FIELDS = sorted(k for k in Experiment.model_fields if k not in ("source", "base_dir"))
_key = st.one_of(
    st.sampled_from(_FIELDS),
    st.text(string.ascii_lowercase + "_.- ", min_size=1, max_size=12),
    st.text(min_size=1, max_size=8),
)
_scalar = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.floats(min_value=-5, max_value=5),
    st.text(max_size=20),
    st.sampled_from(["grid", "lhs", "sobol", "morris", "tiny.toml", "staff.training", ""]),
)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_key, inner, max_size=3)),
    max_leaves=10,
)
_param_name = st.one_of(
    st.sampled_from(["staff.training", "staff.staff_ratio", "regime.type", "establishment.wings"]),
    st.text(string.ascii_lowercase + "._", min_size=1, max_size=15),
)
_param = st.one_of(
    st.fixed_dictionaries({}, optional={"values": _value, "min": _scalar, "max": _scalar}),
    st.dictionaries(st.sampled_from([*Parameter.model_fields, "step"]), _value, max_size=3),
    _value,
)


@st.composite
def _experiment_dicts(draw):
    """Mostly-valid experiments: real keys with wrong, odd or out-of-range values."""
    data = {"name": draw(st.one_of(st.just("t"), _value)), "scenarios": ["tiny.toml"]}
    if draw(st.booleans()):
        data["scenarios"] = draw(_value)
    for key in draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True)):
        data[key] = draw(_value)
    if draw(st.booleans()):
        data["parameters"] = draw(st.dictionaries(_param_name, _param, max_size=3))
    data.update(draw(st.dictionaries(_key, _value, max_size=2)))
    return data


_FAST = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _experiment_or_refusal(data, tmp_path) -> None:
    try:
        exp = validate_experiment(data, "generated.toml", tmp_path)
    except ScenarioError as exc:
        assert "generated.toml" in str(exc)
        assert exc.errors and all(isinstance(e, str) for e in exc.errors)
        assert all(len(e) < 2000 for e in exc.errors)
    else:
        assert isinstance(exp, Experiment)


@_FAST
@given(_experiment_dicts())
def test_malformed_experiment_dicts_raise_only_experiment_error(tmp_path, data):
    (tmp_path / "tiny.toml").write_text(TINY)
    _experiment_or_refusal(data, tmp_path)


def _inline(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{tomlout._key(k)} = {_inline(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_inline(x) for x in v) + "]"
    return tomlout._value(v)


def _assert_loads_or_refuses(path) -> None:
    try:
        exp = load_experiment(path)
    except ScenarioError as exc:
        assert os.fspath(path) in str(exc)
        assert exc.errors and all(isinstance(e, str) for e in exc.errors)
    else:
        assert isinstance(exp, Experiment)


@_FAST
@given(_experiment_dicts())
def test_malformed_experiment_files_raise_only_experiment_error(tmp_path, data):
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / "generated.toml"
    text = "\n".join(f"{tomlout._key(k)} = {_inline(v)}" for k, v in data.items()) + "\n"
    path.write_text(text, encoding="utf-8")
    _assert_loads_or_refuses(path)


_nesting_bombs = st.tuples(st.sampled_from(["[", "{a = "]), st.integers(1, 5000)).map(
    lambda t: ("name = " + t[0] * t[1] + ("]" * t[1] if t[0] == "[" else "1" + "}" * t[1])).encode()
)


@_FAST
@given(
    st.binary(max_size=300)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace"))
    | _nesting_bombs
    | st.integers(4300, 6000).map(lambda n: b"name = 't'\nseed = " + b"7" * n)
)
def test_random_bytes_raise_only_experiment_error(tmp_path, blob):
    path = tmp_path / "random.toml"
    path.write_bytes(blob)
    _assert_loads_or_refuses(path)
