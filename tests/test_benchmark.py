"""The fit benchmark: arithmetic counted right, epochs timed, the table printed."""

import pytest

from helpers import benchmark


def test_epoch_arithmetic_of_the_books_mlp():
    model = benchmark.networks()["300-100 MLP (the book's)"]()
    weights = 784 * 300 + 300 * 100 + 100 * 10
    assert benchmark.epoch_flops(model, 55_000) == 6 * weights * 55_000  # about 88 GFLOP


def test_a_short_run_gives_a_sane_table():
    one_way = {"batch 32, steps_per_execution=32": (32, 32, False)}
    rate, rows = benchmark.run(8_192, only=["300-100"], ways=one_way, epochs=2)
    assert rate > 1 and len(rows) == 1
    row = rows[0]
    assert row.epoch_s > 0 and row.ratio > 1  # no epoch beats its own arithmetic
    assert row.median_s >= row.epoch_s and row.median_ratio >= row.ratio  # the fastest is never slower
    text = benchmark.table(rate, rows, 8_192, epochs=2)
    assert "| 300-100 MLP (the book's) | batch 32, steps_per_execution=32" in text and "8,192 images" in text
    assert "fastest steady-state epoch (of 1)" in text
    assert "TensorFlow threads: intra-op" in text


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_images"):
        benchmark.run(100)
    with pytest.raises(ValueError, match="epochs must be an int >= 2"):
        benchmark.run(8_192, only=["300-100"], epochs=1)
    with pytest.raises(ValueError, match="n >= 64"):
        benchmark.matmul_gflops(8)
