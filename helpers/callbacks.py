"""Callbacks Keras lacks: watch what happens inside a network while ``fit()`` trains it.

``ProbeHistory`` runs the probes of ``helpers.probes`` on one fixed batch every few
training steps, so a notebook can plot how per-layer gradient norms and activation
spreads drift during training, not only at initialization.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from helpers.probes import activation_stats, gradient_norms

QUANTITIES = ("grad_norms", "act_stds")


class ProbeHistory(keras.callbacks.Callback):
    """Record per-layer gradient norms and activation spreads on a fixed batch during ``fit()``.

    Before the first training step, and then after every ``every`` steps (counted across
    epochs), the callback measures on the batch ``(x, y)``:

    - ``grad_norms``: ``gradient_norms(model, x, y, loss)``, one L2 norm per layer with weights;
    - ``act_stds``: the standard deviation of each hidden layer's activations
      (``activation_stats``, inference mode), unless ``activations=False``.

    The batch never changes, so differences between records come from the weights alone,
    and probing never changes the model being trained (``gradient_norms`` restores the
    moving statistics that batch normalization updates in training mode).

    After ``fit()``: ``steps`` (the step of each record, 0 = before training) and the
    lists ``grad_norms`` and ``act_stds`` of dicts (layer name -> value).
    ``as_array(quantity)`` stacks one of them into an array of shape (records, layers).
    """

    def __init__(self, x: Any, y: Any, every: int = 50, loss: Any = None, activations: bool = True) -> None:
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"ProbeHistory: every must be a positive int (steps), got {every!r}")
        if not isinstance(activations, bool):
            raise TypeError(f"ProbeHistory: activations must be True or False, got {activations!r}")
        x, y = np.asarray(x), np.asarray(y)
        if len(x) == 0 or len(x) != len(y):
            raise ValueError(
                f"ProbeHistory: x and y must be non-empty with the same length, got {len(x)} and {len(y)}"
            )
        self.x, self.y, self.every, self.loss, self.activations = x, y, every, loss, activations
        self.steps: list[int] = []
        self.grad_norms: list[dict[str, float]] = []
        self.act_stds: list[dict[str, float]] = []
        self._step = 0

    def _record(self) -> None:
        norms = gradient_norms(self.model, self.x, self.y, loss=self.loss)
        self.steps.append(self._step)
        self.grad_norms.append(norms)
        if self.activations:
            self.act_stds.append({s.name: s.std for s in activation_stats(self.model, self.x)})

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Start a new history and take the first record, before any weight changes."""
        self.steps, self.grad_norms, self.act_stds, self._step = [], [], [], 0
        self._record()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Count the step and record every ``every`` steps."""
        self._step += 1
        if self._step % self.every == 0:
            self._record()

    def as_array(self, quantity: str) -> np.ndarray:
        """Return ``grad_norms`` or ``act_stds`` as an array of shape (records, layers).

        Columns follow the layer order of the model (layer 1 = nearest the input).
        """
        if quantity not in QUANTITIES:
            raise ValueError(f"ProbeHistory.as_array: quantity must be one of {QUANTITIES}, got {quantity!r}")
        records = getattr(self, quantity)
        if not records:
            raise ValueError(f"ProbeHistory.as_array: no {quantity} recorded (run fit() first)")
        return np.array([list(record.values()) for record in records], dtype=float)
