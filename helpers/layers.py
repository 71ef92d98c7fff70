"""Layers Keras lacks that the notebooks teach with.

``RReLU`` is the randomized leaky ReLU of Xu et al. (2015): a leaky ReLU whose negative
slope is drawn at random for every element while training and fixed at its average at
inference. It is registered with Keras, so a model that uses it saves and loads as a
``.keras`` file without ``custom_objects``.

``MCDropout`` is a ``Dropout`` that stays active at inference (Monte Carlo dropout, Gal and
Ghahramani, 2016), registered the same way.
"""

from __future__ import annotations

import numbers
from typing import Any

import keras


def _check_slope(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"RReLU: {name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"RReLU: {name} must be between 0 and 1, got {value}")
    return value


@keras.saving.register_keras_serializable(package="helpers")
class RReLU(keras.layers.Layer):
    """Randomized leaky ReLU: ``x`` for ``x >= 0``, ``slope * x`` for ``x < 0``.

    While training (``training=True``, as in ``fit``) each element gets its own slope drawn
    from U(``lower``, ``upper``), a new draw at every call. At inference the slope is the
    average ``(lower + upper) / 2``, so the output equals the *expected* training output.
    The defaults 1/8 and 1/3 are those of Xu et al. (2015), who draw a divisor in [3, 8];
    like PyTorch's ``RReLU`` we draw the slope itself, whose average is then exactly the
    inference slope. The layer has no weights.

    Args:
        lower: smallest slope, in [0, 1].
        upper: largest slope, in [lower, 1].
        seed: seed of the layer's random generator (None: a random one).
    """

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.lower = _check_slope("lower", lower)
        self.upper = _check_slope("upper", upper)
        if self.lower > self.upper:
            raise ValueError(f"RReLU: lower ({self.lower}) must not exceed upper ({self.upper})")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"RReLU: seed must be an int or None, got {type(seed).__name__}")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    @property
    def inference_slope(self) -> float:
        """The fixed negative slope used at inference, ``(lower + upper) / 2``."""
        return (self.lower + self.upper) / 2

    def call(self, inputs: Any, training: bool = False) -> Any:
        if training:
            slope = keras.random.uniform(
                keras.ops.shape(inputs), minval=self.lower, maxval=self.upper,
                dtype=inputs.dtype, seed=self.seed_generator,
            )  # fmt: skip
        else:
            slope = keras.ops.cast(self.inference_slope, inputs.dtype)
        return keras.ops.where(inputs >= 0, inputs, slope * inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "lower": self.lower, "upper": self.upper, "seed": self.seed}


@keras.saving.register_keras_serializable(package="helpers")
class MCDropout(keras.layers.Dropout):
    """Dropout that stays active at inference: Monte Carlo dropout (Gal and Ghahramani, 2016).

    ``keras.layers.Dropout`` only drops units while training; this subclass drops them at
    every call, whatever ``training`` says, so ``model.predict`` or ``model(x)`` returns a
    new random prediction each time and many calls sample the model's predictive
    distribution. It is inverted dropout like its parent: a unit is kept with probability
    ``1 - rate`` and scaled by ``1 / (1 - rate)``, so the expected output equals the input.
    With ``rate=0`` it is the identity. It has no weights, so the weights of a model
    trained with ``Dropout`` load unchanged into the same model built with ``MCDropout``.
    It is registered with Keras, so a ``.keras`` file that uses it loads without
    ``custom_objects``.

    Args:
        rate: fraction of the units to drop, in [0, 1).
        noise_shape, seed: as for ``keras.layers.Dropout``.
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any):
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"MCDropout: rate must be a real number in [0, 1), got {type(rate).__name__}")
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"MCDropout: rate must be in [0, 1) (1 would drop every unit), got {rate}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"MCDropout: seed must be an int or None, got {type(seed).__name__}")
        super().__init__(float(rate), noise_shape=noise_shape, seed=seed, **kwargs)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return super().call(inputs, training=True)
