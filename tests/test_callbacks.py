"""ProbeHistory records per-layer probes during fit() on tiny models, and changes nothing."""

import keras
import numpy as np
import pytest

from helpers import activation_stats, gradient_norms, rel_error, set_seeds
from helpers.callbacks import ProbeHistory


def tiny_model(batch_norm=False):
    set_seeds(0)
    layers = [keras.Input(shape=(4,)), keras.layers.Dense(6, activation="tanh", name="hidden")]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization(name="bn"))
    layers.append(keras.layers.Dense(3, activation="softmax", name="out"))
    model = keras.Sequential(layers)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    return model


def tiny_data(n=40):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, n)


def test_records_before_training_and_every_n_steps_across_epochs():
    model = tiny_model()
    x, y = tiny_data()
    before_norms = gradient_norms(model, x[:8], y[:8])
    before_std = activation_stats(model, x[:8])[0].std
    probe = ProbeHistory(x[:8], y[:8], every=3)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[probe])  # 5 steps per epoch
    assert probe.steps == [0, 3, 6, 9]
    assert list(probe.grad_norms[0]) == ["hidden", "out"]
    assert rel_error(list(probe.grad_norms[0].values()), list(before_norms.values())) < 1e-5
    assert rel_error(probe.act_stds[0]["hidden"], before_std) < 1e-5
    assert probe.grad_norms[-1] != probe.grad_norms[0]  # the weights did change
    assert probe.as_array("grad_norms").shape == (4, 2)
    assert probe.as_array("act_stds").shape == (4, 1)


def test_a_new_fit_starts_a_new_history_and_activations_can_be_skipped():
    model = tiny_model()
    x, y = tiny_data()
    probe = ProbeHistory(x[:8], y[:8], every=5, activations=False)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    assert probe.steps == [0, 5] and probe.act_stds == []
    with pytest.raises(ValueError, match="no act_stds"):
        probe.as_array("act_stds")


def test_probing_leaves_batch_norm_statistics_untouched():
    x, y = tiny_data()
    plain, probed = tiny_model(batch_norm=True), tiny_model(batch_norm=True)
    plain.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    probe = ProbeHistory(x[:8], y[:8], every=1)
    probed.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False, callbacks=[probe])
    for a, b in zip(plain.get_weights(), probed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_bad_arguments_are_rejected():
    x, y = tiny_data()
    for every in (0, 2.5, True):
        with pytest.raises(ValueError, match="every"):
            ProbeHistory(x, y, every=every)
    with pytest.raises(ValueError, match="same length"):
        ProbeHistory(x, y[:-1])
    with pytest.raises(TypeError, match="activations"):
        ProbeHistory(x, y, activations="yes")
    with pytest.raises(ValueError, match="quantity"):
        ProbeHistory(x, y).as_array("weights")
