"""How close does ``fit()`` get to the machine's arithmetic limit? One epoch of the course's networks, timed.

The limit of an epoch is its arithmetic (forward and backward: about 6 multiply-adds'
worth of FLOPs per weight per image) at the fp32 matrix-multiply rate TensorFlow reaches
on this machine, measured first. Everything above that is overhead: Python and
TensorFlow dispatch per training step, the input pipeline, the optimizer's small ops.

Usage, from the repository root (a measurement, not a test; run it on a quiet machine)::

    python -m helpers.benchmark            # prints the table; --images N for a shorter epoch

Each epoch time is the fastest of the fit's steady-state epochs, as the matmul rate is the
fastest of its repeats (the least disturbed measurement); the median is printed beside it.

TensorFlow sizes its thread pools when it starts, from ``TF_NUM_INTRAOP_THREADS`` and
``TF_NUM_INTEROP_THREADS`` (0 or unset: one thread per core); the table's first line says which
were used. The matmul rate is measured with the same threads, so with one thread on a 2-core CPU
the limit is about twice as long and the ratios are against that one-core limit::

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 python -m helpers.benchmark

(On a 2-core AMD EPYC, one thread made the 300-100 MLP's epoch slower, 0.89 s against 0.76 s, and
the 20-layer BN network's faster, 2.22 s against 2.64 s: no setting wins everywhere, and the
notebooks keep TensorFlow's default.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from helpers.runtime import quiet_tensorflow

# (batch size, steps_per_execution, jit_compile): the ways of calling fit that are compared.
WAYS = {
    "batch 32, plain": (32, 1, False),
    "batch 32, steps_per_execution=32": (32, 32, False),
    "batch 128, plain": (128, 1, False),
    "batch 128, steps_per_execution=32 (notebooks 01-04's way)": (128, 32, False),
    "batch 128, steps_per_execution=32, jit_compile=True": (128, 32, True),
}


@dataclass(frozen=True)
class Row:
    """One timed epoch."""

    network: str
    way: str
    epoch_s: float
    limit_s: float
    median_s: float


    @property
    def ratio(self) -> float:
        """Epoch time over its arithmetic limit (1.0 would be pure arithmetic)."""
        return self.epoch_s / self.limit_s

    @property
    def median_ratio(self) -> float:
        """The median steady-state epoch over the limit: what a busy machine gives."""
        return self.median_s / self.limit_s


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    """The fp32 matrix-multiply rate TensorFlow reaches here, in GFLOP/s (best of ``repeats``)."""
    if not isinstance(n, int) or n < 64 or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"matmul_gflops: need n >= 64 and repeats >= 1, got n={n!r}, repeats={repeats!r}")
    quiet_tensorflow()
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    tf.matmul(a, b).numpy()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        tf.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def networks() -> dict[str, Callable[[], object]]:
    """The course's standard networks: the book's 300-100 MLP and the deep narrow MLPs of notebooks 01-03."""
    quiet_tensorflow()
    import keras

    def mlp(widths: list[int], activation: str, batch_norm: bool = False) -> keras.Model:
        # As notebook 03 builds it: a Dense layer before BN needs no bias (BN's beta replaces it).
        layers: list[keras.layers.Layer] = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
        for width in widths:
            if batch_norm:
                layers.append(keras.layers.Dense(width, use_bias=False, kernel_initializer="he_normal"))
                layers += [keras.layers.BatchNormalization(), keras.layers.Activation(activation)]
            else:
                layers.append(keras.layers.Dense(width, activation=activation))
        layers.append(keras.layers.Dense(10, activation="softmax"))
        return keras.Sequential(layers)

    return {
        "300-100 MLP (the book's)": lambda: mlp([300, 100], "relu"),
        "10x100 tanh MLP (notebook 01)": lambda: mlp([100] * 10, "tanh"),
        "20x100 ReLU MLP without BN (notebook 03)": lambda: mlp([100] * 20, "relu"),
        "20x100 ReLU MLP with BN (notebook 03)": lambda: mlp([100] * 20, "relu", batch_norm=True),
    }


def epoch_flops(model: object, n_images: int) -> float:
    """Arithmetic of one epoch: 2 FLOPs per weight per image forward, twice that backward."""
    weights = sum(int(np.prod(w.shape)) for w in model.trainable_weights if len(w.shape) == 2)
    return 6.0 * weights * n_images


def time_epoch(
    build: Callable[[], object], X: np.ndarray, y: np.ndarray, way: tuple[int, int, bool], epochs: int = 6
) -> tuple[float, float]:
    """Seconds per epoch of a multi-epoch ``fit``, as the notebooks call it: the fastest of epochs 2..``epochs``,
    and their median.

    The first epoch pays for tracing the graph and the per-``fit`` setup (turning the arrays
    into a ``tf.data`` pipeline); the notebooks' fits run several epochs, so what a student
    waits for is the steady-state epoch, timed by a callback. The ratio to the limit uses the
    fastest, like the matmul rate (the best of its repeats) and like ``timeit``: the least
    disturbed measurement is the one that says what ``fit`` itself costs, while the others also
    hold time taken by other processes (on a shared or virtual machine, by other machines). The
    median is returned too, and printed, because it is closer to what a student on a busy machine
    waits for.
    """
    import keras

    if not isinstance(epochs, int) or epochs < 2:
        raise ValueError(f"time_epoch: epochs must be an int >= 2 (the first one is a warm-up), got {epochs!r}")
    batch_size, steps, jit = way
    model = build()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.01),
                  metrics=["accuracy"], steps_per_execution=steps, jit_compile=jit)  # fmt: skip
    seconds: list[float] = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            seconds.append(time.perf_counter() - self.start)

    model.fit(X, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[EpochTimer()])
    return float(np.min(seconds[1:])), float(np.median(seconds[1:]))


def run(
    n_images: int = 55_000,
    only: list[str] | None = None,
    ways: dict[str, tuple[int, int, bool]] | None = None,
    epochs: int = 6,
) -> tuple[float, list[Row]]:
    """Time every network (or those named in ``only``) in every way on ``n_images`` random images.

    Returns the measured GFLOP/s and one row per network and way.
    """
    if not isinstance(n_images, int) or n_images < 64 * 128:
        raise ValueError(f"run: n_images must be an int >= {64 * 128}, got {n_images!r}")
    from helpers.runtime import set_seeds

    set_seeds(0, deterministic=False)
    rate = matmul_gflops()
    rng = np.random.default_rng(0)
    X = rng.random((n_images, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n_images)
    rows = []
    for name, build in networks().items():
        if only and not any(word in name for word in only):
            continue
        limit = epoch_flops(build(), n_images) / (rate * 1e9)
        for way_name, way in (ways or WAYS).items():
            fastest, median = time_epoch(build, X, y, way, epochs)
            rows.append(Row(name, way_name, fastest, limit, median))
    return rate, rows


def table(rate: float, rows: list[Row], n_images: int, epochs: int = 6) -> str:
    """The results as a Markdown table (``epochs``: epochs per fit, as passed to ``run``)."""
    import tensorflow as tf

    if not isinstance(epochs, int) or epochs < 2:
        raise ValueError(f"table: epochs must be an int >= 2 (the first one is a warm-up), got {epochs!r}")

    # Set by the environment variables at start-up, or later through tf.config (0: one per core).
    threads = (int(os.environ.get("TF_NUM_INTRAOP_THREADS") or tf.config.threading.get_intra_op_parallelism_threads()),
               int(os.environ.get("TF_NUM_INTEROP_THREADS") or tf.config.threading.get_inter_op_parallelism_threads()))
    lines = [f"fp32 matmul rate measured here: {rate:.0f} GFLOP/s; one epoch = {n_images:,} images; "
             f"epoch = fastest steady-state epoch (of {epochs - 1}) of a multi-epoch fit; TensorFlow threads: "
             f"intra-op {threads[0]}, inter-op {threads[1]} (0: one per core; the matmul rate is measured "
             "with the same threads).", "",
             "| network | way of calling fit | epoch | arithmetic limit | epoch / limit | median epoch / limit |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| {r.network} | {r.way} | {r.epoch_s:.2f} s | {r.limit_s:.2f} s | {r.ratio:.1f}x "
                     f"| {r.median_ratio:.1f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m helpers.benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=55_000, help="images per epoch (default 55,000)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs per fit, the first a warm-up (default 6)")
    parser.add_argument("--only", nargs="*", help="time only networks whose name contains one of these words")
    args = parser.parse_args(argv)
    rate, rows = run(args.images, args.only, epochs=args.epochs)
    print(table(rate, rows, args.images, args.epochs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
