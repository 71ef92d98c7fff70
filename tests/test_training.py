"""Tests of helpers.training.FreshStart: a restarted model trains exactly as a freshly compiled one."""

import keras
import numpy as np
import pytest

from helpers import set_seeds
from helpers.training import FreshStart


def build():
    return keras.Sequential([
        keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.3),
        keras.layers.BatchNormalization(), keras.layers.Dense(3, activation="softmax"),
    ])


def compiled(optimizer=None):
    model = build()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer or keras.optimizers.Adam(0.01),
                  steps_per_execution=4)
    return model


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(128, 8)).astype("float32"), rng.integers(0, 3, 128)


def fresh_losses(seed, X, y):
    set_seeds(seed)
    return compiled().fit(X, y, epochs=2, batch_size=32, verbose=0).history["loss"]


def test_restart_matches_a_freshly_compiled_model(data):
    X, y = data
    model = compiled()
    restart = FreshStart(model, build)
    for seed in (1, 2, 1):  # back to seed 1 after training on seed 2: nothing leaks between runs
        restart(seed)
        losses = model.fit(X, y, epochs=2, batch_size=32, verbose=0).history["loss"]
        np.testing.assert_allclose(losses, fresh_losses(seed, X, y), rtol=0, atol=1e-6)


def test_restart_resets_optimizer_and_statistics(data):
    X, y = data
    model = compiled()
    restart = FreshStart(model, build)
    model.fit(X, y, epochs=1, batch_size=32, verbose=0)
    assert int(model.optimizer.iterations.numpy()) > 0
    restart(3)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert all(not np.any(v.numpy()) for v in model.optimizer.variables if "momentum" in v.path or "velocity" in v.path)
    set_seeds(3)
    reference = build()
    for got, want in zip(model.get_weights(), reference.get_weights()):  # includes BN's moving statistics
        np.testing.assert_array_equal(got, want)


def test_bad_arguments():
    with pytest.raises(TypeError, match="keras.Model"):
        FreshStart("model", build)
    with pytest.raises(ValueError, match="compile"):
        FreshStart(build(), build)
    with pytest.raises(TypeError, match="function"):
        FreshStart(compiled(), 3)
    with pytest.raises(ValueError, match="ScheduleFreeAdamW"):
        FreshStart(compiled(keras.optimizers.ScheduleFreeAdamW(learning_rate=1e-3)), build)
    restart = FreshStart(compiled(), build)
    with pytest.raises(TypeError, match="int"):
        restart(1.5)
    other = FreshStart(compiled(), lambda: keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3)]))
    with pytest.raises(ValueError, match="same variables"):
        other(0)


def two_phase_build():
    # A first layer that the first phase keeps frozen, as transfer learning does with reused layers.
    model = build()
    model.layers[0].trainable = False
    return model


def phase_compile(model):
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01), steps_per_execution=4)
    return model


def test_start_from_continues_exactly_as_compiling_anew(data):
    X, y = data
    # The lesson's way: freeze, compile, fit; unfreeze, compile again, fit.
    set_seeds(3)
    model = phase_compile(two_phase_build())
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    for layer in model.layers:
        layer.trainable = True
    expected = phase_compile(model).fit(X, y, epochs=2, batch_size=32, verbose=0).history["loss"]
    expected_weights = model.get_weights()
    # The fast way: one compiled model per phase, made once and restarted for each run.
    head = FreshStart(phase_compile(two_phase_build()), two_phase_build)
    everything = phase_compile(build())
    fine = FreshStart(everything, build)
    for _ in range(2):  # a second run must not see anything of the first
        first = head(3)
        first.fit(X, y, epochs=2, batch_size=32, verbose=0)
        second = fine.start_from(first)
        assert second is everything
        assert all(np.array_equal(a, b) for a, b in zip(second.get_weights(), first.get_weights()))
        losses = second.fit(X, y, epochs=2, batch_size=32, verbose=0).history["loss"]
        assert losses == expected
        assert all(np.array_equal(a, b) for a, b in zip(second.get_weights(), expected_weights))


def test_start_from_refuses_other_architectures_and_non_models():
    fine = FreshStart(compiled(), build)
    with pytest.raises(TypeError, match="keras.Model"):
        fine.start_from("model")
    with pytest.raises(ValueError, match="same variables"):
        fine.start_from(keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3)]))
