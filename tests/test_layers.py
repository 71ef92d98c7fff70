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


# MCDropout: dropout that stays on at inference.
from helpers.layers import MCDropout  # noqa: E402


def test_mc_dropout_is_active_at_inference():
    layer = MCDropout(rate=0.5, seed=0)
    x = np.ones((50, 40), dtype="float32")
    for out in (layer(x), layer(x, training=False), layer(x, training=True)):
        values = np.asarray(out)
        assert set(np.unique(values)) == {0.0, 2.0}  # dropped, or kept and scaled by 1 / (1 - 0.5)
    assert not np.array_equal(np.asarray(layer(x)), np.asarray(layer(x)))  # a new mask at every call
    plain = keras.layers.Dropout(rate=0.5, seed=0)
    np.testing.assert_array_equal(np.asarray(plain(x)), x)  # the plain layer is the identity at inference


def test_mc_dropout_inside_predict_gives_different_predictions():
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(16), MCDropout(0.3, seed=1), keras.layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    assert not np.allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_mc_dropout_rate_zero_is_the_identity():
    x = np.random.default_rng(0).normal(size=(20, 7)).astype("float32")
    np.testing.assert_array_equal(np.asarray(MCDropout(rate=0.0)(x)), x)


def test_mc_dropout_preserves_the_expected_value():
    layer = MCDropout(rate=0.3, seed=2)
    x = np.full((1000, 1000), 1.5, dtype="float32")
    out = np.asarray(layer(x))
    assert abs(out.mean() - 1.5) < 0.01  # inverted dropout: E[out] = x
    assert abs(np.mean(out == 0) - 0.3) < 0.005  # about 30% of the units dropped
    np.testing.assert_allclose(out[out != 0], 1.5 / 0.7, rtol=1e-6)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_mc_dropout_bad_rate_raises_value_error(rate):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        MCDropout(rate=rate)


@pytest.mark.parametrize("kwargs", [{"rate": "0.5"}, {"rate": True}, {"rate": 0.2, "seed": 1.5}])
def test_mc_dropout_bad_types_raise_type_error(kwargs):
    with pytest.raises(TypeError, match="MCDropout"):
        MCDropout(**kwargs)


def test_mc_dropout_config_round_trip():
    layer = MCDropout(rate=0.25, seed=7, name="mc")
    clone = MCDropout.from_config(layer.get_config())
    assert isinstance(clone, MCDropout)
    assert (clone.rate, clone.seed, clone.name) == (0.25, 7, "mc")


def test_a_model_with_mc_dropout_saves_and_loads_as_keras_file(tmp_path):
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(4), MCDropout(rate=0.2, seed=3), keras.layers.Dense(3)])
    path = tmp_path / "mc_dropout_model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # no custom_objects: the class is registered
    layer = loaded.layers[1]
    assert type(layer) is MCDropout and layer.rate == 0.2
    for original, restored in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(original, restored)
    x = np.random.default_rng(0).normal(size=(16, 6)).astype("float32")
    assert not np.allclose(np.asarray(loaded(x)), np.asarray(loaded(x)))  # still stochastic after loading
