"""The book's transfer-learning experiment: Fashion-MNIST split into task A and task B.

Task B is a binary problem between two classes (the book's: sandal, 5, versus shirt, 6);
task A is the 8-class problem of every other class, with its labels re-indexed to 0-7 in
order. A model trained on the plentiful task A is reused for task B, which gets only a
few labelled images (the book keeps the first 200 training images).
"""

from __future__ import annotations

import numbers

import numpy as np

TASK_B_CLASSES = (5, 6)  # the book's task B: sandal -> 0.0, shirt -> 1.0
TASK_A_CLASSES = (0, 1, 2, 3, 4, 7, 8, 9)  # re-indexed to 0..7 in this order
N_CLASSES = 10


def split_task_a_b(
    X: np.ndarray, y: np.ndarray, n_b: int | None = None, b_classes: tuple[int, int] = TASK_B_CLASSES
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split images and labels 0-9 into task A (8 classes) and task B (two classes).

    Args:
        X: images (or any per-example array), one row per label; its first axis is split.
        y: integer labels in 0-9, shape ``(len(X),)``.
        n_b: keep only the first ``n_b`` task B examples (the book uses 200 for training);
            ``None`` keeps them all. A value larger than what is available keeps them all.
        b_classes: the two task B classes ``(c0, c1)``, labelled 0.0 and 1.0; the book's
            sandal and shirt ``(5, 6)`` by default.

    Returns:
        ``((X_a, y_a), (X_b, y_b))``. Task A holds the examples of the other eight classes,
        with their labels re-indexed to 0-7 in increasing order (``int64``; for the book's
        classes, 0, 1, 2, 3, 4, 7, 8, 9). Task B holds the examples of ``b_classes``, with
        ``y_b`` = 0.0 for ``c0`` and 1.0 for ``c1`` as ``float32``, ready for a sigmoid
        output and binary cross-entropy. Both keep the original order of the examples,
        and the arrays are new copies.

    Raises:
        TypeError: ``X`` or ``y`` is not a NumPy array, ``y`` is not of an integer type,
            or ``n_b`` is not an int (or None).
        ValueError: ``y`` is not 1-D, ``X`` and ``y`` differ in length, a label is
            outside 0-9, ``n_b`` < 1, or ``b_classes`` is not two different classes in 0-9.
    """
    if (not isinstance(b_classes, tuple) or len(b_classes) != 2
            or not all(isinstance(c, numbers.Integral) and not isinstance(c, bool) and 0 <= c < N_CLASSES
                       for c in b_classes) or b_classes[0] == b_classes[1]):  # fmt: skip
        raise ValueError(f"split_task_a_b: b_classes must be two different classes in 0-9, got {b_classes!r}")
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

    to_task_a = np.full(N_CLASSES, -1, dtype=np.int64)  # -1 for the task B classes, never used
    a_classes = [c for c in range(N_CLASSES) if c not in b_classes]
    to_task_a[a_classes] = np.arange(len(a_classes))
    in_b = np.isin(y, b_classes)
    X_a, y_a = X[~in_b], to_task_a[y[~in_b]]
    X_b, y_b = X[in_b], (y[in_b] == b_classes[1]).astype(np.float32)
    if n_b is not None:
        X_b, y_b = X_b[:n_b], y_b[:n_b]
    return (X_a, y_a), (X_b, y_b)
