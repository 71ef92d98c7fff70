"""The publish command: run a notebook's source in a fresh kernel, stamp it, refuse bad runs."""

import json

import nbformat
import pytest

from helpers import nbclean, publish

SETUP = 'print("Fashion-MNIST (SHA-256 verified, test): 55,000 train / 5,000 valid / 10,000 test")'


def write_source(folder, *cells, name="01_demo"):
    """A percent-script notebook source in ``folder``; returns its path."""
    text = "# %% [markdown]\n# # Title\n\n" + "".join(f"# %%\n{cell}\n\n" for cell in cells)
    path = folder / f"{name}.py"
    path.write_text(text)
    return path


def test_publish_writes_a_stamped_notebook_that_complies(tmp_path):
    source = write_source(tmp_path, SETUP, "import os\nprint(os.environ.get('TDNN_QUICK', 'full mode'))")
    assert publish.main([str(source)]) == 0
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert nbclean.violations(nb) == []
    assert nb.cells[2].outputs[0].text == "full mode\n"  # full mode: quick mode switched off
    assert nb.metadata.kernelspec.name == "python3"


def test_quick_mode_times_the_run_and_writes_no_notebook(tmp_path, capsys):
    source = write_source(tmp_path, SETUP, "x = 1")
    assert publish.main(["--quick", str(source)]) == 0
    assert not source.with_suffix(".ipynb").exists()
    out = capsys.readouterr().out
    assert "| 01_demo | " in out and "quick mode" in out
    timing = sorted((publish.work_dir() / "timing").glob("quick-*.json"))[-1]
    assert json.loads(timing.read_text())[-1]["notebook"] == "01_demo"


@pytest.mark.parametrize("cell, why", [
    ("1 / 0", "FAILED"),
    ("import sys\nprint('oops', file=sys.stderr)", "stderr output"),
    ("print('UserWarning: careful')", "mentions 'warning'"),
])  # fmt: skip
def test_a_bad_run_is_not_written(tmp_path, capsys, cell, why):
    source = write_source(tmp_path, SETUP, cell)
    assert publish.main([str(source)]) == 1
    assert why in capsys.readouterr().out
    assert not source.with_suffix(".ipynb").exists()


def test_a_run_without_verified_data_is_not_written(tmp_path, capsys):
    source = write_source(tmp_path, "print('offline stand-in: 4,500 train / 500 valid / 1,000 test')")
    assert publish.main([str(source)]) == 1
    assert "setup cell" in capsys.readouterr().out


def test_source_of_checks_its_argument(tmp_path):
    with pytest.raises(ValueError, match=r"\.py source or \.ipynb"):
        publish.source_of(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError, match="percent script"):
        publish.source_of(tmp_path / "02_missing.ipynb")
    source = write_source(tmp_path, "x = 1")
    assert publish.source_of(source.with_suffix(".ipynb")) == source


CHECKED = "# NBVAL_CHECK_OUTPUT\nprint(2 * 3)"
MODE = "import os\nprint('quick' if os.environ.get('TDNN_QUICK') else 'full', 'data-dependent output')"


def test_outputs_checked_runs_quick_and_keeps_only_checked_outputs(tmp_path):
    # Notebook 09 (CIFAR-10, which no machine of ours has): run on the stand-in, data outputs stripped.
    source = write_source(tmp_path, "print('OFFLINE: stand-in, 4,000 train')", CHECKED, MODE, name="09_cifar10_capstone")
    assert publish.main(["--outputs", "checked", str(source)]) == 0
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    setup, checked, mode = nb.cells[1:]
    assert setup.outputs == [] and setup.execution_count is None
    assert mode.outputs == [] and mode.execution_count is None
    assert checked.outputs[0].text == "6\n" and checked.execution_count == 2  # numbered as in the run
    assert all(c.metadata["published"]["source_sha256"] == nbclean.source_digest(c.source) for c in nb.cells[1:])
    assert nbclean.violations(nb, source.name) == []
    assert nbclean.violations(nb) != []  # the exception needs the name


def test_outputs_checked_is_refused_for_any_other_notebook(tmp_path, capsys):
    source = write_source(tmp_path, SETUP, CHECKED, name="01_demo")
    assert publish.main(["--outputs", "checked", str(source)]) == 1
    assert "only for ['09_cifar10_capstone']" in capsys.readouterr().out
    assert not source.with_suffix(".ipynb").exists()
    with pytest.raises(SystemExit):
        publish.main(["--quick", "--outputs", "checked", str(source)])


@pytest.mark.parametrize("cell, why", [
    ("1 / 0", "FAILED"),
    ("import sys\nprint('oops', file=sys.stderr)", "cell 2: stderr output"),
    ("print('UserWarning: careful')", "cell 2: output mentions 'warning'"),
])  # fmt: skip
def test_outputs_checked_still_refuses_a_bad_run_even_in_a_stripped_cell(tmp_path, capsys, cell, why):
    source = write_source(tmp_path, CHECKED, cell, name="09_cifar10_capstone")
    assert publish.main(["--outputs", "checked", str(source)]) == 1
    assert why in capsys.readouterr().out and not source.with_suffix(".ipynb").exists()
