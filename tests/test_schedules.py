"""helpers.schedules: 1cycle against its formula, the LR finder on a problem whose good rate is known."""

import math

import keras
import numpy as np
import pytest

import helpers  # noqa: F401  (quiet TensorFlow first)
from helpers.schedules import (
    SUGGESTION_RULE,
    LearningRateHistory,
    OneCycleSchedule,
    current_learning_rate,
    find_learning_rate,
    steps_from_epochs,
)


def one_cycle_formula(t, peak, total, warmup_fraction=0.3, initial_div=25.0, final_div=1e4):
    t1 = min(max(1, round(warmup_fraction * total)), total - 1)
    start = peak / initial_div
    end = start / final_div
    if t < t1:
        return start + (peak - start) * t / t1
    progress = min((t - t1) / (total - t1), 1.0)
    return end + (peak - end) * (1 + math.cos(math.pi * progress)) / 2


@pytest.mark.parametrize("kwargs", [{}, {"warmup_fraction": 0.25, "initial_div": 10.0, "final_div": 100.0}])
def test_one_cycle_matches_its_formula(kwargs):
    schedule = OneCycleSchedule(0.1, 200, **kwargs)
    for t in (0, 1, 29, 49, 50, 51, 59, 60, 61, 100, 199, 200, 250):
        expected = one_cycle_formula(t, 0.1, 200, **kwargs)
        assert float(schedule(t)) == pytest.approx(expected, rel=1e-5, abs=1e-8), t  # float32


def test_one_cycle_shape_and_landmarks():
    schedule = OneCycleSchedule(0.5, 100)
    values = np.array([float(schedule(t)) for t in range(101)])
    assert values[0] == pytest.approx(0.5 / 25, rel=1e-6)
    assert values.max() == pytest.approx(0.5, rel=1e-6) and int(values.argmax()) == schedule.warmup_steps == 30
    assert values[100] == pytest.approx(0.5 / 25 / 1e4, rel=1e-4)
    assert np.all(np.diff(values[:31]) > 0) and np.all(np.diff(values[30:]) < 0)


def test_one_cycle_config_roundtrip_and_keras_file(tmp_path):
    schedule = OneCycleSchedule(0.01, 50, warmup_fraction=0.2)
    clone = OneCycleSchedule.from_config(schedule.get_config())
    assert [float(clone(t)) for t in (0, 10, 40)] == [float(schedule(t)) for t in (0, 10, 40)]
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 4
    assert current_learning_rate(loaded.optimizer) == pytest.approx(float(schedule(4)), rel=1e-6)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"max_learning_rate": 0.0, "total_steps": 10}, ValueError),
        ({"max_learning_rate": "0.1", "total_steps": 10}, TypeError),
        ({"max_learning_rate": 0.1, "total_steps": 1}, ValueError),
        ({"max_learning_rate": 0.1, "total_steps": 10.0}, TypeError),
        ({"max_learning_rate": 0.1, "total_steps": 10, "warmup_fraction": 1.0}, ValueError),
        ({"max_learning_rate": 0.1, "total_steps": 10, "initial_div": 0.5}, ValueError),
    ],
)
def test_one_cycle_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        OneCycleSchedule(**kwargs)


def test_steps_from_epochs_and_unreachable_boundaries():
    assert steps_from_epochs([2, 4], steps_per_epoch=100, epochs=6) == [200, 400]
    with pytest.raises(ValueError, match="strictly between"):
        steps_from_epochs([5, 10], steps_per_epoch=100, epochs=6)  # epoch 10 never comes
    with pytest.raises(ValueError):
        steps_from_epochs([3, 2], steps_per_epoch=100, epochs=6)
    with pytest.raises(TypeError):
        steps_from_epochs(3, steps_per_epoch=100, epochs=6)
    with pytest.raises(TypeError):
        steps_from_epochs([1], steps_per_epoch=1.5, epochs=6)


def test_current_learning_rate():
    assert current_learning_rate(keras.optimizers.SGD(learning_rate=0.25)) == 0.25
    assert current_learning_rate(keras.optimizers.SGD(learning_rate=OneCycleSchedule(1.0, 10))) == pytest.approx(0.04)
    with pytest.raises(TypeError):
        current_learning_rate("sgd")


def test_learning_rate_history_records_the_rate_each_step_uses():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    history = LearningRateHistory()
    model.fit(np.ones((12, 2)), np.ones((12, 1)), batch_size=2, epochs=2, verbose=0, callbacks=[history])
    assert history.steps == list(range(12))
    np.testing.assert_allclose(history.learning_rates, [0.1 * 0.5 ** (t / 4) for t in range(12)], rtol=1e-6)


def regression_problem(n=2048, features=5, seed=0):
    # MSE on standardized, independent features: the Hessian is about 2 I, so plain gradient descent
    # converges for rates below about 2 / 2 = 1 and diverges above; good rates are ~0.05-0.5.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ rng.normal(size=(features, 1)) + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


def linear_model(optimizer=None):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(learning_rate=0.01), loss="mse")
    return model


def test_finder_suggests_a_good_rate_stops_on_explosion_and_restores_everything():
    x, y = regression_problem()
    model = linear_model(keras.optimizers.SGD(learning_rate=0.01))
    weights = [w.copy() for w in model.get_weights()]
    result = find_learning_rate(model, x, y, start=1e-4, stop=100.0, num_steps=60, batch_size=32)
    assert result.exploded and result.learning_rates[-1] < 100.0  # stopped before the end of the sweep
    assert len(result.losses) == len(result.learning_rates) == len(result.smoothed) < 60
    assert result.rule == SUGGESTION_RULE
    # Stable below a rate of about 1: the suggestion must be a good, stable rate. The smoothed minimum
    # itself lags a little past the stability limit (the moving average is slow to see the blow-up),
    # which is why the rule divides it by 10.
    assert 0.02 <= result.suggestion <= 0.5, result.suggestion
    assert result.best_learning_rate == pytest.approx(10 * result.suggestion)
    assert 0.2 <= result.best_learning_rate <= 5.0
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert current_learning_rate(model.optimizer) == pytest.approx(0.01)


def test_finder_suggestion_trains_well():
    x, y = regression_problem()
    model = linear_model()
    result = find_learning_rate(model, x, y, start=1e-4, stop=100.0, num_steps=60, batch_size=32)
    model.optimizer.learning_rate = result.suggestion
    model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.02  # the noise variance is 0.01


def test_finder_restores_adam_state():
    x, y = regression_problem()
    model = linear_model(keras.optimizers.Adam(learning_rate=0.003))
    model.fit(x[:64], y[:64], batch_size=32, verbose=0)
    weights = [w.copy() for w in model.get_weights()]
    state = [v.numpy().copy() for v in model.optimizer.variables]
    find_learning_rate(model, x, y, start=1e-4, stop=1.0, num_steps=20, batch_size=32)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    for before, variable in zip(state, model.optimizer.variables):
        np.testing.assert_array_equal(before, variable.numpy())
    assert current_learning_rate(model.optimizer) == pytest.approx(0.003)


def test_finder_records_each_batch_loss_not_the_running_mean():
    x, y = regression_problem(n=256)
    model = linear_model()
    w, b = (v.copy() for v in model.get_weights())
    result = find_learning_rate(model, x, y, start=0.01, stop=0.1, num_steps=3, batch_size=32, shuffle=False)
    np.testing.assert_allclose(result.learning_rates, [0.01, 0.01 * 10**0.5, 0.1], rtol=1e-9)
    for k, rate in enumerate(result.learning_rates):  # replay plain gradient descent in NumPy
        xb, yb = x[32 * k : 32 * (k + 1)], y[32 * k : 32 * (k + 1)]
        residual = xb @ w + b - yb
        assert result.losses[k] == pytest.approx(float(np.mean(residual**2)), rel=1e-4)
        w = w - rate * 2 * xb.T @ residual / len(xb)
        b = b - rate * 2 * residual.mean(axis=0)
    assert result.losses[1] != pytest.approx(np.mean(result.losses[:2]), rel=1e-3)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"start": 1.0, "stop": 0.1}, ValueError),
        ({"start": -1.0}, ValueError),
        ({"stop": "10"}, TypeError),
        ({"num_steps": 1000, "batch_size": 32}, ValueError),  # more than one epoch
        ({"num_steps": 2.5}, TypeError),
        ({"smoothing": 1.0}, ValueError),
        ({"explode_factor": 1.0}, ValueError),
    ],
)
def test_finder_rejects_bad_arguments(kwargs, error):
    x, y = regression_problem(n=512)
    with pytest.raises(error):
        find_learning_rate(linear_model(), x, y, **kwargs)


def test_finder_rejects_uncompiled_models_and_schedules():
    x, y = regression_problem(n=512)
    with pytest.raises(TypeError):
        find_learning_rate("model", x, y)
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        find_learning_rate(model, x, y)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=OneCycleSchedule(0.1, 10)), loss="mse")
    with pytest.raises(TypeError, match="schedule"):
        find_learning_rate(model, x, y)
