"""Student editions: the worked solutions go, the exercises and their self-checks stay and still work."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import editions

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTION = {"tags": ["solution"]}


def tiny_notebook(tag_solutions: bool = True) -> nbformat.NotebookNode:
    """Setup, one exercise with its self-check, a Solutions section, References."""
    meta = SOLUTION if tag_solutions else {}
    v4 = nbformat.v4
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# A lesson"),
        v4.new_code_cell("from helpers.checks import check_function"),
        v4.new_markdown_cell("## Exercises\n\n### Exercise 1: square a number"),
        v4.new_code_cell("def square(x):\n    ...  # your code here"),
        v4.new_code_cell('check_function("Exercise 1", square, [((3,), 9)])'),
        v4.new_markdown_cell("## Solutions", metadata=dict(meta)),
        v4.new_code_cell("def square(x):\n    return x * x", metadata=dict(meta)),
        v4.new_code_cell('assert check_function("Exercise 1", square, [((3,), 9)])', metadata=dict(meta)),
        v4.new_markdown_cell("## References\n\n- A. Author (2020)."),
    ])  # fmt: skip


def test_solution_cells_are_the_solutions_section():
    assert editions.solution_cells(tiny_notebook()) == [5, 6, 7]
    assert editions.tagged_solution_cells(tiny_notebook()) == [5, 6, 7]


def test_student_edition_drops_solutions_keeps_exercises_and_the_rest():
    edition = editions.student_edition(tiny_notebook())
    sources = [c.source for c in edition.cells]
    assert not any("return x * x" in s or s.startswith("assert check_") for s in sources)
    assert sources[4] == 'check_function("Exercise 1", square, [((3,), 9)])'  # the self-check stays
    assert sources[5].startswith("## Solutions") and "student edition" in sources[5]
    assert sources[-1].startswith("## References")


def test_self_checks_still_work_in_the_student_edition(tmp_path):
    edition = editions.student_edition(tiny_notebook())
    NotebookClient(edition, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    feedback = "".join(o.get("text", "") for o in edition.cells[4].outputs)
    assert "Exercise 1: not attempted yet" in feedback
    # and once the student answers, the same cell says so
    edition.cells[3].source = "def square(x):\n    return x ** 2"
    NotebookClient(edition, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "Exercise 1: correct" in "".join(o.get("text", "") for o in edition.cells[4].outputs)


def test_an_untagged_solution_cell_is_refused():
    nb = tiny_notebook()
    nb.cells[6].metadata = {}
    with pytest.raises(ValueError, match="must be exactly the '## Solutions' section"):
        editions.student_edition(nb)
    with pytest.raises(ValueError, match="must be exactly"):
        editions.student_edition(tiny_notebook(tag_solutions=False))


def test_bad_input():
    nb = tiny_notebook()
    del nb.cells[5]
    with pytest.raises(ValueError, match="exactly one '## Solutions' heading"):
        editions.solution_cells(nb)
    with pytest.raises(TypeError, match="expected a notebook"):
        editions.solution_cells("notebook.ipynb")
    with pytest.raises(ValueError, match="at least one"):
        editions.write_student_editions([], Path("unused"))
    with pytest.raises(ValueError, match=r"expected \.ipynb"):
        editions.write_student_editions([ROOT / "notebooks" / "01_vanishing_exploding_gradients.py"], Path("unused"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_course_notebook_has_a_student_edition(path):
    nb = nbformat.read(path, as_version=4)
    edition = editions.student_edition(nb)  # raises unless exactly the Solutions section is tagged
    sources = [c.source for c in edition.cells]
    exercises = [s for s in sources if re.match(r"### Exercise \d+", s)]
    self_checks = [s for s in sources if re.search(r"^check_(function|value|condition|choice)\(", s, flags=re.M)]
    assert exercises and len(self_checks) >= len(exercises)
    assert not any(re.search(r"assert check_\w+\(", s) for s in sources)  # no worked answer left
    assert len(edition.cells) == len(nb.cells) - len(editions.solution_cells(nb)) + 1


def test_command_writes_every_edition(tmp_path):
    assert editions.main(["--out", str(tmp_path), *map(str, NOTEBOOKS)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
