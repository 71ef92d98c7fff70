"""Start-up for every notebook: quiet TensorFlow, reproducible seeds, one plot style."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator

DEFAULT_SEED = 42


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: C++ start-up lines bypass Python's sys.stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow() -> None:
    """Import TensorFlow and Keras without the CUDA/oneDNN/absl start-up chatter.

    TensorFlow's C++ core prints its start-up lines before any log level applies, and
    Jupyter forwards them into the notebook, so the first import happens with file
    descriptor 2 silenced. Later C++ and Python logs are limited to errors.
    Calling it again does nothing harmful.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_silenced():
        import tensorflow as tf  # noqa: F401  (imported for its side effects)
        import keras  # noqa: F401

        tf.config.list_physical_devices()  # device discovery logs once, here
        tf.constant(0.0).numpy()
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"tensorflow\..*", category=DeprecationWarning)


@contextlib.contextmanager
def keras_messages_off() -> Iterator[None]:
    """Within the block, Keras prints no progress lines (such as "Downloading data from ...").

    Keras' interactive logging is switched off and then back to what it was, errors or not; its
    messages go to the (quiet) absl log instead of the notebook.
    """
    import keras

    was_on = keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        yield
    finally:
        if was_on:
            keras.config.enable_interactive_logging()


def set_seeds(seed: int = DEFAULT_SEED, deterministic: bool = True) -> None:
    """Seed Python, NumPy, TensorFlow and Keras; optionally make TF ops deterministic.

    With ``deterministic=True`` the same code gives the same numbers run after run on
    the same machine (at some cost in speed on a GPU). Not across machines: another CPU may
    get other oneDNN kernels (chosen by its instruction set), which round differently.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"set_seeds: seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"set_seeds: seed must be >= 0, got {seed}")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python's random, NumPy and the backend
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def setup(seed: int = DEFAULT_SEED) -> None:
    """Prepare a notebook: quiet logs, seeds and determinism, the course's plot style."""
    from helpers.plotting import set_style

    quiet_tensorflow()
    set_seeds(seed)
    set_style()
