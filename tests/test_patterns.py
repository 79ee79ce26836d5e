"""The paper's Table 2, checked statistically over paired seeds (common random numbers).

Every assertion is on a 95% confidence interval of a paired difference over 10 seeds
of a 365-day run; nothing here is written into the model. See ``wingsim.patterns``
and ``scripts/measure_patterns.py`` for the same numbers in a readable table.
"""

import pytest

from wingsim.patterns import paired, pattern_scenarios, replicate

SEEDS = list(range(1, 11))
DAYS = 365

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs():
    scenarios = pattern_scenarios()
    return replicate(scenarios, SEEDS, DAYS)


def higher(runs, a, b, outcome):
    """CI of (b - a) lies above zero."""
    p = paired(runs[a], runs[b], outcome)
    assert p.lo > 0, str(p)


def lower(runs, a, b, outcome):
    p = paired(runs[a], runs[b], outcome)
    assert p.hi < 0, str(p)


@pytest.mark.parametrize("outcome", ["mean_extremism_mainstream"])
def test_containment_limits_influence_on_mainstream(runs, outcome):
    lower(runs, "dispersal", "containment", outcome)


@pytest.mark.parametrize(
    "outcome",
    [
        "mean_bonding_veo",
        "mean_labelled_share",
        "mean_cost",
        "mean_status_share_veo",
        "mean_extremism_veo",
    ],
)
def test_containment_costs(runs, outcome):
    """Stronger VEO bonds, labelling, status from the unit, cost, more entrenched VEOs.

    Two rows of Table 2 do not emerge at the defaults and are not asserted: VEO trust in
    staff is *higher* under containment (the unit's richer, specialist staffing outweighs
    the culture of opposition), and 'us versus them' is not significantly higher. See the
    README and docs/validation.md for where they do hold.
    """
    higher(runs, "dispersal", "containment", outcome)


def test_dispersal_influence_grows_as_staffing_and_training_fall(runs):
    higher(runs, "dispersal_well_staffed", "dispersal_understaffed", "mean_extremism_mainstream")
    lower(runs, "dispersal_well_staffed", "dispersal_understaffed", "mean_trust_in_staff")


@pytest.mark.parametrize(
    "outcome", ["mean_extremism_mainstream", "mean_false_positive_rate", "mean_false_negative_rate"]
)
def test_combination_improves_with_assessment_accuracy(runs, outcome):
    higher(runs, "combination_accurate", "combination_noisy", outcome)


@pytest.mark.parametrize("name", ["dispersal", "containment", "combination"])
def test_healthy_prison_lowers_radicalisation_under_every_regime(runs, name):
    lower(runs, f"{name}_unhealthy", f"{name}_healthy", "mean_extremism_mainstream")
    higher(runs, f"{name}_unhealthy", f"{name}_healthy", "mean_trust_in_staff")
