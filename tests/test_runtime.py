"""Seeds, determinism and a quiet TensorFlow import."""

import random
import subprocess
import sys

import keras
import numpy as np
import pytest

from helpers import set_seeds


def draw():
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    return random.random(), np.random.rand(), keras.random.normal((2,)).numpy(), layer.kernel.numpy()


def test_set_seeds_makes_python_numpy_and_keras_repeatable():
    set_seeds(7)
    first = draw()
    set_seeds(7)
    second = draw()
    set_seeds(8)
    third = draw()
    for a, b, c in zip(first, second, third):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_set_seeds_rejects_bad_seeds(seed, error):
    with pytest.raises(error):
        set_seeds(seed)


def test_importing_helpers_prints_no_tensorflow_chatter():
    code = "import helpers, keras; keras.layers.Dense(2)(keras.ops.ones((1, 3)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    output = (run.stdout + run.stderr).lower()
    for chatter in ("onednn", "cuda", "i0000", "absl", "warning"):
        assert chatter not in output, output
