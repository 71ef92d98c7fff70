"""Static checks of every committed notebook: published outputs, its paired source, structure, modern Keras.

(nbval runs the notebooks themselves; see pyproject.toml.)
"""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers import nbclean

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MIN_CHECKED_CELLS = {"01": 5, "02": 5, "03": 5, "04": 4, "05": 8, "06": 6, "07": 5, "08": 4, "09": 3}  # issue requirements; every notebook needs at least 3
REQUIRED_HEADINGS = ("## Setup", "## Key takeaways", "## Exercises", "## Solutions", "## References")
# Keras 2 idioms that Keras 3 warns about or removed, and habits the course avoids.
FORBIDDEN_CODE = {
    r"input_shape\s*=": "use keras.Input(shape=...)",
    r"LeakyReLU\([^)]*alpha\s*=": "use negative_slope=",
    r"\blr\s*=": "use learning_rate=",
    r"\bdecay\s*=": "use a learning-rate schedule",
    r"\.h5\b": "save models in the native .keras format",
    r"import \*": "import names explicitly",
    r"quick_mode\(|TDNN_QUICK|if quick": "use budget(full, quick=...) instead of quick-mode branches",
}


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param.name[:2], nbformat.read(request.param, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_output_policy(path):
    # Outputs of one full-mode run on verified data, none of them stale (see helpers/nbclean.py); by file
    # name, 09 (CIFAR-10, on no machine of ours) alone carries only its checked cells' outputs.
    nb = nbformat.read(path, as_version=4)
    assert nbclean.violations(nb, path.name) == [], "publish it: python -m helpers.publish notebooks/<name>.py"


def test_the_checked_outputs_only_exception_is_notebook_09_alone():
    assert nbclean.CHECKED_OUTPUTS_ONLY == frozenset({"09_cifar10_capstone"})
    for path in NOTEBOOKS:
        if path.stem not in nbclean.CHECKED_OUTPUTS_ONLY:  # every other notebook shows a full run on real data
            setup = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
            assert any(nbclean.VERIFIED_SOURCE in str(o.get("text", "")) for o in setup.outputs), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_matches_its_paired_source(path):
    # The percent script is what contributors edit; the .ipynb must hold exactly its cells.
    source = path.with_suffix(".py")
    assert source.is_file(), f"{source.name} missing: every notebook is paired with a percent script"
    def key(nb):
        return [(c.cell_type, c.source, c.metadata.get("tags", []), c.metadata.get("slideshow")) for c in nb.cells]
    assert key(jupytext.read(source)) == key(nbformat.read(path, as_version=4)), (
        f"{path.name} and {source.name} differ: publish it from the source")


def test_enough_checked_cells(notebook):
    number, nb = notebook
    checked = sum(nbclean.is_checked(cell) for cell in nb.cells)
    assert checked >= MIN_CHECKED_CELLS.get(number, 3)
    assert all(cell.outputs for cell in nb.cells if nbclean.is_checked(cell)), "checked cells must print something"


def test_every_cell_has_slide_metadata(notebook):
    _, nb = notebook
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    assert None not in kinds
    assert kinds.count("slide") >= 5


def test_anatomy(notebook):
    number, nb = notebook
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert nb.cells[0].source.startswith("# ")
    assert "You will learn to" in nb.cells[0].source
    for heading in REQUIRED_HEADINGS:
        assert heading in markdown, heading
    first_code = next(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert first_code.startswith("from helpers import") and "setup(" in first_code
    assert "load_fashion_mnist(" in first_code or (number == "09" and "load_cifar10(" in first_code)


def test_code_uses_modern_keras_and_no_mode_branches(notebook):
    _, nb = notebook
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for pattern, advice in FORBIDDEN_CODE.items():
            assert not re.search(pattern, cell.source), f"cell {index}: {advice}"


def test_exercises_have_self_checks_and_solutions(notebook):
    _, nb = notebook
    sources = [cell.source for cell in nb.cells]
    exercises = [s for s in sources if re.match(r"### Exercise \d+", s)]
    assert len(exercises) >= 3
    solutions_at = next(i for i, s in enumerate(sources) if s.startswith("## Solutions"))
    solution_checks = [s for s in sources[solutions_at:] if re.search(r"assert check_\w+\(", s)]
    assert len(solution_checks) >= len(exercises)


def test_figures_folder_holds_every_published_figure_and_nothing_else():
    saved = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert not re.search(r"save_fig\((?!\")", cell.source), "name figures with a literal string"
                saved.update(re.findall(r"save_fig\(\"([\w\-]+)\"", cell.source))
    figures = {png.stem for png in (Path(__file__).parent.parent / "figures").glob("*.png")}
    assert figures - saved == set(), "figures that no notebook saves"
    assert saved - figures == set(), "figures a notebook saves that are not committed (publish it)"
