"""save_fig and the shared plots."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plot_activation_histograms, plot_learning_curves, plot_per_layer, save_fig
from helpers.probes import LayerStats


def test_save_fig_writes_a_png_into_the_figures_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TDNN_FIGURES_DIR", str(tmp_path))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = save_fig("my_figure", fig)
    assert path == tmp_path / "my_figure.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close(fig)


@pytest.mark.parametrize(("name", "fig", "error"), [("a b", None, ValueError), ("../x", None, ValueError),
                                                     ("ok", "not a figure", TypeError)])  # fmt: skip
def test_save_fig_rejects_bad_arguments(name, fig, error):
    with pytest.raises(error):
        save_fig(name, fig)


def test_learning_curves_draw_train_and_valid_and_a_band_over_seeds():
    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    seeds = [{"loss": [1.0, 0.4], "val_loss": [1.0, 0.6]}, {"loss": [0.8, 0.2], "val_loss": [1.2, 0.8]}]
    fig, ax = plt.subplots()
    plot_learning_curves({"one run": history, "two seeds": seeds}, ax=ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["one run (train)", "one run (valid)", "two seeds (train)", "two seeds (valid)"]
    np.testing.assert_allclose(ax.get_lines()[3].get_ydata(), [1.1, 0.7])  # mean over seeds
    band = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(0.7 - np.std([0.6, 0.8], ddof=1))  # sample std, epoch 2
    assert all(float(t).is_integer() for t in ax.get_xticks())  # epochs are whole numbers
    assert len(ax.collections) == 2  # one std band per curve of the seeded run
    plt.close(fig)


def test_learning_curves_reject_bad_input():
    with pytest.raises(ValueError):
        plot_learning_curves({})
    with pytest.raises(ValueError, match="accuracy"):
        plot_learning_curves({"run": {"loss": [1.0]}}, metric="accuracy")
    with pytest.raises(TypeError):
        plot_learning_curves({"run": 3})


def test_per_layer_and_histogram_plots():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    plot_per_layer({"a": [1.0, 0.1, 0.01], "b": {"d1": 1.0, "d2": 2.0}}, "gradient norm", ax=ax1, log=True)
    assert ax1.get_yscale() == "log" and len(ax1.get_lines()) == 2
    np.testing.assert_array_equal(ax1.get_lines()[0].get_xdata(), [1, 2, 3])
    assert all(float(t).is_integer() for t in ax1.get_xticks())  # layers are whole numbers
    stats = [LayerStats(f"d{i}", "tanh", 0.0, 1.0, 1.0, 0.0, 0.0, np.random.randn(100)) for i in range(3)]
    plot_activation_histograms(stats, ax=ax2)
    assert len(ax2.patches) == 3
    assert [t.get_text() for t in ax2.get_legend().get_texts()] == ["layer 1", "layer 2", "layer 3"]
    with pytest.raises(ValueError):
        plot_per_layer({}, "x")
    with pytest.raises(ValueError):
        plot_activation_histograms([])
    plt.close(fig)
