"""The notebook output policy: cleaning and checking."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import nbclean


def notebook():
    stream = new_output("stream", name="stdout", text="hello\n")
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("print('data-dependent')", execution_count=3, outputs=[stream]),
        new_code_cell("print(1)", execution_count=4, outputs=[stream], metadata={"tags": ["nbval-check-output"]}),
        new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)", execution_count=5, outputs=[stream]),
        new_code_cell("plot()", outputs=[stream], metadata={"tags": ["keep-output"], "execution": {"shell.execute_reply": "2026-11-22T05:50:00Z"}}),
    ]
    return new_notebook(cells=cells)


def test_clean_keeps_only_checked_and_tagged_outputs():
    nb = nbclean.clean(notebook())
    assert [len(c.get("outputs", [])) for c in nb.cells] == [0, 0, 1, 1, 1]
    # nbval compares only cells with a count: kept cells are numbered by position, others have none
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [None, 2, 3, 4]
    assert "execution" not in nb.cells[4].metadata
    assert nbclean.violations(nb) == []


def test_violations_catch_every_kind_of_problem():
    nb = notebook()
    nb.cells[2].outputs.append(new_output("error", ename="ZeroDivisionError", evalue="", traceback=[]))
    nb.cells[3].outputs = [new_output("stream", name="stderr", text="I0000 oneDNN custom operations\n")]
    nb.cells[4].outputs = [new_output("stream", name="stdout", text="OFFLINE: using the stand-in\n")]
    found = "\n".join(nbclean.violations(nb))
    for expected in ("execution count 3 (normalised: None)", "cell 1: has outputs", "ZeroDivisionError", "stderr",
                     "'onednn'", "'stand-in'"):  # fmt: skip
        assert expected in found


def test_command_line_cleans_and_checks(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(), path)
    assert nbclean.main(["--check", str(path)]) == 1
    assert "execution count" in capsys.readouterr().out
    assert nbclean.main([str(path)]) == 0
    assert nbclean.main(["--check", str(path)]) == 0
