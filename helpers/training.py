"""Training utilities: restart one compiled model from a seed's initial state.

On a small CPU, tracing a new training step (the first ``fit`` of a freshly compiled model) costs
seconds, often longer than a short run itself, and a comparison over seeds would pay it once per run.
``FreshStart`` compiles once and, before each run, puts back exactly what a fresh build and compile
with that seed would have: the seed's initial weights (drawn by the same ``build`` function), every
other model variable (batch-norm statistics, dropout seed states) and the optimizer's initial
variables (zero moments, step 0, its learning rate). Nothing about the experiment changes, only
the seconds spent tracing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .runtime import set_seeds

__all__ = ["FreshStart"]


class FreshStart:
    """Restart a compiled model from ``build()``'s initial state for a seed, without compiling again.

    ``model`` must be compiled with its optimizer; ``build`` is a function of no arguments that
    returns a new, uncompiled model of the same architecture (it draws the initial weights).
    Create it right after ``compile``: it builds the optimizer and keeps its initial variables.
    ``restart(seed)`` then seeds every generator (``set_seeds(seed)``), calls ``build()`` and copies
    all of that model's variables into ``model``, and resets the optimizer; the next ``fit`` shuffles
    from the seed as a freshly compiled model would. The learning rate is part of the optimizer's
    initial state: change it after calling ``restart``.

    Not for optimizers whose initial state depends on the weights (``ScheduleFreeAdamW`` starts its
    z-sequence at them): ``restart`` refuses them.
    """

    def __init__(self, model: Any, build: Callable[[], Any]) -> None:
        import keras

        if not isinstance(model, keras.Model):
            raise TypeError(f"FreshStart: model must be a keras.Model, got {type(model).__name__}")
        if not callable(build):
            raise TypeError(f"FreshStart: build must be a function returning a model, got {build!r}")
        if getattr(model, "optimizer", None) is None:
            raise ValueError("FreshStart: compile the model (with its optimizer) before creating FreshStart")
        if isinstance(model.optimizer, keras.optimizers.ScheduleFreeAdamW):
            raise ValueError("FreshStart: ScheduleFreeAdamW's initial state depends on the weights; "
                             "compile a new model for each run instead")
        self.model, self.build = model, build
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        self._optimizer_start = [np.array(v.numpy()) for v in model.optimizer.variables]

    def __call__(self, seed: int) -> Any:
        """Put the model back to ``build()``'s state for ``seed``; returns the model."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"FreshStart: seed must be an int, got {seed!r}")
        set_seeds(int(seed))
        return self._take(self.build(), "build() must return")

    def start_from(self, other: Any) -> Any:
        """Put ``other``'s current variables into the compiled model and reset its optimizer; returns the model.

        For a second phase of training that needs another compiled step, such as fine-tuning with
        layers that ``other`` kept frozen now trainable: the same weights and a fresh optimizer, as
        compiling anew would give. It seeds nothing, so the next ``fit`` shuffles as it would have
        after ``other``'s own training.
        """
        import keras

        if not isinstance(other, keras.Model):
            raise TypeError(f"FreshStart.start_from: other must be a keras.Model, got {type(other).__name__}")
        return self._take(other, "start_from: other must be")

    def _take(self, source_model: Any, what: str) -> Any:
        # Copy every variable of source_model into the compiled model, then reset the optimizer.
        target, source = self.model.variables, getattr(source_model, "variables", None)
        if source is None or len(source) != len(target) or any(
            tuple(t.shape) != tuple(s.shape) for t, s in zip(target, source)
        ):
            raise ValueError(f"FreshStart: {what} a model with the same variables (architecture) as the compiled model")
        for t, s in zip(target, source):
            t.assign(s.numpy())
        for variable, value in zip(self.model.optimizer.variables, self._optimizer_start):
            variable.assign(value)
        return self.model
