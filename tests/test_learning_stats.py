"""rapport.learning.stats against GrowthBook's gbstats.

Published examples are copied from github.com/growthbook/growthbook (``packages/stats/tests/``
and ``packages/back-end/test/``); gbstats gives a proportion as ``sum = successes`` (and
``sum_squares = successes``). The "cross-checked" numbers were computed by running gbstats
itself (the repository's ``packages/stats`` at commit 8f1db445, under numpy 1.26) on the same
inputs.
"""

from __future__ import annotations

import pytest

from rapport.learning.stats import (
    Arm,
    bandit_weights,
    best_arm_probabilities,
    compare,
    gaussian_risk,
    srm_p_value,
)


def _round(values: tuple[float, ...] | list[float], places: int = 5) -> list[float]:
    return [round(v, places) for v in values]


# -- compare: gbstats' EffectBayesianABTest -------------------------------------------------


def test_binomial_ab_test_matches_gbstats() -> None:
    # packages/stats/tests/bayesian/test_tests.py, TestBinom.test_bayesian_binomial_ab_test:
    # ProportionStatistic(sum=49, n=100) against ProportionStatistic(sum=51, n=100), 5 decimals.
    result = compare(Arm(users=100, successes=49), Arm(users=100, successes=51))
    assert round(result.expected, 5) == 0.04082
    assert _round(result.ci) == [-0.24779, 0.32943]
    assert round(result.chance_to_win, 5) == 0.60918
    assert _round(result.risk) == [0.0814, 0.04058]


def test_missing_data_gives_the_default() -> None:
    # packages/stats/tests/bayesian/test_tests.py, TestBinom.test_missing_data.
    result = compare(Arm(0, 0), Arm(0, 0))
    assert result.chance_to_win == 0.5
    assert result.expected == 0


@pytest.mark.parametrize(
    ("control", "variant"),
    [
        (Arm(0, 0), Arm(100, 5)),  # no users in the control
        (Arm(100, 5), Arm(0, 0)),  # no users in the variant
        (Arm(100, 0), Arm(100, 5)),  # control rate 0
        (Arm(100, 5), Arm(100, 0)),  # variant rate 0: gbstats still says "not enough data"
        (Arm(100, 100), Arm(100, 50)),  # control rate 1
        (Arm(1, 1), Arm(1, 0)),
    ],
)
def test_zero_variance_arms_give_the_default(control: Arm, variant: Arm) -> None:
    # Cross-checked: gbstats returns BayesianTestResult._default_output for every one of these.
    result = compare(control, variant)
    assert result.chance_to_win == 0.5
    assert result.expected == 0.0
    assert result.ci == (0.0, 0.0)
    assert result.risk == (0.0, 0.0)


@pytest.mark.parametrize(
    ("control", "variant", "chance", "expected", "ci", "risk"),
    [
        (
            Arm(10, 1),
            Arm(10, 9),
            0.8241353865004016,
            8.0,
            (-8.837448172666384, 24.83744817266638),
            (8.814480579166501, 0.8144805791665017),
        ),
        (
            Arm(100_000, 5000),
            Arm(100_000, 5600),
            0.9999999923498688,
            0.12,
            (0.07843249531331409, 0.16156750468668585),
            (0.12000000002711278, 2.711281046184654e-11),
        ),
    ],
)
def test_compare_cross_checked_against_gbstats(
    control: Arm,
    variant: Arm,
    chance: float,
    expected: float,
    ci: tuple[float, float],
    risk: tuple[float, float],
) -> None:
    result = compare(control, variant)
    assert result.chance_to_win == pytest.approx(chance, rel=1e-12)
    assert result.expected == pytest.approx(expected, rel=1e-12)
    assert result.ci == pytest.approx(ci, rel=1e-12)
    assert result.risk == pytest.approx(risk, rel=1e-9)


def test_risk_matches_gbstats_get_risk() -> None:
    # packages/stats/tests/bayesian/test_tests.py, TestGetRiskNumericalStability:
    # test_normal_inputs_bit_exact_regression (10 decimals) and
    # test_extreme_mu_over_sigma_no_overflow (exact).
    assert _round(gaussian_risk(0.1, 0.05), 10) == _round([0.1004245351308, 0.0004245351308414], 10)
    assert gaussian_risk(0.01, 4.5e-9) == (0.01, 0.0)
    assert gaussian_risk(-0.01, 4.5e-9) == (0.0, 0.01)


def test_equal_arms_are_a_coin_flip() -> None:
    result = compare(Arm(1000, 100), Arm(1000, 100))
    assert result.chance_to_win == pytest.approx(0.5)
    assert result.expected == 0.0
    assert result.risk[0] == pytest.approx(result.risk[1])


def test_a_clearly_better_variant_wins() -> None:
    result = compare(Arm(10_000, 1000), Arm(10_000, 1300))
    assert result.chance_to_win > 0.999
    assert result.expected == pytest.approx(0.3)
    assert result.risk[1] < 1e-6 < result.risk[0]
    worse = compare(Arm(10_000, 1300), Arm(10_000, 1000))
    assert worse.chance_to_win < 0.001


@pytest.mark.parametrize(
    ("control", "variant"),
    [(Arm(100, 49), Arm(100, 51)), (Arm(50, 3), Arm(70, 9)), (Arm(5000, 900), Arm(4000, 650))],
)
def test_the_interval_contains_the_expected_lift(control: Arm, variant: Arm) -> None:
    wide = compare(control, variant)
    narrow = compare(control, variant, ci_level=0.8)
    assert wide.ci[0] < narrow.ci[0] < wide.expected < narrow.ci[1] < wide.ci[1]
    assert narrow.expected == wide.expected
    assert 0.0 <= wide.chance_to_win <= 1.0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="successes"):
        Arm(users=10, successes=11)
    with pytest.raises(ValueError, match="successes"):
        Arm(users=10, successes=-1)
    with pytest.raises(ValueError, match="ci_level"):
        compare(Arm(100, 10), Arm(100, 12), ci_level=1.0)


# -- srm_p_value: gbstats' check_srm ----------------------------------------------------------


def test_srm_matches_gbstats() -> None:
    # packages/stats/tests/test_gbstats.py, TestHelpers.test_srm (9 decimals; the test lived
    # there until commit 01387ac8d6, Feb 2023).
    assert round(srm_p_value([1000, 1200], [0.5, 0.5]), 9) == 0.000020079


@pytest.mark.parametrize(
    ("users", "weights", "p"),
    [
        ([1000, 1200], [0.5, 0.5], 0.000020079),  # simple 2-way test
        ([135, 115], [0.5, 0.5], 0.205903211),  # another 2-way test
        ([310, 98], [0.75, 0.25], 0.647434186),  # uneven weights
        ([1000, 900, 800], [1, 0, 0], 1.0),  # not enough valid weights
        ([1000, 1200, 900], [0.5, 0.5, 0], 0.000020079),  # skip empty weights
        ([0, 0, 0], [0.34, 0.33, 0.33], 1.0),  # skip if all users are 0
        ([0, 10, 10], [0.34, 0.33, 0.33], 0.005790624),  # use empty users in the test
        ([500, 500, 600], [0.34, 0.33, 0.33], 0.000592638),  # more than 2 variations
        ([500, 500], [0.5, 0.5], 1.0),  # completely equal
    ],
)
def test_srm_matches_growthbooks_back_end(users: list[int], weights: list[float], p: float) -> None:
    # packages/back-end/test/stats.test.ts, "calculates SRM correctly" (checkSrm, 9 decimals).
    assert round(srm_p_value(users, weights), 9) == p


def test_srm_needs_a_weight_per_variation() -> None:
    with pytest.raises(ValueError, match="weights"):
        srm_p_value([1000], [0.5, 0.5])


# -- best_arm_probabilities and bandit_weights: gbstats' Bandits -----------------------------

THREE_ARMS = [Arm(1000, 50), Arm(1000, 55), Arm(1000, 60)]
FOUR_ARMS = [Arm(100, 10), Arm(120, 12), Arm(200, 30), Arm(220, 25)]


@pytest.mark.parametrize(
    ("arms", "probabilities"),
    [
        (THREE_ARMS, [0.0961, 0.2784, 0.6255]),
        (FOUR_ARMS, [0.0749, 0.0611, 0.7627, 0.1013]),
        # An arm with no successes has sample variance 0, so gbstats gives it its prior,
        # N(0, 1e4): it is drawn as the best about half the time whatever its users.
        ([Arm(500, 0), Arm(500, 40)], [0.5086, 0.4914]),
    ],
)
def test_best_arm_probabilities_cross_checked_against_gbstats(
    arms: list[Arm], probabilities: list[float]
) -> None:
    # gbstats' BanditsSimple(top_two=False, prior N(0, 1e4), bandit_weights_seed=100) gave these
    # very numbers (the same draws); the tolerance only allows for a change in numpy's streams.
    assert best_arm_probabilities(arms, seed=100) == pytest.approx(probabilities, abs=0.02)


def test_best_arm_probabilities_are_deterministic_by_seed() -> None:
    first = best_arm_probabilities(FOUR_ARMS, seed=7)
    assert best_arm_probabilities(FOUR_ARMS, seed=7) == first
    assert best_arm_probabilities(FOUR_ARMS, seed=8) != first
    assert sum(first) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in first)


def test_a_clearly_best_arm_is_almost_always_best() -> None:
    probabilities = best_arm_probabilities([Arm(5000, 250), Arm(5000, 500), Arm(5000, 260)])
    assert probabilities[1] > 0.999
    assert best_arm_probabilities([Arm(10, 3)]) == [1.0]


def test_bandit_weights_cross_checked_against_gbstats() -> None:
    # gbstats' BanditsSimple as above with min_variation_weight=0.1.
    weights = bandit_weights(THREE_ARMS, floor=0.1, seed=100)
    assert weights == pytest.approx([0.16727, 0.29488, 0.53785], abs=0.02)


def test_burn_in_keeps_equal_weights() -> None:
    # gbstats: "total sample size must be at least 100 per variation".
    arms = [Arm(99, 10), Arm(5000, 2500)]
    assert bandit_weights(arms) == [0.5, 0.5]
    assert bandit_weights(arms, min_sample=99) != [0.5, 0.5]
    assert bandit_weights([Arm(0, 0)] * 4) == [0.25] * 4


@pytest.mark.parametrize("floor", [0.0, 0.01, 0.05, 0.2])
def test_bandit_weights_sum_to_one_and_respect_the_floor(floor: float) -> None:
    arms = [Arm(5000, 250), Arm(5000, 500), Arm(5000, 260), Arm(5000, 240)]
    weights = bandit_weights(arms, floor=floor)
    assert sum(weights) == pytest.approx(1.0)
    assert all(w >= floor - 1e-12 for w in weights)
    assert max(weights) == weights[1]


def test_the_floor_is_additive_on_the_simplex() -> None:
    # packages/stats/tests/test_gbstats.py, TestBanditMinVariationWeightFloor
    # .test_floor_is_additive_on_the_simplex: p_i = f + (1 - n * f) * w_i.
    n, f = 4, 0.1
    w = bandit_weights(FOUR_ARMS, floor=0.0, seed=100)
    assert w == pytest.approx(best_arm_probabilities(FOUR_ARMS, seed=100), abs=1e-12)
    p = bandit_weights(FOUR_ARMS, floor=f, seed=100)
    assert p == pytest.approx([f + (1 - n * f) * wi for wi in w], abs=1e-9)


def test_a_floor_too_large_gives_equal_weights() -> None:
    # TestBanditMinVariationWeightFloor.test_floor_too_large_falls_back_to_uniform.
    assert bandit_weights(FOUR_ARMS, floor=0.5) == [0.25] * 4


def test_a_negative_floor_counts_as_none() -> None:
    # TestBanditMinVariationWeightFloor.test_negative_floor_is_clamped_to_zero.
    assert bandit_weights(FOUR_ARMS, floor=-0.3, seed=3) == bandit_weights(
        FOUR_ARMS, floor=0.0, seed=3
    )


def test_bandit_weights_are_deterministic_by_seed() -> None:
    assert bandit_weights(FOUR_ARMS, seed=11) == bandit_weights(FOUR_ARMS, seed=11)
    assert bandit_weights(FOUR_ARMS, seed=11) != bandit_weights(FOUR_ARMS, seed=12)


def test_no_arms_is_refused() -> None:
    with pytest.raises(ValueError, match="arm"):
        bandit_weights([])
    with pytest.raises(ValueError, match="arm"):
        best_arm_probabilities([])
