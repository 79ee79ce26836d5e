"""A bad scenario file is refused with ScenarioError naming file, field and range; never a crash."""

from __future__ import annotations

import os
import string
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from wingsim import Scenario, ScenarioError, default_scenario, load_scenario, tomlout
from wingsim.scenario import validate_scenario


def _load(tmp_path, text: str | bytes, name: str = "scenario.toml") -> Scenario:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return load_scenario(path)


def _refused(tmp_path, text: str | bytes, name: str = "scenario.toml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, text, name)
    err = info.value
    assert name in str(err), "the message must name the file"
    return err


def test_unknown_key_lists_the_known_keys(tmp_path):
    err = _refused(tmp_path, "[staff]\nstaf_ratio = 0.3\n")
    assert err.errors[0].startswith("staff.staf_ratio: unknown key")
    assert "staff_ratio" in err.errors[0]


def test_unknown_section(tmp_path):
    err = _refused(tmp_path, "[staffing]\nratio = 0.3\n")
    assert "staffing: unknown key" in str(err) and "establishment" in str(err)


@pytest.mark.parametrize(
    ("text", "field", "allowed"),
    [
        ('[staff]\nfairness = "0.7"\n', "staff.fairness", "float >= 0.0 and <= 1.0"),
        ("[establishment]\nwings = 5.0\n", "establishment.wings", "int >= 1 and <= 200"),
        ('[chaplaincy]\ntrained = "yes"\n', "chaplaincy.trained", "allowed: bool"),
        ("[chaplaincy]\ntrained = 1\n", "chaplaincy.trained", "allowed: bool"),
        ('[regime]\ntype = "isolation"\n', "regime.type", "'dispersal' | 'containment'"),
        ("name = 3\n", "name", "allowed: str"),
        ("[staff]\nfairness = [0.5]\n", "staff.fairness", "float"),
    ],
)
def test_wrong_type_names_field_and_allowed_values(tmp_path, text, field, allowed):
    err = _refused(tmp_path, text)
    assert len(err.errors) == 1
    assert err.errors[0].startswith(f"{field}:")
    assert allowed in err.errors[0]


@pytest.mark.parametrize(
    ("text", "field", "allowed"),
    [
        ("[staff]\ntraining = 1.2\n", "staff.training", ">= 0.0 and <= 1.0"),
        ("[staff]\ntraining = -0.1\n", "staff.training", ">= 0.0 and <= 1.0"),
        ("[staff]\ntraining = nan\n", "staff.training", ">= 0.0 and <= 1.0"),
        ("[establishment]\nwings = 0\n", "establishment.wings", ">= 1 and <= 200"),
        ("[establishment]\noccupancy = inf\n", "establishment.occupancy", ">= 0.3 and <= 1.5"),
        ("[run]\ndays = 100000\n", "run.days", ">= 1 and <= 36500"),
    ],
)
def test_out_of_range_names_field_and_range(tmp_path, text, field, allowed):
    err = _refused(tmp_path, text)
    assert err.errors[0].startswith(f"{field}:") and allowed in err.errors[0]


def test_every_error_is_reported_not_just_the_first(tmp_path):
    err = _refused(tmp_path, "[staff]\ntraining = 2\nfairness = -1\n[run]\ndays = 0\nx = 1\n")
    assert len(err.errors) == 4
    assert "4 error(s)" in str(err)


def test_bad_toml_syntax(tmp_path):
    err = _refused(tmp_path, "[staff\ntraining = 0.5\n")
    assert "TOML syntax error" in err.errors[0] and "line 1" in err.errors[0]


@pytest.mark.parametrize("text", ["staff = 0.5\n", "regime = 'containment'\n"])
def test_section_that_is_not_a_table(tmp_path, text):
    err = _refused(tmp_path, text)
    assert "valid dictionary" in err.errors[0]


def test_root_not_a_table():
    with pytest.raises(ScenarioError, match="<root>: expected a table"):
        validate_scenario([1, 2], "list.toml")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.toml")
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ScenarioError, match="dir.toml.*\n.*is a directory"):
        load_scenario(tmp_path / "dir.toml")


def test_not_utf8(tmp_path):
    err = _refused(tmp_path, b'name = "caf\xe9"\n')
    assert "not UTF-8" in err.errors[0]


def test_byte_order_mark_is_accepted(tmp_path):
    assert _load(tmp_path, b'\xef\xbb\xbfname = "bom"\n').name == "bom"


def test_pathological_values_are_refused_not_crashed(tmp_path):
    # Each used to escape the loader as ValueError or RecursionError.
    _refused(tmp_path, "[establishment]\nwings = " + "9" * 5000 + "\n")  # int-digit limit
    _refused(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n")  # RecursionError
    err = _refused(tmp_path, "[staff]\nfairness = " + "9" * 400 + "\n")
    assert len(str(err)) < 500, "a huge value is abbreviated in the message"


def test_with_overrides_errors_are_scenario_errors():
    base = default_scenario()
    assert base.with_overrides({"staff.training": 0.8}).staff.training == 0.8
    with pytest.raises(ScenarioError, match="staff.training"):
        base.with_overrides({"staff.training": 8})
    with pytest.raises(ScenarioError, match="name.x: 'name' is not a section"):
        base.with_overrides({"name.x": 1})


# -- property-based: malformed scenarios never crash the loader ------------------------------
_KNOWN = {
    section: sorted(info.annotation.model_fields)
    for section, info in Scenario.model_fields.items()
    if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
}
_key = st.one_of(
    st.sampled_from(sorted(Scenario.model_fields)),
    st.text(string.ascii_lowercase + "_.- ", min_size=1, max_size=12),
    st.text(min_size=1, max_size=8),
)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),  # nan, inf and huge values for ranged fields
    st.floats(min_value=-5, max_value=5),
    st.integers(4400, 5000).map(lambda n: -(10**n)),  # past Python's int-to-str digit limit
    st.text(max_size=20),
    st.sampled_from(["dispersal", "containment", "combination", "group", ""]),
)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_key, inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def _scenario_dicts(draw):
    """Mostly-valid scenarios: real sections and fields with wrong, odd or out-of-range values."""
    data = draw(st.dictionaries(_key, _value, max_size=3))
    for section in draw(st.lists(st.sampled_from(sorted(_KNOWN)), max_size=4, unique=True)):
        fields = draw(st.lists(st.sampled_from(_KNOWN[section]), max_size=4, unique=True))
        data[section] = {f: draw(_value) for f in fields} | draw(
            st.dictionaries(_key, _value, max_size=2)
        )
    return data


_HUGE_BITS = 14_000  # about 4,200 decimal digits


def _to_toml(data) -> str | None:
    """TOML text for a generated dict, or None where TOML cannot express it (None values)."""

    def ok(v):
        if v is None:
            return False
        if isinstance(v, dict):
            return all(ok(x) for x in v.values())
        if isinstance(v, list):
            return all(ok(x) for x in v)
        return True

    if not ok(data):
        return None
    lines = []
    for k, v in data.items():  # inline tables and arrays: any nesting in one line each
        lines.append(f"{tomlout._key(k)} = {_inline(v)}")
    return "\n".join(lines) + "\n"


def _inline(v) -> str:
    if isinstance(v, int) and v.bit_length() > _HUGE_BITS:  # str() itself would refuse
        return "-1" + "0" * 4400
    if isinstance(v, dict):
        return "{" + ", ".join(f"{tomlout._key(k)} = {_inline(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_inline(x) for x in v) + "]"
    return tomlout._value(v)


def _assert_loads_or_refuses(path) -> None:
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        assert os.fspath(path) in str(exc)
        assert exc.errors and all(isinstance(e, str) for e in exc.errors)
    else:
        assert isinstance(scenario, Scenario)


_FAST = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FAST
@given(_scenario_dicts())
def test_malformed_scenario_files_raise_only_scenario_error(tmp_path, data):
    text = _to_toml(data)
    if text is None:
        try:
            text = repr(data)  # a Python literal, not TOML: must still be refused cleanly
        except ValueError:  # huge int
            text = "{'not': 'toml'}"
    elif "nan" not in text and "0" * 4400 not in text:  # nan != nan; huge ints are stand-ins
        assert tomllib.loads(text) == data  # the generator writes what it means
    path = tmp_path / "generated.toml"
    path.write_text(text, encoding="utf-8")
    _assert_loads_or_refuses(path)


@_FAST
@given(_scenario_dicts())
def test_malformed_dicts_raise_only_scenario_error(data):
    try:
        validate_scenario(data, "dict.toml")
    except ScenarioError as exc:
        assert "dict.toml" in str(exc)


_nesting_bombs = st.tuples(st.sampled_from(["[", "{a = "]), st.integers(1, 5000)).map(
    lambda t: ("a = " + t[0] * t[1] + ("]" * t[1] if t[0] == "[" else "1" + "}" * t[1])).encode()
)


@_FAST
@given(
    st.binary(max_size=300)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace"))
    | _nesting_bombs
)
def test_random_bytes_raise_only_scenario_error(tmp_path, blob):
    path = tmp_path / "random.toml"
    path.write_bytes(blob)
    _assert_loads_or_refuses(path)


def test_valid_scenarios_survive_the_round_trip():
    """The property tests' valid case is reachable: a resolved scenario reloads as itself."""
    base = default_scenario("combination").model_dump(mode="json")
    assert validate_scenario(tomllib.loads(tomlout.dumps(base))) == Scenario.model_validate(base)


def test_old_layout_says_what_moved_where():
    """A file from before submodels owned their parameters is refused with directions."""
    old = {
        "mechanisms": {"influence_rate": 0.05, "stress_attrition": 0.02},
        "staff": {"attrition_base": 0.001},
        "assessment": {"observance_bias": 0.1},
    }
    with pytest.raises(ScenarioError) as err:
        validate_scenario(old, "old.toml")
    text = str(err.value)
    assert "old.toml" in text
    assert "mechanisms.influence_rate: moved to [mechanisms.prisoner_contacts]" in text
    assert "mechanisms.stress_attrition: moved to [mechanisms.staffing]" in text
    assert "staff.attrition_base: moved to mechanisms.staffing.attrition_base" in text
    assert "assessment.observance_bias: moved to mechanisms.staff_contacts.observance_bias" in text


def test_overrides_reach_submodel_tables():
    sc = default_scenario().with_overrides({"mechanisms.grievance.label_stigma": 0.1})
    assert sc.mechanisms.grievance.label_stigma == 0.1
    with pytest.raises(ScenarioError, match="moved to"):
        default_scenario().with_overrides({"mechanisms.label_stigma": 0.1})


# -- inputs that never end, or are not files ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("fifo", "is a named pipe (FIFO), not a scenario file"),
        ("dev-zero", "is a character device, not a scenario file"),
        ("huge", "too large for a scenario file"),
        ("dangling-link", "file not found"),
    ],
)
def test_pipes_devices_and_huge_files_are_refused_at_once(tmp_path, alarm, kind, needle):
    path = tmp_path / "scenario.toml"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: opening it for reading used to block forever
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")  # endless: reading it used to fill memory
    elif kind == "huge":
        path.write_text("# padding\n" * 200_000)  # 2 MB, over the 1 MB limit
    else:
        path.symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value) and needle in str(info.value)
