"""Helpers shared by the Training Deep Neural Networks notebooks.

Importing the package first silences TensorFlow's start-up chatter, so notebooks import
``helpers`` before ``keras``. Modules: ``config`` (quick mode, folders), ``runtime``
(setup, seeds), ``data`` (Fashion-MNIST), ``plotting``, ``probes`` (per-layer statistics,
``rel_error``), ``callbacks`` (probes during ``fit``), ``layers`` (``RReLU``), ``transfer``
(the task A / task B split), ``training`` (``FreshStart``: restart a compiled model per seed),
``stats`` (seed comparisons: t intervals, Holm), ``schedules``
(1cycle, the LR finder, the learning rate actually used), ``checks`` (exercise self-checks),
``nbclean`` (notebook output policy), ``publish`` (run and publish notebooks), ``editions``
(student editions without the solutions), ``slides`` (lecture decks that work offline) and ``benchmark`` (fit against the arithmetic limit).
"""

from helpers.runtime import quiet_tensorflow

quiet_tensorflow()

from helpers.callbacks import ProbeHistory  # noqa: E402
from helpers.checks import check_condition, check_function, check_value  # noqa: E402
from helpers.config import budget, quick_mode, run_logdir, work_dir  # noqa: E402
from helpers.data import FASHION_MNIST_CLASSES, Dataset, load_fashion_mnist, standardize  # noqa: E402
from helpers.layers import RReLU  # noqa: E402
from helpers.plotting import (  # noqa: E402
    plot_activation_histograms,
    plot_learning_curves,
    plot_per_layer,
    save_fig,
)
from helpers.probes import LayerStats, activation_stats, gradient_norms, rel_error  # noqa: E402
from helpers.runtime import set_seeds, setup  # noqa: E402
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
    "LRFinderResult",
    "LayerStats",
    "LearningRateHistory",
    "OneCycleSchedule",
    "ProbeHistory",
    "RReLU",
    "activation_stats",
    "budget",
    "check_condition",
    "check_function",
    "check_value",
    "compare_to_baseline",
    "current_learning_rate",
    "comparison_table",
    "find_learning_rate",
    "gradient_norms",
    "holm_adjusted",
    "load_fashion_mnist",
    "paired_difference",
    "plot_activation_histograms",
    "plot_learning_curves",
    "plot_per_layer",
    "quick_mode",
    "rel_error",
    "run_logdir",
    "save_fig",
    "set_seeds",
    "setup",
    "split_task_a_b",
    "standardize",
    "steps_from_epochs",
    "welch_difference",
    "work_dir",
]
