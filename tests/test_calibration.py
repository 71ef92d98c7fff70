"""Reliability bins and the expected calibration error, against a computation by hand."""

import numpy as np
import pytest

from helpers.calibration import ReliabilityBins, expected_calibration_error, reliability_bins

# Five predictions over 3 classes; confidences 0.9, 0.8, 0.6, 0.55, 0.4 (the largest probability).
PROBS = np.array([
    [0.9, 0.05, 0.05],  # predicts 0, label 0: correct
    [0.1, 0.8, 0.1],  # predicts 1, label 1: correct
    [0.6, 0.3, 0.1],  # predicts 0, label 2: wrong
    [0.2, 0.25, 0.55],  # predicts 2, label 2: correct
    [0.3, 0.4, 0.3],  # predicts 1, label 0: wrong
])
LABELS = np.array([0, 1, 2, 2, 0])


def test_bins_and_ece_match_a_hand_computation():
    # With 2 bins, (0, 0.5] holds 0.4 (wrong) and (0.5, 1] holds 0.9, 0.8, 0.6, 0.55 (3 of 4 correct).
    bins = reliability_bins(PROBS, LABELS, n_bins=2)
    np.testing.assert_array_equal(bins.counts, [1, 4])
    np.testing.assert_allclose(bins.confidence, [0.4, (0.9 + 0.8 + 0.6 + 0.55) / 4])
    np.testing.assert_allclose(bins.accuracy, [0.0, 0.75])
    np.testing.assert_allclose(bins.edges, [0.0, 0.5, 1.0])
    by_hand = (1 / 5) * abs(0.0 - 0.4) + (4 / 5) * abs(0.75 - 0.7125)  # = 0.08 + 0.03
    assert expected_calibration_error(PROBS, LABELS, n_bins=2) == pytest.approx(by_hand)
    assert by_hand == pytest.approx(0.11)


def test_four_bins_by_hand_and_an_empty_bin():
    # Bins (0, .25], (.25, .5], (.5, .75], (.75, 1]: the first is empty; 0.4 (wrong) | 0.6 (wrong), 0.55 (right)
    # | 0.9, 0.8 (both right).
    bins = reliability_bins(PROBS, LABELS, n_bins=4)
    np.testing.assert_array_equal(bins.counts, [0, 1, 2, 2])
    assert np.isnan(bins.accuracy[0]) and np.isnan(bins.confidence[0])
    np.testing.assert_allclose(bins.accuracy[1:], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(bins.confidence[1:], [0.4, 0.575, 0.85])
    by_hand = (1 / 5) * 0.4 + (2 / 5) * 0.075 + (2 / 5) * 0.15  # = 0.08 + 0.03 + 0.06
    assert bins.ece == pytest.approx(by_hand) and by_hand == pytest.approx(0.17)


def test_a_confidence_on_a_bin_edge_goes_to_the_lower_bin():
    probs = np.array([[0.5, 0.5], [0.75, 0.25]])
    bins = reliability_bins(probs, np.array([0, 0]), n_bins=4)  # bins (0.25, 0.5] and (0.5, 0.75]
    np.testing.assert_array_equal(bins.counts, [0, 1, 1, 0])


def test_a_perfectly_calibrated_and_an_overconfident_model():
    rng = np.random.default_rng(0)
    n = 200_000
    confidence = rng.uniform(0.5, 1.0, size=n)
    probs = np.stack([confidence, 1 - confidence], axis=1)
    calibrated = np.where(rng.random(n) < confidence, 0, 1)  # right with probability = confidence
    assert expected_calibration_error(probs, calibrated) < 0.01
    overconfident = np.where(rng.random(n) < confidence - 0.2, 0, 1)  # 20 points less accurate than confident
    assert expected_calibration_error(probs, overconfident) == pytest.approx(0.2, abs=0.01)


def test_returns_reliability_bins():
    assert isinstance(reliability_bins(PROBS, LABELS), ReliabilityBins)


@pytest.mark.parametrize(
    "probs, labels, n_bins, message",
    [
        (PROBS, LABELS, 0, "n_bins"),
        (PROBS, LABELS, 2.5, "n_bins"),
        (PROBS[0], LABELS, 15, "shape"),
        (PROBS, LABELS[:3], 15, "labels"),
        (PROBS, LABELS.astype(float), 15, "integer"),
        (PROBS, np.array([0, 1, 2, 3, 0]), 15, r"\[0, 2\]"),
        (PROBS * 2, LABELS, 15, r"\[0, 1\]"),
        (PROBS * 0.5, LABELS, 15, "sum to 1"),
    ],
)
def test_bad_input_raises_value_error(probs, labels, n_bins, message):
    with pytest.raises(ValueError, match=message):
        expected_calibration_error(probs, labels, n_bins=n_bins)


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="probabilities"):
        reliability_bins([["a", "b"]], [0])
