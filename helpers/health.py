"""A training-health checklist: one call that reads a model's vital signs on one batch.

``training_health(model, x, y)`` runs the probes of ``helpers.probes`` (``gradient_norms``
and ``activation_stats``, the ones notebooks 01-03 use) and the loss on the batch, and
returns a ``HealthReport``: one row per layer (gradient norm, dead and saturated fractions,
how much the output still depends on the input) and a list of warnings in plain words,
such as ``"layer 3 (dense_2): 62% of units dead"``. ``print(report)`` shows both, each warning on a line starting with ``!``.

What counts as unhealthy is set by ``HealthThresholds``; every threshold is documented on
the class and can be overridden: ``training_health(model, x, y,
thresholds=HealthThresholds(dead=0.2))``. The thresholds are rules of thumb, not laws:
a warning says where to look, and the notebooks say why.

Use a batch of a few hundred inputs: "dead" means "outputs 0 for every input of the batch",
so a small batch overcounts dead units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from helpers.probes import activation_stats, gradient_norms


@dataclass(frozen=True)
class HealthThresholds:
    """When ``training_health`` warns. Every field can be overridden.

    - ``dead`` (0.10): warn when more than this fraction of a layer's units output 0 for
      every input of the batch (dying ReLUs, notebook 02, section 2).
    - ``saturated`` (0.25): warn when more than this fraction of a sigmoid/tanh layer's
      output values sit where the derivative is below 5% of its maximum (notebook 01).
    - ``gradient_spread`` (1e3): warn when the largest per-layer gradient norm is more than
      this many times the smallest: some layers barely learn (vanishing gradients).
    - ``max_gradient_norm`` (1e3): warn when a layer's gradient norm is above this
      (exploding gradients; a healthy small network has norms of order 1 to 10).
    - ``flat_output`` (1e-3): warn when a layer's units vary by less than this across the
      batch on average (``std_across_inputs``): its output no longer depends on the input.
    - ``uniform_loss_factor`` (1.5): for a softmax output of K classes (trained with a
      cross-entropy loss), warn when the loss is above this multiple of ln K, the loss of a
      uniform guess: the outputs are confidently wrong (typical of too-large initial weights).
    """

    dead: float = 0.10
    saturated: float = 0.25
    gradient_spread: float = 1e3
    max_gradient_norm: float = 1e3
    flat_output: float = 1e-3
    uniform_loss_factor: float = 1.5

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"HealthThresholds: {item.name} must be a number, got {type(value).__name__}")
            if not value > 0 or not math.isfinite(value):
                raise ValueError(f"HealthThresholds: {item.name} must be a positive finite number, got {value!r}")
        for name in ("dead", "saturated"):
            if getattr(self, name) > 1:
                raise ValueError(f"HealthThresholds: {name} is a fraction, expected a value in (0, 1] (1: never warn), "
                                 f"got {getattr(self, name)!r}")
        for name in ("gradient_spread", "uniform_loss_factor"):
            if getattr(self, name) <= 1:
                raise ValueError(f"HealthThresholds: {name} is a factor, expected a value above 1, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class LayerHealth:
    """One layer's vital signs on the batch (NaN where a measure does not apply).

    ``number`` counts the rows of the report from 1; ``gradient_norm`` is the L2 norm of the
    loss gradient over the layer's trainable weights (NaN for a layer without weights);
    ``frac_dead``, ``frac_saturated`` and ``std_across_inputs`` are those of
    ``helpers.probes.LayerStats`` (NaN for a layer without a non-linear activation).
    """

    number: int
    name: str
    activation: str
    gradient_norm: float
    frac_dead: float
    frac_saturated: float
    std_across_inputs: float

    @property
    def label(self) -> str:
        """How warnings name the layer: ``"layer 3 (dense_2)"``."""
        return f"layer {self.number} ({self.name})"


@dataclass(frozen=True)
class HealthReport:
    """What ``training_health`` found: per-layer rows, the batch loss and the warnings."""

    layers: tuple[LayerHealth, ...]
    loss: float
    warnings: tuple[str, ...]
    thresholds: HealthThresholds = field(default_factory=HealthThresholds)

    @property
    def healthy(self) -> bool:
        """True when no threshold was crossed."""
        return not self.warnings

    def __str__(self) -> str:
        def pct(value: float) -> str:
            return "-" if math.isnan(value) else f"{value:.0%}"

        def sci(value: float) -> str:
            return "-" if math.isnan(value) else f"{value:.2g}"

        header = f"{'layer':<28}{'activation':<12}{'grad norm':>10}{'dead':>7}{'saturated':>11}{'std across inputs':>19}"
        lines = [header, "-" * len(header)]
        for row in self.layers:
            lines.append(f"{f'{row.number} {row.name}':<28}{row.activation:<12}{sci(row.gradient_norm):>10}"
                         f"{pct(row.frac_dead):>7}{pct(row.frac_saturated):>11}{sci(row.std_across_inputs):>19}")  # fmt: skip
        lines.append(f"loss on the batch: {self.loss:.4g}")
        if self.warnings:
            lines += [f"! {text}" for text in self.warnings]
        else:
            lines.append("all clear: every vital sign is within its threshold")
        return "\n".join(lines)


def _batch_length(value: Any, what: str) -> int:
    shape = getattr(value, "shape", None)
    if shape is None or len(shape) == 0:
        raise TypeError(f"training_health: {what} must be an array with one row per input, got {type(value).__name__}")
    return int(shape[0])


def _softmax_classes(model: Any) -> int | None:
    last = model.layers[-1]
    if getattr(getattr(last, "activation", None), "__name__", "") != "softmax":
        return None
    units = int(model.outputs[0].shape[-1])
    return units if units > 1 else None


def training_health(
    model: Any,
    x: Any,
    y: Any,
    *,
    loss: Any = None,
    thresholds: HealthThresholds | None = None,
) -> HealthReport:
    """Check a model's gradients, activations and loss on one batch; warn in plain words.

    Args:
        model: a Keras model built with ``keras.Input``; compiled, or give ``loss``.
        x, y: one batch of inputs and targets (a few hundred inputs; at least 2).
        loss: the loss to differentiate (default: the compiled model's loss).
        thresholds: when to warn (``HealthThresholds``; the defaults are documented there).

    The model is left exactly as it was (weights and batch-normalization statistics).
    Gradients are taken in training mode, as ``fit()`` does, and activations and the loss
    in inference mode. Returns a ``HealthReport``; ``print()`` it.
    """
    import keras

    if thresholds is None:
        thresholds = HealthThresholds()
    if not isinstance(thresholds, HealthThresholds):
        raise TypeError(f"training_health: thresholds must be a HealthThresholds, got {type(thresholds).__name__}")
    if not isinstance(model, keras.Model):
        raise TypeError(f"training_health: expected a keras.Model, got {type(model).__name__}")
    n_x, n_y = _batch_length(x, "x"), _batch_length(y, "y")
    if n_x != n_y:
        raise ValueError(f"training_health: x and y must hold the same number of inputs, got {n_x} and {n_y}")
    if n_x < 2:
        raise ValueError(f"training_health: expected a batch of at least 2 inputs (a few hundred is better), got {n_x}")

    norms = gradient_norms(model, x, y, loss=loss)
    try:
        stats = {s.name: s for s in activation_stats(model, x)}
    except ValueError:  # no hidden layer with an activation: only gradients to report
        stats = {}
    loss_fn = keras.losses.get(loss) if loss is not None else model.loss
    if isinstance(loss_fn, str):
        loss_fn = keras.losses.get(loss_fn)
    batch_loss = float(keras.ops.mean(loss_fn(y, model(x, training=False))))

    nan = float("nan")
    rows: list[LayerHealth] = []
    for layer in model.layers:
        if layer.name not in norms and layer.name not in stats:
            continue
        s = stats.get(layer.name)
        rows.append(LayerHealth(
            number=len(rows) + 1, name=layer.name,
            activation=s.activation if s else getattr(getattr(layer, "activation", None), "__name__", "-"),
            gradient_norm=norms.get(layer.name, nan),
            frac_dead=s.frac_dead if s else nan,
            frac_saturated=s.frac_saturated if s else nan,
            std_across_inputs=s.std_across_inputs if s else nan,
        ))  # fmt: skip
    return HealthReport(tuple(rows), batch_loss, tuple(_warnings(rows, batch_loss, model, thresholds)), thresholds)


def _warnings(rows: Sequence[LayerHealth], batch_loss: float, model: Any, t: HealthThresholds) -> list[str]:
    found = []
    if not math.isfinite(batch_loss):
        found.append(f"the loss is {batch_loss}: training has diverged or the inputs hold NaN/inf")
    classes = _softmax_classes(model)
    if classes and math.isfinite(batch_loss) and batch_loss > t.uniform_loss_factor * math.log(classes):
        found.append(f"loss {batch_loss:.3g} is above {t.uniform_loss_factor:g} x ln {classes} = "
                     f"{t.uniform_loss_factor * math.log(classes):.3g} (a uniform guess scores ln {classes} = "
                     f"{math.log(classes):.3g}): the outputs are confidently wrong; check the initial weights")  # fmt: skip
    for row in rows:
        if row.frac_dead > t.dead:
            found.append(f"{row.label}: {row.frac_dead:.0%} of units dead (output 0 for every input of the batch)")
        if row.frac_saturated > t.saturated:
            found.append(f"{row.label}: {row.frac_saturated:.0%} of {row.activation} outputs saturated "
                         "(derivative below 5% of its maximum)")
        if not math.isnan(row.std_across_inputs) and row.std_across_inputs < t.flat_output:
            found.append(f"{row.label}: output barely depends on the input (units vary by "
                         f"{row.std_across_inputs:.2g} across the batch)")
        if not math.isnan(row.gradient_norm) and not math.isfinite(row.gradient_norm):
            found.append(f"{row.label}: gradient norm is {row.gradient_norm} (diverged)")
        elif row.gradient_norm > t.max_gradient_norm:
            found.append(f"{row.label}: gradient norm {row.gradient_norm:.2g} is above {t.max_gradient_norm:g} "
                         "(exploding gradients)")
    graded = [row for row in rows if math.isfinite(row.gradient_norm)]
    if len(graded) >= 2:
        low = min(graded, key=lambda row: row.gradient_norm)
        high = max(graded, key=lambda row: row.gradient_norm)
        if low.gradient_norm == 0 or high.gradient_norm / low.gradient_norm > t.gradient_spread:
            spread = math.inf if low.gradient_norm == 0 else high.gradient_norm / low.gradient_norm
            found.append(f"gradient norms span a factor {spread:.2g} (above {t.gradient_spread:g}): {low.label} gets "
                         f"{low.gradient_norm:.2g}, {high.label} {high.gradient_norm:.2g}; the layers with the smallest "
                         "gradients barely learn (vanishing gradients)")  # fmt: skip
    return found


__all__ = ["HealthReport", "HealthThresholds", "LayerHealth", "training_health"]
