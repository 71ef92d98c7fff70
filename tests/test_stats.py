"""Seed comparisons: t intervals checked against SciPy, Holm against its definition."""

import numpy as np
import pytest
from scipy import stats

from helpers.stats import (
    Difference,
    compare_to_baseline,
    comparison_table,
    holm,
    holm_adjusted,
    paired_difference,
    welch_difference,
)

RNG = np.random.default_rng(7)
A = 0.85 + 0.01 * RNG.standard_normal(5)
B = 0.84 + 0.01 * RNG.standard_normal(5)
C = 0.83 + 0.02 * RNG.standard_normal(4)


def test_paired_matches_scipy():
    d = paired_difference(A, B, level=0.9)
    ref = stats.ttest_rel(A, B)
    low, high = ref.confidence_interval(0.9)
    assert d.mean == pytest.approx(np.mean(A - B))
    assert (d.low, d.high) == pytest.approx((low, high))
    assert d.t == pytest.approx(ref.statistic) and d.p == pytest.approx(ref.pvalue) and d.df == 4
    assert d.paired and d.n == (5, 5)


def test_welch_matches_scipy_with_unequal_sizes():
    d = welch_difference(A, C)
    ref = stats.ttest_ind(A, C, equal_var=False)
    low, high = ref.confidence_interval(0.95)
    assert (d.low, d.high) == pytest.approx((low, high))
    assert d.p == pytest.approx(ref.pvalue) and d.df == pytest.approx(ref.df)
    assert not d.paired and d.n == (5, 4)


def test_pairing_removes_the_shared_seed_effect():
    seed_effect = np.array([0.0, 0.05, -0.04, 0.02, 0.03])
    a, b = 0.80 + seed_effect + 0.003, 0.80 + seed_effect + np.array([0.0, 0.001, -0.001, 0.0005, 0.0])
    assert paired_difference(a, b).excludes_zero
    assert not welch_difference(a, b).excludes_zero


def test_identical_differences_have_no_spread():
    d = paired_difference([1.0, 2.0, 3.0], [0.5, 1.5, 2.5])
    assert (d.low, d.high, d.p) == (0.5, 0.5, 0.0) and d.verdict() == "higher"
    same = paired_difference([1.0, 2.0], [1.0, 2.0])
    assert same.p == 1.0 and same.verdict() == "inconclusive"


def brute_force_holm(p):
    """Holm by definition: reject H_(i) iff p_(j) <= alpha / (m - j + 1) for every j <= i."""
    m = len(p)
    adjusted = []
    for i in range(m):
        rank = sorted(range(m), key=lambda k: p[k]).index(i)
        ordered = sorted(p)
        adjusted.append(min(1.0, max((m - j) * ordered[j] for j in range(rank + 1))))
    return adjusted


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03, 0.005], [0.2, 0.01, 0.5], [0.05], [0.3, 0.3, 0.001]])
def test_holm_matches_its_definition(p):
    np.testing.assert_allclose(holm(p), brute_force_holm(p))


def test_holm_controls_the_family_wise_error_of_identical_alternatives():
    rng = np.random.default_rng(0)
    false_wins = 0
    for _ in range(400):
        runs = {f"x{k}": 0.8 + 0.01 * rng.standard_normal(5) for k in range(9)}
        diffs = compare_to_baseline(runs, "x0", paired=False)
        false_wins += any(d.verdict() != "inconclusive" for d in diffs)
    assert false_wins / 400 < 0.08  # nominal 5%; without a correction it is about 30%


def test_compare_to_baseline_keeps_order_and_adjusts():
    results = {"ReLU": list(B), "ELU": list(A), "tanh": list(C + 0.0)[:4] + [0.82]}
    diffs = compare_to_baseline(results, "ReLU", paired=True)
    assert [d.name for d in diffs] == ["ELU - ReLU", "tanh - ReLU"]
    np.testing.assert_allclose([d.p_holm for d in diffs], holm([d.p for d in diffs]))
    assert all(d.p_holm >= d.p for d in diffs)
    table = comparison_table(diffs)
    assert "p (Holm)" in table and "ELU - ReLU" in table and table.count("\n") == 3


def test_bad_inputs_say_what_was_expected():
    with pytest.raises(ValueError, match="pair up by seed"):
        paired_difference([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 2 runs"):
        welch_difference([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        welch_difference([1.0, float("nan")], [1.0, 2.0])
    with pytest.raises(TypeError, match="sequence of numbers"):
        welch_difference(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        paired_difference([1, 2], [2, 3], level=95)
    with pytest.raises(ValueError, match="baseline 'GELU'"):
        compare_to_baseline({"ReLU": [1, 2]}, "GELU", paired=True)
    with pytest.raises(ValueError, match="at least one alternative"):
        compare_to_baseline({"ReLU": [1, 2]}, "ReLU", paired=True)
    with pytest.raises(TypeError, match="map names"):
        compare_to_baseline([1, 2], "ReLU", paired=True)
    with pytest.raises(ValueError, match="p-values"):
        holm([0.5, 1.5])
    with pytest.raises(TypeError, match="Difference"):
        comparison_table([])


def test_difference_prints_its_interval():
    d = Difference("a - b", 0.004, 0.0023, 0.0057, 5.0, 4, 0.007, (5, 5), True)
    assert str(d) == "a - b: +0.0040 [+0.0023, +0.0057] (paired t, 95% interval, p = 0.007)"
    assert d.excludes_zero and d.verdict() == "higher"


def test_holm_adjusted_sets_one_family():
    diffs = [welch_difference(A, B, name="lr 0.1"), welch_difference(C, B, name="lr 1.0")]
    adjusted = holm_adjusted(diffs)
    np.testing.assert_allclose([d.p_holm for d in adjusted], holm([d.p for d in diffs]))
    assert [d.name for d in adjusted] == ["lr 0.1", "lr 1.0"] and diffs[0].p_holm is None
    with pytest.raises(TypeError, match="Difference"):
        holm_adjusted([0.1])
