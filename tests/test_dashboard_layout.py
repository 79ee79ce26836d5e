"""The dashboard's network layout: computed once, stable between steps, units apart."""

import numpy as np
import pytest

from wingsim import WingModel, default_scenario
from wingsim.dashboard.layout import WingLayout

pytest.importorskip("solara")


def _model(regime="containment", seed=4):
    return WingModel(default_scenario(regime), rng=seed)


def test_positions_are_stable_across_steps():
    model = _model()
    layout = WingLayout.for_model(model)
    before = layout.prisoner_xy(model.prisoners.unit).copy()
    units_before = model.prisoners.unit.copy()
    model.run_for(30)
    after = layout.prisoner_xy(model.prisoners.unit)
    same_unit = units_before == model.prisoners.unit
    assert same_unit.mean() > 0.5
    np.testing.assert_array_equal(before[same_unit], after[same_unit])
    # A second layout of the same model (or another seed) is identical: no randomness leaks in.
    again = WingLayout.for_model(_model(seed=99))
    np.testing.assert_array_equal(again.slot_offset, layout.slot_offset)
    np.testing.assert_array_equal(again.centres, layout.centres)


def test_prisoners_sit_inside_their_unit_and_special_unit_is_apart():
    model = _model()
    model.run_for(10)
    layout = WingLayout.for_model(model)
    p = model.prisoners
    xy = layout.prisoner_xy(p.unit)[p.active]
    unit = p.unit[p.active]
    dist = np.linalg.norm(xy - layout.centres[unit], axis=1)
    assert (dist <= layout.radii[unit] + 1e-9).all()
    special = layout.special
    assert (unit == special).sum() > 0
    # The special unit's disc is separated from every wing's disc by a clear gap.
    c, r = layout.centres, layout.radii
    for u in range(len(c)):
        if u == special:
            continue
        gap = np.linalg.norm(c[special] - c[u]) - r[special] - r[u]
        assert gap > 1.0 * r[u]
    # Wings do not overlap each other either (staff rings included).
    wings = [u for u in range(len(c)) if u != special]
    for a in wings:
        for b in wings:
            if a < b:
                assert np.linalg.norm(c[a] - c[b]) > 1.18 * (r[a] + r[b])


def test_staff_and_chaplains_have_places():
    model = _model()
    layout = WingLayout.for_model(model)
    st = model.staff
    sxy = layout.staff_xy(st.unit)[st.active]
    d = np.linalg.norm(sxy - layout.centres[st.unit[st.active]], axis=1)
    assert np.allclose(d, 1.18 * layout.radii[st.unit[st.active]])
    assert layout.chaplain_xy.shape == (model.chaplains.n, 2)


def test_frames_are_compact_and_positions_sent_once():
    import json

    from wingsim.dashboard.frames import network_day, network_static, series_values

    model = _model()
    layout = WingLayout.for_model(model)
    static = network_static(model, layout, "Containment")
    model.run_for(3)
    day = network_day(model)
    active = int(model.prisoners.active.sum())
    assert day["day"] == 3 and len(day["people"]) == 4 * active
    assert len(day["staff"]) == 2 * int(model.staff.active.sum())
    # Each day is small integers only (no coordinates): a few tens of kB at most.
    assert all(isinstance(v, int) for v in day["people"] + day["ties"])
    assert len(json.dumps(day)) < 40_000
    assert len(static["slots"]) == 2 * model.prisoners.n
    # The browser's position for a prisoner is the layout's position (same formula).
    slot, unit = day["people"][0], day["people"][1]
    xy = layout.prisoner_xy(model.prisoners.unit)[slot]
    r = static["radii"][unit]
    cx, cy = static["centres"][2 * unit : 2 * unit + 2]
    assert abs(cx + r * static["slots"][2 * slot] - xy[0]) < 0.01
    series = series_values(model)
    assert series["day"][-1] == 3 and len(series["trust_in_staff"]) == len(series["day"])
    assert series_values(model, since=len(series["day"]) - 1)["day"] == [3]


def test_seed_box_accepts_only_sensible_seeds():
    from wingsim.dashboard.session import SEED_MAX, parse_seed

    assert parse_seed(" 42 ") == (42, "")
    for bad in ("-1", str(SEED_MAX + 1), "1e9", "abc", ""):
        seed, message = parse_seed(bad)
        assert seed is None and "seed" in message


def test_released_panel_puts_everyone_released_in_one_place():
    from wingsim.dashboard.released import released_counts, released_table

    model = WingModel(
        default_scenario("containment").with_overrides(
            {"population.sentence_days_other": 120.0, "probation.horizon_days": 60}
        ),
        rng=3,
    )
    model.run_for(150)
    counts = released_counts(model)
    assert counts["released"] > 50
    assert counts["community"] + counts["custody"] + counts["past"] == counts["released"]
    assert counts["community"] == model.today["community_population"]
    assert 0 < counts["supervised"] <= counts["community"]
    html = released_table([model, model], ["Containment", "Again"])
    assert html.count("<tr>") == 13 and "Back in custody" in html and "Again" in html


def test_room_limit_and_release():
    from wingsim.dashboard.room import Room, check_nickname

    room = Room(max_sessions=2)
    a, b = room.admit("k1"), room.admit("k2")
    assert a is not None and b is not None and room.admit("k3") is None
    assert room.admit("k1") is a  # the same page again: the same place
    room.release("k1")
    assert a.gone and room.count() == 1 and room.admit("k3") is not None
    room.keep(a)  # a closed page is never counted again
    assert room.count() == 2
    assert check_nickname("Ana")[0] == "Ana"
    for bad in ("", "x" * 21, "<b>"):
        assert check_nickname(bad)[0] is None


def test_diagnostics_answer_only_this_machine():
    import asyncio

    from wingsim.dashboard.serve import LocalOnly

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    def status(path, client):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "path": path, "client": (client, 5000)}
        asyncio.run(LocalOnly(app)(scope, None, send))
        return sent[0]["status"]

    assert status("/resourcez", "192.168.1.20") == 404
    assert status("/resourcez/", "10.0.0.7") == 404
    assert status("/resourcez", "127.0.0.1") == 200
    assert status("/", "192.168.1.20") == 200
