"""RReLU: exact inference output, random slopes in training, arguments, saving and loading."""

import keras
import numpy as np
import pytest

from helpers.layers import RReLU

X = np.array([[-4.0, -1.0, -0.5, 0.0, 0.5, 2.0]], dtype="float32")


def test_inference_uses_the_average_slope_exactly():
    layer = RReLU(lower=0.1, upper=0.3)
    out = np.asarray(layer(X))  # training defaults to False
    expected = np.where(X >= 0, X, 0.2 * X)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert layer.inference_slope == pytest.approx(0.2)
    np.testing.assert_allclose(np.asarray(layer(X, training=False)), expected, rtol=1e-6)


def test_default_slopes_are_those_of_xu_et_al():
    layer = RReLU()
    assert (layer.lower, layer.upper) == pytest.approx((1 / 8, 1 / 3))
    assert layer.inference_slope == pytest.approx((1 / 8 + 1 / 3) / 2)


def test_training_slopes_are_random_and_within_bounds():
    layer = RReLU(lower=0.1, upper=0.3, seed=0)
    z = -np.ones((200, 50), dtype="float32")
    first = -np.asarray(layer(z, training=True))
    second = -np.asarray(layer(z, training=True))
    for slopes in (first, second):
        assert slopes.min() >= 0.1 - 1e-7 and slopes.max() <= 0.3 + 1e-7
        assert slopes.std() > 0.04  # U(0.1, 0.3) has std 0.058; a fixed slope would give 0
        assert abs(slopes.mean() - 0.2) < 0.01
    assert not np.allclose(first, second)  # a new draw at every call
    assert len(np.unique(first)) > 1000  # one slope per element, not one per call


def test_positive_inputs_pass_unchanged_in_both_modes():
    layer = RReLU(seed=1)
    x = np.abs(np.random.default_rng(0).normal(size=(8, 5))).astype("float32")
    for training in (True, False):
        np.testing.assert_array_equal(np.asarray(layer(x, training=training)), x)


def test_lower_equal_upper_is_a_leaky_relu():
    layer = RReLU(lower=0.2, upper=0.2, seed=0)
    expected = np.asarray(keras.layers.LeakyReLU(negative_slope=0.2)(X))
    np.testing.assert_allclose(np.asarray(layer(X, training=True)), expected, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"lower": 0.5, "upper": 0.2}, ValueError, "must not exceed"),
        ({"lower": -0.1}, ValueError, "between 0 and 1"),
        ({"lower": 0.1, "upper": -0.2}, ValueError, "between 0 and 1"),
        ({"upper": 1.5}, ValueError, "between 0 and 1"),
        ({"lower": "0.1"}, TypeError, "real number"),
        ({"upper": True}, TypeError, "real number"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_bad_arguments_raise(kwargs, error, message):
    with pytest.raises(error, match=message):
        RReLU(**kwargs)


def test_config_round_trip():
    layer = RReLU(lower=0.05, upper=0.25, seed=3, name="rrelu")
    clone = RReLU.from_config(layer.get_config())
    assert (clone.lower, clone.upper, clone.seed, clone.name) == (0.05, 0.25, 3, "rrelu")


def test_a_model_with_rrelu_saves_and_loads_as_keras_file(tmp_path):
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(4), RReLU(lower=0.1, upper=0.2)])
    x = np.random.default_rng(0).normal(size=(16, 6)).astype("float32")
    path = tmp_path / "rrelu_model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # no custom_objects: the class is registered
    layer = loaded.layers[-1]
    assert isinstance(layer, RReLU) and (layer.lower, layer.upper) == (0.1, 0.2)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6)


def test_rrelu_trains_inside_fit():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8), RReLU(seed=0), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    history = model.fit(x, x.sum(axis=1), epochs=3, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
