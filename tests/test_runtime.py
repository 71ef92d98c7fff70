"""Seeds, determinism and a quiet TensorFlow import."""

import random
import subprocess
import sys

import keras
import numpy as np
import pytest

from helpers import set_seeds


def draw():
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    return random.random(), np.random.rand(), keras.random.normal((2,)).numpy(), layer.kernel.numpy()


def test_set_seeds_makes_python_numpy_and_keras_repeatable():
    set_seeds(7)
    first = draw()
    set_seeds(7)
    second = draw()
    set_seeds(8)
    third = draw()
    for a, b, c in zip(first, second, third):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_set_seeds_rejects_bad_seeds(seed, error):
    with pytest.raises(error):
        set_seeds(seed)


def test_importing_helpers_prints_no_tensorflow_chatter():
    code = "import helpers, keras; keras.layers.Dense(2)(keras.ops.ones((1, 3)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    output = (run.stdout + run.stderr).lower()
    for chatter in ("onednn", "cuda", "i0000", "absl", "warning"):
        assert chatter not in output, output


def test_a_notebook_kernel_shows_no_chatter_or_warnings():
    # Jupyter forwards C++ output on file descriptor 2 into the notebook, so test in a real kernel.
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    source = "from helpers import setup\nimport keras\nsetup()\nkeras.layers.Dense(2)(keras.ops.ones((1, 3)))\n"
    nb = new_notebook(cells=[new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], outputs
    assert "oneDNN" not in nbformat.writes(nb) and "cuda" not in nbformat.writes(nb).lower()


def test_keras_messages_off_hides_the_download_line_and_restores_logging(tmp_path, capsys):
    from helpers import keras_messages_off

    source = tmp_path / "weights.bin"
    source.write_bytes(b"0123456789")
    cache = tmp_path / "cache"
    cache.mkdir()  # get_file falls back to /tmp/.keras when its cache folder does not exist

    def download(name):
        return keras.utils.get_file(name, origin=source.as_uri(), cache_dir=str(cache))

    assert keras.config.is_interactive_logging_enabled()
    download("shown.bin")
    assert "Downloading data from" in capsys.readouterr().out  # what Keras prints by default
    with keras_messages_off():
        path = download("hidden.bin")
    assert "Downloading data from" not in capsys.readouterr().out
    assert open(path, "rb").read() == b"0123456789" and path.startswith(str(cache))
    assert keras.config.is_interactive_logging_enabled()  # switched back on
    with pytest.raises(RuntimeError):
        with keras_messages_off():
            raise RuntimeError("boom")
    assert keras.config.is_interactive_logging_enabled()  # also after an error
