"""The book's transfer-learning experiment: Fashion-MNIST split into task A and task B.

Task A is the 8-class problem of every class except sandals (5) and shirts (6), with its
labels re-indexed to 0-7 in order; task B is the binary problem sandal (0.0) versus
shirt (1.0). A model trained on the plentiful task A is reused for task B, which gets
only a few labelled images (the book keeps the first 200 training images).
"""

from __future__ import annotations

import numbers

import numpy as np

TASK_B_CLASSES = (5, 6)  # sandal -> 0.0, shirt -> 1.0
TASK_A_CLASSES = (0, 1, 2, 3, 4, 7, 8, 9)  # re-indexed to 0..7 in this order
N_CLASSES = 10

# Original label -> task A label (-1 for the two task B classes, never used).
_TO_TASK_A = np.full(N_CLASSES, -1, dtype=np.int64)
_TO_TASK_A[list(TASK_A_CLASSES)] = np.arange(len(TASK_A_CLASSES))


def split_task_a_b(
    X: np.ndarray, y: np.ndarray, n_b: int | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split images and labels 0-9 into task A (8 classes) and task B (sandal vs shirt).

    Args:
        X: images (or any per-example array), one row per label; its first axis is split.
        y: integer labels in 0-9, shape ``(len(X),)``.
        n_b: keep only the first ``n_b`` task B examples (the book uses 200 for training);
            ``None`` keeps them all. A value larger than what is available keeps them all.

    Returns:
        ``((X_a, y_a), (X_b, y_b))``. Task A holds the examples whose label is not 5 or 6,
        with labels 0, 1, 2, 3, 4, 7, 8, 9 re-indexed to 0-7 (``int64``). Task B holds the
        examples labelled 5 or 6, with ``y_b`` = 1.0 for 6 (shirt) and 0.0 for 5 (sandal)
        as ``float32``, ready for a sigmoid output and binary cross-entropy. Both keep the
        original order of the examples, and the arrays are new copies.

    Raises:
        TypeError: ``X`` or ``y`` is not a NumPy array, ``y`` is not of an integer type,
            or ``n_b`` is not an int (or None).
        ValueError: ``y`` is not 1-D, ``X`` and ``y`` differ in length, a label is
            outside 0-9, or ``n_b`` < 1.
    """
    for name, array in (("X", X), ("y", y)):
        if not isinstance(array, np.ndarray):
            raise TypeError(f"split_task_a_b: {name} must be a NumPy array, got {type(array).__name__}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"split_task_a_b: y must hold integer labels, got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"split_task_a_b: y must be 1-D, got shape {y.shape}")
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(f"split_task_a_b: X has {X.shape[0] if X.ndim else 0} rows but y has {len(y)} labels")
    if y.size and (y.min() < 0 or y.max() >= N_CLASSES):
        raise ValueError(f"split_task_a_b: labels must be in 0-9, got values from {y.min()} to {y.max()}")
    if n_b is not None:
        if isinstance(n_b, bool) or not isinstance(n_b, numbers.Integral):
            raise TypeError(f"split_task_a_b: n_b must be an int or None, got {type(n_b).__name__}")
        if n_b < 1:
            raise ValueError(f"split_task_a_b: n_b must be >= 1, got {n_b}")

    in_b = np.isin(y, TASK_B_CLASSES)
    X_a, y_a = X[~in_b], _TO_TASK_A[y[~in_b]]
    X_b, y_b = X[in_b], (y[in_b] == TASK_B_CLASSES[1]).astype(np.float32)
    if n_b is not None:
        X_b, y_b = X_b[:n_b], y_b[:n_b]
    return (X_a, y_a), (X_b, y_b)
