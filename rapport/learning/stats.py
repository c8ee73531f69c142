"""Statistics for proportion metrics, the way GrowthBook's stats engine (gbstats) computes them.

A re-implementation with numpy and scipy only of the methods in gbstats
(github.com/growthbook/growthbook, ``packages/stats/gbstats/``), because the ``gbstats`` package
pins numpy<2, which our stack cannot install. The tests reproduce gbstats' own published
examples (``tests/test_learning_stats.py``).

- ``compare``: the Bayesian A/B test on a relative lift (``bayesian/tests.py``).
- ``srm_p_value``: the sample ratio mismatch check (``utils.py``, ``check_srm``).
- ``best_arm_probabilities`` and ``bandit_weights``: the Thompson-sampling bandit
  (``bayesian/bandits.py``, ``Bandits.compute_result``).

Every metric here is a conversion rate where higher is better (gbstats' ``inverse=False``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2, norm

# gbstats.gbstats.preprocess_bandits gives every arm this prior: GaussianPrior(mean=0,
# variance=1e4, proper=True). It hardly moves an arm with data, and it keeps an arm whose
# sample variance is 0 (no successes, or only successes) finite: that arm gets the prior.
_BANDIT_PRIOR_VARIANCE = 1e4


@dataclass(frozen=True)
class Arm:
    """One variation's tally: ``users`` exposed, ``successes`` of them converted."""

    users: int  # exposures (n)
    successes: int  # conversions, 0 <= successes <= users

    def __post_init__(self) -> None:
        if not 0 <= self.successes <= self.users:
            raise ValueError(f"need 0 <= successes <= users, got {self}")

    @property
    def rate(self) -> float:
        """The conversion rate, 0 for an arm nobody has seen (as gbstats' ``mean``)."""
        return self.successes / self.users if self.users else 0.0


@dataclass(frozen=True)
class Comparison:
    """A variant against the control, on the relative lift ``variant / control - 1``."""

    chance_to_win: float  # P(variant's rate > control's), in [0, 1]
    expected: float  # expected relative uplift (variant/control - 1)
    ci: tuple[float, float]  # credible interval of the relative uplift (95% by default)
    risk: tuple[float, float]  # gbstats' risk (control, variant)


# gbstats' BayesianABTest._default_output: what it reports when it cannot analyse the data.
_NO_RESULT = Comparison(chance_to_win=0.5, expected=0.0, ci=(0.0, 0.0), risk=(0.0, 0.0))


def compare(control: Arm, variant: Arm, *, ci_level: float = 0.95) -> Comparison:
    """The posterior of the variant's relative lift over the control.

    Follows gbstats' ``EffectBayesianABTest`` (``gbstats/bayesian/tests.py``) for two
    ``ProportionStatistic``s with its default config: relative difference and the improper flat
    prior (``GaussianPrior(proper=False)``), so the posterior is the normal approximation of the
    data. The lift's mean is ``(p_b - p_a) / p_a`` and its variance comes from the delta method
    (``EffectMoments`` in ``gbstats/models/tests.py`` and ``variance_of_ratios`` in
    ``gbstats/utils.py``), with each arm's variance ``p * (1 - p)``.

    gbstats returns its uninformative default (chance to win 0.5, expected 0, ci (0, 0), risk
    (0, 0)) whenever an arm's variance is 0: an arm with no users, no successes or only
    successes, in the variant as well as in the control (``EffectMoments.compute_result``,
    ``ZERO_NEGATIVE_VARIANCE_MESSAGE``). So does this, which means a variant that converted
    nobody reads as "not enough data" rather than as a loser.
    """
    if not 0 < ci_level < 1:
        raise ValueError(f"ci_level must be in (0, 1), got {ci_level}")
    p_a, p_b = control.rate, variant.rate
    var_a, var_b = p_a * (1 - p_a), p_b * (1 - p_b)
    if var_a <= 0 or var_b <= 0:
        return _NO_RESULT
    mean = (p_b - p_a) / p_a
    variance = var_b / variant.users / p_a**2 + var_a / control.users * p_b**2 / p_a**4
    sd = math.sqrt(variance)
    alpha = 1 - ci_level
    low, high = norm.ppf([alpha / 2, 1 - alpha / 2], mean, sd)
    return Comparison(
        chance_to_win=float(norm.sf(0, mean, sd)),
        expected=mean,
        ci=(float(low), float(high)),
        risk=gaussian_risk(mean, sd),
    )


def gaussian_risk(mean: float, sd: float) -> tuple[float, float]:
    """Expected loss of shipping the control and of shipping the variant, lift ~ N(mean, sd).

    gbstats' ``EffectBayesianABTest.get_risk`` (``gbstats/bayesian/tests.py``): the control's
    risk is ``E[max(lift, 0)]`` and the variant's ``E[max(-lift, 0)]``. gbstats writes them as
    truncated-normal means times tail probabilities; these are the same quantities in closed
    form (closer to exact than scipy's ``truncnorm`` beyond about 6 sd, where the risk is below
    1e-13), with its shortcut to the exact limit once ``|mean / sd| > 37``.
    """
    if sd <= 0 or abs(mean / sd) > 37:
        return (max(mean, 0.0), max(-mean, 0.0))
    z = mean / sd
    density = sd * float(norm.pdf(z))
    control = mean * float(norm.cdf(z)) + density
    variant = density - mean * float(norm.cdf(-z))
    return (max(control, 0.0), max(variant, 0.0))


def srm_p_value(users: Sequence[int], weights: Sequence[float]) -> float:
    """The p-value that the users were split by these traffic weights (small: a mismatch).

    gbstats' ``check_srm`` (``gbstats/utils.py``): a chi-square goodness-of-fit test of the
    observed users against ``weight / sum(weights) * total users``, 1.0 when there are no
    users. A variation with weight 0 is left out entirely, as in GrowthBook's back-end
    ``checkSrm`` (``packages/back-end/src/util/stats.ts``) and its published examples, and
    fewer than two weighted variations give 1.0; gbstats' Python version skips such a
    variation's term but still counts its users in the total and in the degrees of freedom.
    """
    if len(users) != len(weights):
        raise ValueError(f"{len(users)} user counts for {len(weights)} weights")
    arms = [(u, w) for u, w in zip(users, weights, strict=True) if w > 0]
    total_users = sum(u for u, _ in arms)
    if len(arms) < 2 or total_users == 0:
        return 1.0
    total_weight = sum(w for _, w in arms)
    expected = [w / total_weight * total_users for _, w in arms]
    x = sum((u - e) ** 2 / e for (u, _), e in zip(arms, expected, strict=True))
    return float(chi2.sf(x, len(arms) - 1))


def best_arm_probabilities(
    arms: Sequence[Arm], *, draws: int = 10_000, seed: int = 0
) -> list[float]:
    """P(each arm has the highest rate), by Monte Carlo over the arms' posteriors.

    gbstats' ``Bandits.compute_result`` (``gbstats/bayesian/bandits.py``) with the statistics
    and prior of ``preprocess_bandits`` (``gbstats/gbstats.py``): each arm is a
    ``SampleMeanStatistic`` with ``sum_squares = sum`` (so its variance is the sample variance,
    ``n / (n - 1) * p * (1 - p)``), its posterior is normal from the prior N(0, 1e4), and
    ``draws`` joint samples are taken with ``numpy.random.default_rng(seed)``, as gbstats does,
    so the same seed gives the same numbers. gbstats treats seed 0 as "pick a random seed";
    here every seed, 0 included, is used as given.
    """
    if not arms:
        raise ValueError("need at least one arm")
    means, variances = zip(*(_bandit_posterior(arm) for arm in arms), strict=True)
    rng = np.random.default_rng(seed=seed)
    y = rng.multivariate_normal(mean=np.array(means), cov=np.diag(variances), size=draws)
    best = y == np.max(y, axis=1)[:, np.newaxis]
    return [float(p) for p in np.mean(best, axis=0)]


def _bandit_posterior(arm: Arm) -> tuple[float, float]:
    """An arm's posterior mean and variance, in gbstats' ``Bandits`` order of operations."""
    n, s = arm.users, arm.successes
    variance = (s - s**2 / n) / (n - 1) if n > 1 else 0.0
    data_precision = n / variance if variance > 0 else 0.0
    posterior_variance = 1 / (1 / _BANDIT_PRIOR_VARIANCE + data_precision)
    return posterior_variance * (data_precision * arm.rate), posterior_variance


def bandit_weights(
    arms: Sequence[Arm],
    *,
    floor: float = 0.01,
    min_sample: int = 100,
    draws: int = 10_000,
    seed: int = 0,
) -> list[float]:
    """The traffic weights of GrowthBook's Thompson-sampling bandit.

    gbstats' ``Bandits.compute_result`` (``gbstats/bayesian/bandits.py``) with
    ``top_two=False``, the default of ``BanditSettingsForStatsEngine``
    (``gbstats/models/settings.py``):

    - Burn-in: until every arm has ``min_sample`` users (gbstats: 100) the weights are not
      updated. gbstats then keeps the current weights; here they are equal, as a bandit's
      weights are before its first update.
    - Then the best-arm probabilities, with the floor added on the simplex as gbstats does
      since #6145: ``f + (1 - k * f) * p``, so every weight is at least ``f`` and they sum to
      1 while the arms keep their order and spacing (clipping then renormalising, its earlier
      rule, can leave an arm below the floor). A negative floor counts as 0; when ``k * f``
      reaches 1 the floors cannot fit and the weights are equal.
    """
    k = len(arms)
    if k == 0:
        raise ValueError("need at least one arm")
    equal = [1 / k] * k
    if any(arm.users < min_sample for arm in arms):
        return equal
    f = max(0.0, floor)
    if f * k >= 1:
        return equal
    p = np.array(best_arm_probabilities(arms, draws=draws, seed=seed))
    return [float(w) for w in f + (1 - k * f) * (p / np.sum(p))]
