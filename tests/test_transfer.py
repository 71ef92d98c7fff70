"""The task A / task B split: class membership, re-indexing, order, the n_b limit, bad input."""

import numpy as np
import pytest

from helpers.transfer import TASK_A_CLASSES, TASK_B_CLASSES, split_task_a_b

# Every label 0-9 (four sandals and four shirts) in a scrambled order; each image is filled with its row number,
# so the test can tell which rows ended up where.
LABELS = np.array([6, 0, 5, 9, 3, 6, 1, 7, 5, 2, 8, 4, 6, 5, 0, 9, 3, 7, 1, 2, 8, 4, 6, 5, 9, 0, 7, 8, 1, 2])
IMAGES = np.arange(len(LABELS), dtype=np.float32)[:, None, None] * np.ones((1, 4, 4), np.float32)


def rows(images):
    return images[:, 0, 0].astype(int)


def test_task_a_keeps_the_eight_other_classes_reindexed_in_order():
    (X_a, y_a), _ = split_task_a_b(IMAGES, LABELS)
    expected_rows = [i for i, label in enumerate(LABELS) if label not in (5, 6)]
    np.testing.assert_array_equal(rows(X_a), expected_rows)  # membership and order
    mapping = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 7: 5, 8: 6, 9: 7}
    np.testing.assert_array_equal(y_a, [mapping[label] for label in LABELS[expected_rows]])
    assert y_a.dtype == np.int64
    assert sorted(set(y_a.tolist())) == list(range(8))
    assert TASK_A_CLASSES == (0, 1, 2, 3, 4, 7, 8, 9) and TASK_B_CLASSES == (5, 6)


def test_task_b_is_sandal_zero_versus_shirt_one_as_float32():
    _, (X_b, y_b) = split_task_a_b(IMAGES, LABELS)
    expected_rows = [i for i, label in enumerate(LABELS) if label in (5, 6)]
    np.testing.assert_array_equal(rows(X_b), expected_rows)
    np.testing.assert_array_equal(y_b, [1.0 if LABELS[i] == 6 else 0.0 for i in expected_rows])
    assert y_b.dtype == np.float32
    assert X_b.shape[1:] == (4, 4)


def test_n_b_keeps_only_the_first_task_b_examples_and_never_limits_task_a():
    (X_a_all, _), (X_b_all, y_b_all) = split_task_a_b(IMAGES, LABELS)
    (X_a, y_a), (X_b, y_b) = split_task_a_b(IMAGES, LABELS, n_b=3)
    assert len(X_b) == len(y_b) == 3
    np.testing.assert_array_equal(X_b, X_b_all[:3])
    np.testing.assert_array_equal(y_b, y_b_all[:3])
    np.testing.assert_array_equal(X_a, X_a_all)
    _, (X_b_big, _) = split_task_a_b(IMAGES, LABELS, n_b=1000)  # more than there are: all of them
    assert len(X_b_big) == len(X_b_all) == 8


def test_split_accepts_any_integer_dtype_and_leaves_its_inputs_alone():
    labels, images = LABELS.astype(np.uint8), IMAGES.copy()
    (X_a, y_a), (X_b, _) = split_task_a_b(images, labels)
    assert len(X_a) + len(X_b) == len(LABELS)
    X_a[:] = -1.0  # a copy: writing into it must not touch the caller's array
    np.testing.assert_array_equal(images, IMAGES)
    np.testing.assert_array_equal(labels, LABELS)


def test_a_split_without_task_b_examples_gives_empty_task_b():
    labels = np.array([0, 1, 9])
    (X_a, y_a), (X_b, y_b) = split_task_a_b(np.zeros((3, 2)), labels, n_b=5)
    assert X_a.shape == (3, 2) and X_b.shape == (0, 2) and y_b.shape == (0,)
    np.testing.assert_array_equal(y_a, [0, 1, 7])


@pytest.mark.parametrize(
    ("X", "y", "n_b", "error", "message"),
    [
        ([[0.0]], np.array([0]), None, TypeError, "X must be a NumPy array"),
        (np.zeros((2, 3)), [0, 1], None, TypeError, "y must be a NumPy array"),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), None, TypeError, "integer labels"),
        (np.zeros((2, 3)), np.array([[0, 1]]), None, ValueError, "1-D"),
        (np.zeros((3, 3)), np.array([0, 1]), None, ValueError, "3 rows but y has 2"),
        (np.zeros((2, 3)), np.array([0, 10]), None, ValueError, "0-9"),
        (np.zeros((2, 3)), np.array([-1, 3]), None, ValueError, "0-9"),
        (np.zeros((2, 3)), np.array([5, 6]), 0, ValueError, "n_b must be >= 1"),
        (np.zeros((2, 3)), np.array([5, 6]), 2.5, TypeError, "n_b must be an int"),
        (np.zeros((2, 3)), np.array([5, 6]), True, TypeError, "n_b must be an int"),
    ],
)
def test_bad_arguments_raise_with_a_message_saying_what_was_expected(X, y, n_b, error, message):
    with pytest.raises(error, match=message):
        split_task_a_b(X, y, n_b=n_b)


def test_other_task_b_classes():
    y = np.repeat(np.arange(10), 2)
    X = np.arange(20)[:, None]
    (X_a, y_a), (X_b, y_b) = split_task_a_b(X, y, b_classes=(0, 6))  # T-shirt/top vs shirt
    np.testing.assert_array_equal(X_b.ravel(), [0, 1, 12, 13])
    np.testing.assert_array_equal(y_b, [0.0, 0.0, 1.0, 1.0])
    assert set(y[X_a.ravel()]) == {1, 2, 3, 4, 5, 7, 8, 9}
    np.testing.assert_array_equal(y_a[::2], np.arange(8))  # re-indexed in increasing order
    default = split_task_a_b(X, y)
    explicit = split_task_a_b(X, y, b_classes=(5, 6))
    assert all(np.array_equal(a, b) for p, q in zip(default, explicit) for a, b in zip(p, q))


@pytest.mark.parametrize("bad", [(6, 6), (0, 10), (0,), [0, 6], (0.0, 6), (True, 6)])
def test_bad_task_b_classes(bad):
    with pytest.raises(ValueError, match="b_classes"):
        split_task_a_b(np.zeros((4, 1)), np.arange(4), b_classes=bad)
