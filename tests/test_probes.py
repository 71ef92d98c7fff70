"""rel_error, activation statistics and per-layer gradient norms on tiny models."""

import warnings

import keras
import numpy as np
import pytest

from helpers import activation_stats, gradient_norms, rel_error


def test_rel_error_matches_its_definition():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error(0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="shapes"):
        rel_error([1.0, 2.0], [1.0])


def mlp(activation, kernel, bias, units=(5, 4)):
    inputs = keras.Input(shape=(3,))
    x = inputs
    for n in units:
        x = keras.layers.Dense(n, activation=activation, kernel_initializer=kernel, bias_initializer=bias)(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def test_activation_stats_match_a_manual_computation():
    model = mlp("tanh", keras.initializers.RandomNormal(seed=1), "zeros")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning here would show up in every notebook
        stats = activation_stats(model, x)
    assert [s.name for s in stats] == [layer.name for layer in model.layers[1:3]]
    hidden = np.tanh(x @ model.layers[1].kernel.numpy())
    assert stats[0].mean == pytest.approx(hidden.mean(), rel=1e-5)
    assert stats[0].std == pytest.approx(hidden.std(), rel=1e-5)
    assert stats[0].std_across_inputs == pytest.approx(hidden.std(axis=0).mean(), rel=1e-5)
    assert stats[0].frac_saturated == pytest.approx(np.mean(1 - hidden**2 < 0.05))
    assert stats[0].values.shape == (64 * 5,)


def test_activation_stats_work_on_a_sequential_model_grown_with_add():
    model = keras.Sequential([keras.Input(shape=(2, 3)), keras.layers.Flatten()])
    model.add(keras.layers.Dense(4, activation="sigmoid"))
    model.add(keras.layers.Dense(2, activation="softmax"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (stats,) = activation_stats(model, np.ones((5, 2, 3), "float32"))
    assert stats.name == model.layers[1].name and stats.values.shape == (5 * 4,)


def test_activation_stats_flag_dead_and_saturated_units():
    dead = activation_stats(mlp("relu", "zeros", keras.initializers.Constant(-1.0)), np.ones((8, 3)))
    assert all(s.frac_dead == 1.0 for s in dead) and np.isnan(dead[0].frac_saturated)
    assert dead[0].std_across_inputs == 0.0
    saturated = activation_stats(mlp("sigmoid", keras.initializers.Constant(50.0), "zeros"), np.ones((8, 3)))
    assert all(s.frac_saturated == 1.0 for s in saturated) and saturated[0].frac_dead == 0.0


def test_gradient_norms_match_the_analytic_gradient_of_linear_regression():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(1, name="linear")(inputs))
    model.compile(loss="mse")
    w, b = (v.numpy() for v in model.layers[1].weights)
    before = w.copy()
    residual = x @ w + b - y
    expected = np.sqrt(np.sum((2 * x.T @ residual / 32) ** 2) + np.sum((2 * residual.mean(0)) ** 2))
    norms = gradient_norms(model, x, y)
    assert list(norms) == ["linear"]
    assert rel_error(norms["linear"], expected) < 1e-5
    np.testing.assert_array_equal(model.layers[1].kernel.numpy(), before)  # probe changes nothing


def test_gradient_norms_cover_every_trainable_layer_and_accept_a_loss():
    model = mlp("relu", "he_normal", "zeros")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    norms = gradient_norms(model, x, y, loss="mse")
    assert len(norms) == 3 and all(v >= 0 for v in norms.values())


def test_gradient_norms_leave_batch_norm_statistics_alone():
    inputs = keras.Input(shape=(3,))
    x = keras.layers.BatchNormalization()(keras.layers.Dense(4)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    before = [w.numpy().copy() for w in model.non_trainable_weights]
    gradient_norms(model, np.full((8, 3), 5.0, "float32"), np.zeros((8, 1), "float32"), loss="mse")
    for weight, value in zip(model.non_trainable_weights, before):
        np.testing.assert_array_equal(weight.numpy(), value)


def test_activation_stats_in_training_mode_use_batch_statistics_and_change_nothing():
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Activation("relu")(keras.layers.BatchNormalization()(keras.layers.Dense(4)(inputs)))
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    x = np.random.default_rng(0).normal(5.0, 1.0, size=(64, 3)).astype("float32")
    before = [w.numpy().copy() for w in model.non_trainable_weights]
    (training,) = activation_stats(model, x, training=True)
    (inference,) = activation_stats(model, x)
    # Batch statistics standardize the Dense outputs; the untouched moving statistics do not.
    assert training.mean != pytest.approx(inference.mean, rel=1e-3)
    for weight, value in zip(model.non_trainable_weights, before):
        np.testing.assert_array_equal(weight.numpy(), value)
    with pytest.raises(TypeError, match="training"):
        activation_stats(model, x, training="yes")


def test_repeated_probes_run_compiled_and_follow_the_model():
    # The first two calls run eagerly, later ones through a cached tf.function: the same numbers,
    # on the model's current weights and trainable layers, with the moving statistics untouched.
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Activation("relu")(keras.layers.BatchNormalization()(keras.layers.Dense(4)(inputs)))
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    before = [w.numpy().copy() for w in model.non_trainable_weights]
    calls = [gradient_norms(model, x, y, loss="mse") for _ in range(4)]
    stats = [activation_stats(model, x, training=True)[0].std for _ in range(4)]
    for later in calls[1:]:
        assert later.keys() == calls[0].keys()
        assert all(later[k] == pytest.approx(calls[0][k], rel=1e-5) for k in later)
    assert all(later == pytest.approx(stats[0], rel=1e-5) for later in stats[1:])
    for weight, value in zip(model.non_trainable_weights, before):
        np.testing.assert_array_equal(weight.numpy(), value)
    dense = model.layers[1]
    dense.kernel.assign(2 * dense.kernel)  # new weights: the compiled probe must see them
    assert gradient_norms(model, x, y, loss="mse") != calls[0]
    dense.trainable = False  # a frozen layer leaves the report, compiled or not
    assert all(dense.name not in gradient_norms(model, x, y, loss="mse") for _ in range(3))


def test_probes_reject_bad_models():
    with pytest.raises(TypeError):
        activation_stats("model", np.ones((1, 3)))
    with pytest.raises(ValueError, match="loss"):
        gradient_norms(mlp("relu", "zeros", "zeros"), np.ones((1, 3)), np.ones((1, 2)))
    unbuilt = keras.Sequential([keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="keras.Input"):
        activation_stats(unbuilt, np.ones((1, 3)))
    linear = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="activation"):
        activation_stats(linear, np.ones((1, 3)))
