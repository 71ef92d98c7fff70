"""Calibration of a classifier's probabilities: reliability-diagram bins and the ECE.

A classifier is *calibrated* when, among the inputs it gives confidence ``c``, a fraction
``c`` is classified correctly. Following Guo et al. (2017), the confidence of a prediction
is its largest probability; the interval [0, 1] is cut into ``n_bins`` equal bins
``((m - 1)/M, m/M]`` (the first bin also holds 0), and in each bin the mean confidence is
compared with the accuracy. The expected calibration error is the average gap, weighted by
how many predictions fall in each bin:

    ECE = sum_m (n_m / n) |accuracy_m - confidence_m|
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ReliabilityBins:
    """Per-bin statistics of a reliability diagram (empty bins hold NaN and count 0)."""

    edges: np.ndarray  # n_bins + 1 bin edges, 0 to 1
    confidence: np.ndarray  # mean confidence of the predictions in each bin
    accuracy: np.ndarray  # fraction of them that are correct
    counts: np.ndarray  # how many predictions fall in each bin

    @property
    def ece(self) -> float:
        """The expected calibration error: the count-weighted mean of |accuracy - confidence|."""
        filled = self.counts > 0
        gaps = np.abs(self.accuracy[filled] - self.confidence[filled])
        return float(np.sum(self.counts[filled] * gaps) / np.sum(self.counts))


def _check_inputs(probabilities: Any, labels: Any, n_bins: Any, caller: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"{caller}: n_bins must be a positive int, got {n_bins!r}")
    try:
        probs = np.asarray(probabilities, dtype=float)
        labels = np.asarray(labels)
    except (TypeError, ValueError):
        raise TypeError(f"{caller}: expected an (n, classes) array of probabilities and n integer labels") from None
    if probs.ndim != 2 or probs.shape[0] == 0 or probs.shape[1] < 2:
        raise ValueError(f"{caller}: probabilities must have shape (n, classes) with n >= 1 and classes >= 2, "
                         f"got {probs.shape}")  # fmt: skip
    if labels.shape != (probs.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{caller}: labels must be {probs.shape[0]} integer class indices, got shape "
                         f"{labels.shape} and dtype {labels.dtype}")  # fmt: skip
    if labels.min() < 0 or labels.max() >= probs.shape[1]:
        raise ValueError(f"{caller}: labels must lie in [0, {probs.shape[1] - 1}]")
    if not np.all(np.isfinite(probs)) or probs.min() < 0 or probs.max() > 1:
        raise ValueError(f"{caller}: probabilities must be finite and in [0, 1]")
    if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(f"{caller}: each row of probabilities must sum to 1 (softmax outputs)")
    return probs, labels


def reliability_bins(probabilities: Any, labels: Any, n_bins: int = 15) -> ReliabilityBins:
    """Bin predictions by confidence: mean confidence, accuracy and count per bin.

    Args:
        probabilities: (n, classes) predicted probabilities, rows summing to 1.
        labels: n true class indices.
        n_bins: number of equal-width confidence bins on [0, 1] (Guo et al. use 15).
    """
    probs, labels = _check_inputs(probabilities, labels, n_bins, "reliability_bins")
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    index = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)  # bin ((m-1)/M, m/M]
    counts = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, weights=confidence, minlength=n_bins) / counts
        accuracy = np.bincount(index, weights=correct, minlength=n_bins) / counts
    return ReliabilityBins(np.linspace(0.0, 1.0, n_bins + 1), mean_confidence, accuracy, counts)


def expected_calibration_error(probabilities: Any, labels: Any, n_bins: int = 15) -> float:
    """The expected calibration error (ECE) of Guo et al. (2017), between 0 and 1.

    The count-weighted mean, over ``n_bins`` equal-width confidence bins, of the gap between
    accuracy and mean confidence. 0 is perfect calibration; an overconfident model has
    confidence above accuracy.
    """
    return reliability_bins(probabilities, labels, n_bins).ece
