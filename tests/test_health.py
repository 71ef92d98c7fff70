"""The training-health checklist: broken models get the right warnings, a healthy one none."""

import math

import keras
import numpy as np
import pytest

from helpers import HealthReport, HealthThresholds, set_seeds, training_health


def _mlp(activation, kernel_initializer, bias_initializer="zeros", n_hidden=4, width=64, n_in=50,
         output_initializer="glorot_uniform"):
    layers = [keras.Input(shape=(n_in,))]
    layers += [keras.layers.Dense(width, activation=activation, kernel_initializer=kernel_initializer,
                                  bias_initializer=bias_initializer) for _ in range(n_hidden)]
    layers += [keras.layers.Dense(10, activation="softmax", kernel_initializer=output_initializer)]
    model = keras.Sequential(layers)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return rng.standard_normal((256, 50)).astype("float32"), rng.integers(0, 10, 256)


def test_healthy_he_relu_model_gets_no_warnings(batch):
    set_seeds(0)
    report = training_health(_mlp("relu", "he_normal"), *batch)
    assert isinstance(report, HealthReport) and report.healthy, str(report)
    assert len(report.layers) == 5 and [row.number for row in report.layers] == [1, 2, 3, 4, 5]
    assert all(row.frac_dead < 0.1 for row in report.layers[:4])
    assert math.isnan(report.layers[-1].frac_dead)  # the output layer: gradient only
    assert "all clear" in str(report) and "!" not in str(report)


def test_sigmoid_with_unit_normal_weights_is_saturated(batch):
    set_seeds(0)
    unit_normal = keras.initializers.RandomNormal(stddev=1.0)
    report = training_health(_mlp("sigmoid", unit_normal, output_initializer=unit_normal), *batch)
    text = str(report)
    assert not report.healthy and text.count("\n! ") == len(report.warnings)
    assert all(f"layer {k} (" in text for k in range(1, 5))  # every hidden layer named
    saturated = [w for w in report.warnings if "sigmoid outputs saturated" in w]
    assert len(saturated) == 4, text
    assert report.layers[0].frac_saturated > 0.5
    assert any("confidently wrong" in w for w in report.warnings), text
    assert not any("dead" in w for w in report.warnings)


def test_relu_with_large_negative_biases_is_dead(batch):
    set_seeds(0)
    model = _mlp("relu", "he_normal", bias_initializer=keras.initializers.Constant(-10.0))
    report = training_health(model, *batch)
    dead = [w for w in report.warnings if "of units dead" in w]
    assert dead and dead[0].startswith("layer 1 (")
    first = report.layers[0]
    assert first.frac_dead > 0.5
    assert f"{first.frac_dead:.0%} of units dead" in dead[0]
    assert any("vanishing" in w for w in report.warnings)  # dead layers pass (almost) no gradient


def test_thresholds_can_be_overridden(batch):
    set_seeds(0)
    model = _mlp("relu", "he_normal", bias_initializer=keras.initializers.Constant(-10.0))
    strict = training_health(model, *batch)
    lenient = training_health(model, *batch, thresholds=HealthThresholds(dead=1.0, gradient_spread=1e300,
                                                                          flat_output=1e-300))
    assert not strict.healthy and not any("dead" in w for w in lenient.warnings)


def test_exploding_gradients_are_reported(batch):
    set_seeds(0)
    model = _mlp("relu", keras.initializers.RandomNormal(stddev=1.0))
    report = training_health(model, *batch)
    assert any("exploding" in w for w in report.warnings), str(report)


def test_the_model_is_left_unchanged(batch):
    set_seeds(0)
    model = keras.Sequential([keras.Input(shape=(50,)), keras.layers.Dense(32), keras.layers.BatchNormalization(),
                              keras.layers.Activation("relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    report = training_health(model, *batch)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert [row.name for row in report.layers][2] == model.layers[2].name  # the Activation layer has a row


def test_bad_input_raises(batch):
    x, y = batch
    model = _mlp("relu", "he_normal")
    with pytest.raises(TypeError, match="keras.Model"):
        training_health("not a model", x, y)
    with pytest.raises(ValueError, match="same number"):
        training_health(model, x, y[:10])
    with pytest.raises(ValueError, match="at least 2"):
        training_health(model, x[:1], y[:1])
    with pytest.raises(TypeError, match="array"):
        training_health(model, list(x), y)
    with pytest.raises(TypeError, match="HealthThresholds"):
        training_health(model, x, y, thresholds={"dead": 0.5})
    with pytest.raises(ValueError, match="fraction"):
        HealthThresholds(dead=1.5)
    with pytest.raises(ValueError, match="positive"):
        HealthThresholds(max_gradient_norm=-1.0)
    with pytest.raises(TypeError, match="number"):
        HealthThresholds(saturated="high")
    with pytest.raises(ValueError, match="factor"):
        HealthThresholds(gradient_spread=0.5)
