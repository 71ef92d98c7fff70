"""The output policy of committed notebooks: published, verified, and never stale."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import nbclean

SUMMARY = ("Fashion-MNIST (SHA-256 verified, local copy in /usr/share/datasets/fashion-mnist): "
           "55,000 train / 5,000 valid / 10,000 test, images (28, 28)\n")  # fmt: skip


def published():
    """A notebook as the publish command leaves it: every code cell run in order and stamped."""
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("data = load()\nprint(data.summary())", outputs=[new_output("stream", name="stdout", text=SUMMARY)]),
        new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")],
                      metadata={"tags": ["nbval-check-output"], "execution": {"shell.execute_reply": "2026"}}),
        new_code_cell("x = 2"),
    ]  # fmt: skip
    nb = new_notebook(cells=cells)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for count, cell in enumerate(code, 1):
        cell.execution_count = count
    nb.metadata["widgets"] = {"state": {}}
    return nbclean.normalise(nbclean.stamp(nb))


def test_a_published_notebook_complies_and_carries_no_run_noise():
    nb = published()
    assert nbclean.violations(nb) == []
    assert "execution" not in nb.cells[2].metadata and "widgets" not in nb.metadata
    assert nb.cells[3].metadata["published"]["source_sha256"] == nbclean.source_digest("x = 2")


def test_an_edited_cell_is_stale():
    nb = published()
    nb.cells[3].source = "x = 3"
    assert nbclean.violations(nb) == ["cell 3: stale output: the source changed after the published run"]


def test_unpublished_and_out_of_order_cells_are_caught():
    nb = published()
    del nb.cells[2].metadata["published"]
    nb.cells[3].execution_count = 7
    found = "\n".join(nbclean.violations(nb))
    assert "cell 2: not from a published run" in found
    assert "cell 3: execution count 7, expected 3" in found


def test_bad_outputs_are_caught():
    nb = published()
    nb.cells[2].outputs.append(new_output("error", ename="ZeroDivisionError", evalue="", traceback=[]))
    nb.cells[3].outputs = [new_output("stream", name="stderr", text="I0000 oneDNN custom operations\n"),
                           new_output("stream", name="stdout", text="UserWarning: something\n")]  # fmt: skip
    found = "\n".join(nbclean.violations(nb))
    for expected in ("ZeroDivisionError", "cell 3: stderr", "'onednn'", "'i0000'", "'warning'"):
        assert expected in found


def test_setup_output_must_prove_a_full_run_on_verified_data():
    for text in ("OFFLINE: using the offline stand-in: 5,000 train\n",
                 "Fashion-MNIST (SHA-256 verified, Keras' cache): 2,000 train / 500 valid / 500 test\n"):  # fmt: skip
        nb = published()
        nb.cells[1].outputs = [new_output("stream", name="stdout", text=text)]
        assert any("setup cell" in problem for problem in nbclean.violations(nb)), text


def test_command_line_reports(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    nbformat.write(published(), path)
    assert nbclean.main([str(path)]) == 0
    nb = published()
    nb.cells[3].source = "x = 4"
    nbformat.write(nb, path)
    assert nbclean.main([str(path)]) == 1
    assert "stale output" in capsys.readouterr().out


CAPSTONE = "09_cifar10_capstone.ipynb"


def checked_outputs_only():
    """A notebook as ``publish --outputs checked`` leaves it: outputs of checked cells only."""
    return nbclean.strip_unchecked(published())


def test_the_capstone_is_committed_with_checked_outputs_only():
    nb = checked_outputs_only()
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert nb.cells[2].outputs and nb.cells[2].execution_count == 2
    assert nbclean.violations(nb, CAPSTONE) == []
    assert nbclean.violations(nb, f"notebooks/{CAPSTONE}") == []  # a path works too


def test_the_exception_does_not_leak_to_any_other_name():
    # A 01-like notebook with its data outputs removed still fails: the exception is by name only.
    nb = checked_outputs_only()
    for name in (None, "01_vanishing_exploding_gradients.ipynb", "09_other.ipynb", "10_cifar10_capstone.ipynb"):
        found = "\n".join(nbclean.violations(nb, name))
        assert "setup cell" in found and "execution count None" in found, name
    assert nbclean.CHECKED_OUTPUTS_ONLY == frozenset({"09_cifar10_capstone"})


def test_the_capstone_may_not_carry_data_outputs_and_is_still_checked():
    nb = checked_outputs_only()
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="val_accuracy 0.51\n")]
    nb.cells[1].execution_count = 1
    assert nbclean.violations(nb, CAPSTONE) == [
        "cell 1: 09_cifar10_capstone is committed with outputs of checked cells only "
        "(publish it with python -m helpers.publish --outputs checked)"]  # fmt: skip
    nb = checked_outputs_only()
    nb.cells[3].source = "x = 3"
    nb.cells[2].outputs.append(new_output("stream", name="stdout", text="OFFLINE: stand-in\n"))
    found = "\n".join(nbclean.violations(nb, CAPSTONE))
    assert "cell 3: stale output" in found and "'offline:'" in found and "'stand-in'" in found


def test_command_line_knows_the_exception_by_file_name(tmp_path, capsys):
    for name, expected in ((CAPSTONE, 0), ("01_demo.ipynb", 1)):
        path = tmp_path / name
        nbformat.write(checked_outputs_only(), path)
        assert nbclean.main([str(path)]) == expected, name
    assert "01_demo.ipynb: cell 1: the setup cell" in capsys.readouterr().out
