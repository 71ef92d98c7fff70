"""Learning-rate tools Keras lacks: the 1cycle schedule, an LR finder, and the rate actually used.

- ``OneCycleSchedule``: Smith's 1cycle policy as a ``keras.optimizers.schedules.LearningRateSchedule``
  (a linear warmup to a peak, then a cosine anneal to a very small rate), saved with ``.keras`` files;
- ``find_learning_rate``: an exponential learning-rate sweep over at most one epoch that records
  the loss of every batch (not Keras' running mean), stops when the loss explodes, puts the weights
  and the optimizer state back, and suggests a rate by a stated rule (``LRFinderResult``);
- ``LearningRateHistory``: a callback that records the learning rate each step of ``fit()`` used;
- ``steps_from_epochs``: piecewise-constant boundaries in steps, from epochs, checked to be reached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

SUGGESTION_RULE = "the rate at the minimum of the smoothed loss, divided by 10"


def _positive_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a finite number > 0, got {value!r}")
    return float(value)


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{what} must be >= 1, got {value}")
    return int(value)


@keras.saving.register_keras_serializable(package="helpers")
class OneCycleSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Smith's 1cycle learning rate: up linearly to a peak, then a cosine anneal far below the start.

    With peak $\\eta_{max}$ = ``max_learning_rate``, $T$ = ``total_steps``, $T_1$ =
    ``round(warmup_fraction * T)``, $\\eta_0 = \\eta_{max}$ / ``initial_div`` and
    $\\eta_{end} = \\eta_0$ / ``final_div``, the rate at step $t$ is

    - $\\eta_0 + (\\eta_{max} - \\eta_0)\\, t / T_1$ for $t < T_1$ (linear warmup; fastai and PyTorch's
      default use a cosine here too);
    - $\\eta_{end} + (\\eta_{max} - \\eta_{end})\\,(1 + \\cos(\\pi (t - T_1)/(T - T_1)))/2$ for
      $T_1 \\le t \\le T$ (cosine anneal, as fastai and PyTorch's ``OneCycleLR`` do; Smith's paper
      used a linear descent and a final linear "annihilation");
    - $\\eta_{end}$ after $T$.

    The defaults (30% warmup, start at peak/25, end at start/10^4) are PyTorch's; its phases end
    one step earlier than these.
    """

    def __init__(
        self,
        max_learning_rate: float,
        total_steps: int,
        warmup_fraction: float = 0.3,
        initial_div: float = 25.0,
        final_div: float = 1e4,
        name: str = "OneCycleSchedule",
    ) -> None:
        super().__init__()
        self.max_learning_rate = _positive_number(max_learning_rate, "OneCycleSchedule: max_learning_rate")
        self.total_steps = _positive_int(total_steps, "OneCycleSchedule: total_steps")
        if self.total_steps < 2:
            raise ValueError(f"OneCycleSchedule: total_steps must be >= 2, got {total_steps}")
        if isinstance(warmup_fraction, bool) or not isinstance(warmup_fraction, (int, float)):
            raise TypeError(f"OneCycleSchedule: warmup_fraction must be a number, got {type(warmup_fraction).__name__}")
        if not 0 < warmup_fraction < 1:
            raise ValueError(f"OneCycleSchedule: warmup_fraction must be strictly between 0 and 1, got {warmup_fraction}")
        self.warmup_fraction = float(warmup_fraction)
        self.initial_div = _positive_number(initial_div, "OneCycleSchedule: initial_div")
        self.final_div = _positive_number(final_div, "OneCycleSchedule: final_div")
        if self.initial_div < 1 or self.final_div < 1:
            raise ValueError("OneCycleSchedule: initial_div and final_div must be >= 1 (the peak is the largest rate)")
        self.name = name
        self.warmup_steps = min(max(1, round(self.warmup_fraction * self.total_steps)), self.total_steps - 1)
        self.initial_learning_rate = self.max_learning_rate / self.initial_div
        self.final_learning_rate = self.initial_learning_rate / self.final_div

    def __call__(self, step: Any) -> Any:
        """The learning rate at ``step`` (a scalar tensor or number), as a float32 tensor."""
        t = keras.ops.cast(step, "float32")
        peak, start, end = self.max_learning_rate, self.initial_learning_rate, self.final_learning_rate
        t1, total = float(self.warmup_steps), float(self.total_steps)
        warmup = start + (peak - start) * t / t1
        progress = keras.ops.clip((t - t1) / (total - t1), 0.0, 1.0)
        anneal = end + (peak - end) * 0.5 * (1.0 + keras.ops.cos(math.pi * progress))
        return keras.ops.where(t < t1, warmup, anneal)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, so that ``.keras`` files can rebuild the schedule."""
        return {
            "max_learning_rate": self.max_learning_rate,
            "total_steps": self.total_steps,
            "warmup_fraction": self.warmup_fraction,
            "initial_div": self.initial_div,
            "final_div": self.final_div,
            "name": self.name,
        }


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The rate ``optimizer`` uses at its next step, as a float (a schedule is evaluated at its step)."""
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"current_learning_rate: expected a keras optimizer, got {type(optimizer).__name__}")
    return float(optimizer.learning_rate.numpy())  # a Variable, or a tensor from a schedule


class LearningRateHistory(keras.callbacks.Callback):
    """Record the learning rate the optimizer uses, with the step it is used at, during ``fit()``.

    At the start of each batch callback the optimizer's iteration count $t$ is the index of the
    next training step, and ``optimizer.learning_rate`` is the rate that step uses (a schedule
    object is evaluated at $t$; a ``LearningRateScheduler`` or ``ReduceLROnPlateau`` has already
    set the variable). With ``steps_per_execution=k`` Keras calls batch callbacks once per
    ``k`` steps, so one record is taken per ``k`` steps. After ``fit()``: ``steps`` and
    ``learning_rates`` (lists of the same length, over every ``fit()`` call).
    """

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[int] = []
        self.learning_rates: list[float] = []

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Record (iteration count, learning rate) before the step(s) run."""
        optimizer = self.model.optimizer
        self.steps.append(int(optimizer.iterations.numpy()))
        self.learning_rates.append(current_learning_rate(optimizer))


def steps_from_epochs(epoch_boundaries: Sequence[int], steps_per_epoch: int, epochs: int) -> list[int]:
    """Boundaries in steps for ``PiecewiseConstantDecay``, from boundaries in epochs.

    ``PiecewiseConstantDecay`` counts optimizer steps, not epochs: a boundary written as "epoch 5"
    must be ``5 * steps_per_epoch``. Each boundary must fall strictly inside training
    (``0 < epoch < epochs``, increasing), or the rate after it would never be used: that
    raises ``ValueError`` rather than silently training at one rate.
    """
    steps_per_epoch = _positive_int(steps_per_epoch, "steps_from_epochs: steps_per_epoch")
    epochs = _positive_int(epochs, "steps_from_epochs: epochs")
    if isinstance(epoch_boundaries, (str, bytes)) or not isinstance(epoch_boundaries, Sequence):
        raise TypeError(f"steps_from_epochs: epoch_boundaries must be a sequence of ints, got {epoch_boundaries!r}")
    bounds = [_positive_int(b, "steps_from_epochs: each boundary") for b in epoch_boundaries]
    if not bounds or any(b >= epochs for b in bounds) or any(a >= b for a, b in zip(bounds, bounds[1:])):
        raise ValueError(
            f"steps_from_epochs: boundaries must be increasing epochs strictly between 0 and {epochs} "
            f"(training ends before a later one is reached), got {list(epoch_boundaries)}"
        )
    return [b * steps_per_epoch for b in bounds]


@dataclass(frozen=True)
class LRFinderResult:
    """What ``find_learning_rate`` measured: one entry per training step it took."""

    learning_rates: np.ndarray  # the rate used at each step
    losses: np.ndarray  # the loss of each batch, at the weights before that step
    smoothed: np.ndarray  # debiased exponential moving average of ``losses``
    suggestion: float  # by ``rule``
    exploded: bool  # True when the sweep stopped because the loss exploded
    rule: str = SUGGESTION_RULE

    @property
    def best_learning_rate(self) -> float:
        """The rate at the minimum of the smoothed loss (the suggestion is 10 times smaller)."""
        return float(self.learning_rates[int(np.argmin(self.smoothed))])


def find_learning_rate(
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    start: float = 1e-6,
    stop: float = 10.0,
    num_steps: int = 100,
    batch_size: int = 32,
    smoothing: float = 0.9,
    explode_factor: float = 4.0,
    shuffle: bool = True,
    seed: int = 0,
) -> LRFinderResult:
    """Smith's LR range test: raise the rate exponentially batch by batch, watch the loss.

    Step $k$ (of ``num_steps``, at most one epoch of ``x``) trains on one batch with rate
    $\\eta_k = \\eta_{start}\\,(\\eta_{stop}/\\eta_{start})^{k/(n-1)}$ and records that batch's loss
    (computed in the same forward pass, before the update), not the running mean Keras
    reports in ``logs``. The sweep stops early when the loss is not finite or the smoothed
    loss exceeds ``explode_factor`` times its minimum so far. Afterwards the model's weights and
    the optimizer's variables (iteration count, moments, learning rate) are exactly what they
    were. The suggestion is {rule}.

    ``model`` must be compiled with an optimizer whose learning rate is a number (not a
    schedule); the optimizer is built first if it was not.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"find_learning_rate: model must be a keras.Model, got {type(model).__name__}")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(model, "compiled", False):
        raise ValueError("find_learning_rate: compile the model (with an optimizer and a loss) first")
    if isinstance(optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise TypeError("find_learning_rate: the optimizer's learning rate must be a number, not a schedule")
    start = _positive_number(start, "find_learning_rate: start")
    stop = _positive_number(stop, "find_learning_rate: stop")
    if stop <= start:
        raise ValueError(f"find_learning_rate: stop must exceed start, got start={start}, stop={stop}")
    num_steps = _positive_int(num_steps, "find_learning_rate: num_steps")
    batch_size = _positive_int(batch_size, "find_learning_rate: batch_size")
    if num_steps < 2:
        raise ValueError("find_learning_rate: num_steps must be >= 2")
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or not 0 <= smoothing < 1:
        raise ValueError(f"find_learning_rate: smoothing must be a number in [0, 1), got {smoothing!r}")
    explode_factor = _positive_number(explode_factor, "find_learning_rate: explode_factor")
    if explode_factor <= 1:
        raise ValueError(f"find_learning_rate: explode_factor must exceed 1, got {explode_factor}")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"find_learning_rate: x and y must have the same length, got {len(x)} and {len(y)}")
    if num_steps * batch_size > len(x):
        raise ValueError(
            f"find_learning_rate: num_steps * batch_size ({num_steps * batch_size}) exceeds one epoch "
            f"of x ({len(x)} examples): use fewer steps or a smaller batch"
        )

    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    saved_weights = [v.numpy() for v in model.variables]
    saved_optimizer = [v.numpy() for v in optimizer.variables]
    order = np.random.default_rng(seed).permutation(len(x)) if shuffle else np.arange(len(x))
    rates = start * (stop / start) ** (np.arange(num_steps) / (num_steps - 1))

    @tf.function(reduce_retracing=True)
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            y_pred = model(xb, training=True)
            loss = model.compute_loss(x=xb, y=yb, y_pred=y_pred, training=True)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    losses, smoothed, used = [], [], []
    average, exploded = 0.0, False
    try:
        for k, rate in enumerate(rates):
            optimizer.learning_rate = float(rate)
            batch = order[k * batch_size : (k + 1) * batch_size]
            loss = float(train_step(tf.constant(x[batch]), tf.constant(y[batch])))
            used.append(rate)
            losses.append(loss)
            if not math.isfinite(loss):
                smoothed.append(math.inf)
                exploded = True
                break
            average = smoothing * average + (1 - smoothing) * loss
            smoothed.append(average / (1 - smoothing ** (k + 1)))
            if smoothed[-1] > explode_factor * min(smoothed):
                exploded = True
                break
    finally:
        for variable, value in zip(model.variables, saved_weights):
            variable.assign(value)
        for variable, value in zip(optimizer.variables, saved_optimizer):
            variable.assign(value)

    smoothed_array = np.array(smoothed)
    best = int(np.argmin(smoothed_array))
    return LRFinderResult(
        learning_rates=np.array(used), losses=np.array(losses), smoothed=smoothed_array,
        suggestion=float(used[best] / 10), exploded=exploded,
    )  # fmt: skip


find_learning_rate.__doc__ = (find_learning_rate.__doc__ or "").replace("{rule}", SUGGESTION_RULE)
