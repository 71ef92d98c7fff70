"""One plot style for the course, ``save_fig``, and the few plots every notebook repeats."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers.config import figures_dir

_STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.size": 11,
}


def set_style() -> None:
    """Apply the course's Matplotlib style (called by ``helpers.setup``)."""
    mpl.rcParams.update(_STYLE)


def save_fig(name: str, fig: mpl.figure.Figure | None = None, *, dpi: int = 150) -> Path:
    """Save ``fig`` (default: the current figure) as ``figures/<name>.png`` and return the path.

    The folder is found from the helpers package, so it works from any working directory;
    ``TDNN_FIGURES_DIR`` overrides it.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise ValueError(f"save_fig: name must be letters, digits, '_' or '-', got {name!r}")
    fig = plt.gcf() if fig is None else fig
    if not isinstance(fig, mpl.figure.Figure):
        raise TypeError(f"save_fig: fig must be a matplotlib Figure, got {type(fig).__name__}")
    path = figures_dir() / f"{name}.png"
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def _as_history(run: Any) -> Mapping[str, Sequence[float]]:
    history = getattr(run, "history", run)  # a keras History, or its .history dict
    if not isinstance(history, Mapping):
        raise TypeError(f"expected a keras History or a dict of metric lists, got {type(run).__name__}")
    return history


def plot_learning_curves(
    runs: Mapping[str, Any],
    metric: str = "loss",
    ax: mpl.axes.Axes | None = None,
) -> mpl.axes.Axes:
    """Plot training (dashed) and validation (solid) ``metric`` per epoch for several runs.

    ``runs`` maps a label to a keras ``History`` (or its ``.history`` dict), or to a list of
    them, one per seed: the mean is drawn with a band of one sample standard deviation.
    Keras averages the training metric over each epoch while it measures validation at the
    epoch's end, so early training curves look worse than validation ones.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("plot_learning_curves: runs must be a non-empty dict of label -> history")
    ax = plt.gca() if ax is None else ax
    colors = itertools.cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"])
    for color, (label, run) in zip(colors, runs.items()):
        histories = [_as_history(r) for r in (run if isinstance(run, (list, tuple)) else [run])]
        for key, style, suffix in ((metric, "--", "train"), (f"val_{metric}", "-", "valid")):
            if not all(key in h for h in histories):
                if key == metric:
                    raise ValueError(f"plot_learning_curves: run {label!r} has no metric {metric!r}")
                continue
            n = min(len(h[key]) for h in histories)
            values = np.array([h[key][:n] for h in histories], dtype=float)
            epochs = np.arange(1, n + 1)
            mean = values.mean(axis=0)
            ax.plot(epochs, mean, style, color=color, label=f"{label} ({suffix})")
            if len(histories) > 1:
                std = values.std(axis=0, ddof=1)
                ax.fill_between(epochs, mean - std, mean + std, color=color, alpha=0.15)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(metric)
    ax.legend()
    return ax


def plot_per_layer(
    values: Mapping[str, Sequence[float]],
    ylabel: str,
    ax: mpl.axes.Axes | None = None,
    log: bool = False,
) -> mpl.axes.Axes:
    """Plot one line per configuration of a per-layer quantity (layer 1 = nearest the input)."""
    if not isinstance(values, Mapping) or not values:
        raise ValueError("plot_per_layer: values must be a non-empty dict of label -> per-layer values")
    ax = plt.gca() if ax is None else ax
    for label, per_layer in values.items():
        per_layer = list(per_layer.values()) if isinstance(per_layer, Mapping) else list(per_layer)
        ax.plot(np.arange(1, len(per_layer) + 1), per_layer, "o-", label=label)
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_activation_histograms(
    stats: Sequence[Any],
    ax: mpl.axes.Axes | None = None,
    bins: int = 60,
    value_range: tuple[float, float] | None = None,
) -> mpl.axes.Axes:
    """Overlay the activation histogram of each layer (from ``probes.activation_stats``).

    Layers are labelled 1, 2, ... from the input up, and coloured from dark to light.
    """
    if not stats:
        raise ValueError("plot_activation_histograms: stats is empty")
    ax = plt.gca() if ax is None else ax
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(stats)))
    for number, (color, layer) in enumerate(zip(colors, stats), start=1):
        ax.hist(layer.values, bins=bins, range=value_range, histtype="step", color=color,
                density=True, label=f"layer {number}")  # fmt: skip
    ax.set_xlabel("activation value")
    ax.set_ylabel("density")
    ax.legend(ncol=2, fontsize=7)
    return ax
