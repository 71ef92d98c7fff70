"""Helpers shared by the Training Deep Neural Networks notebooks.

Importing the package first silences TensorFlow's start-up chatter, so notebooks import
``helpers`` before ``keras``. Modules: ``config`` (quick mode, folders), ``runtime``
(setup, seeds), ``data`` (Fashion-MNIST, CIFAR-10), ``plotting``, ``probes`` (per-layer statistics,
``rel_error``), ``callbacks`` (probes during ``fit``), ``layers`` (``RReLU``, ``MCDropout``),
``calibration`` (reliability bins, the expected calibration error), ``transfer``
(the task A / task B split), ``training`` (``FreshStart``: restart a compiled model per seed),
``stats`` (seed comparisons: t intervals, Holm), ``schedules``
(1cycle, the LR finder, the learning rate actually used), ``checks`` (exercise self-checks),
``nbclean`` (notebook output policy), ``publish`` (run and publish notebooks), ``editions``
(student editions without the solutions), ``slides`` (lecture decks that work offline), ``benchmark`` (fit against the arithmetic limit) and
``health`` (a training-health checklist on one batch).
"""

from helpers.runtime import quiet_tensorflow

quiet_tensorflow()

from helpers.calibration import ReliabilityBins, expected_calibration_error, reliability_bins  # noqa: E402
from helpers.callbacks import ProbeHistory  # noqa: E402
from helpers.checks import check_choice, check_condition, check_function, check_value  # noqa: E402
from helpers.config import budget, quick_mode, run_logdir, work_dir  # noqa: E402
from helpers.data import FASHION_MNIST_CLASSES, Dataset, load_cifar10, load_fashion_mnist, standardize  # noqa: E402
from helpers.health import HealthReport, HealthThresholds, LayerHealth, training_health  # noqa: E402
from helpers.layers import MCDropout, RReLU  # noqa: E402
from helpers.plotting import (  # noqa: E402
    plot_activation_histograms,
    plot_learning_curves,
    plot_per_layer,
    save_fig,
)
from helpers.probes import LayerStats, activation_stats, gradient_norms, rel_error  # noqa: E402
from helpers.runtime import keras_messages_off, set_seeds, setup  # noqa: E402
from helpers.schedules import (  # noqa: E402
    LearningRateHistory,
    LRFinderResult,
    OneCycleSchedule,
    current_learning_rate,
    find_learning_rate,
    steps_from_epochs,
)
from helpers.stats import (  # noqa: E402
    compare_to_baseline,
    comparison_table,
    holm_adjusted,
    paired_difference,
    welch_difference,
)
from helpers.training import FreshStart  # noqa: E402
from helpers.transfer import split_task_a_b  # noqa: E402

__all__ = [
    "FASHION_MNIST_CLASSES",
    "Dataset",
    "FreshStart",
    "HealthReport",
    "HealthThresholds",
    "LayerHealth",
    "LRFinderResult",
    "LayerStats",
    "LearningRateHistory",
    "MCDropout",
    "OneCycleSchedule",
    "ProbeHistory",
    "RReLU",
    "ReliabilityBins",
    "activation_stats",
    "budget",
    "check_choice",
    "check_condition",
    "check_function",
    "check_value",
    "compare_to_baseline",
    "current_learning_rate",
    "expected_calibration_error",
    "comparison_table",
    "find_learning_rate",
    "gradient_norms",
    "holm_adjusted",
    "keras_messages_off",
    "load_cifar10",
    "load_fashion_mnist",
    "paired_difference",
    "plot_activation_histograms",
    "plot_learning_curves",
    "plot_per_layer",
    "quick_mode",
    "reliability_bins",
    "rel_error",
    "run_logdir",
    "save_fig",
    "set_seeds",
    "setup",
    "split_task_a_b",
    "standardize",
    "steps_from_epochs",
    "training_health",
    "welch_difference",
    "work_dir",
]
