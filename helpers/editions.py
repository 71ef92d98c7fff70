"""Student editions: every notebook without its worked solutions, for an instructor to hand out.

Each notebook ends with a "## Solutions" section; all its cells (the heading, the worked
answers and the asserting self-checks after them) carry the cell tag ``solution``. A student
edition is the published notebook run through nbconvert's ``TagRemovePreprocessor``, which
drops those cells and so their outputs; everything else (the lesson, its outputs and figures,
the exercises and their self-check cells) stays, so a student can still check an answer.

Usage, from the repository root::

    python -m helpers.editions                         # every notebook, into work/student-edition/
    python -m helpers.editions --out DIR notebooks/01_vanishing_exploding_gradients.ipynb
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from helpers.config import work_dir

SOLUTION_TAG = "solution"
SOLUTIONS_HEADING = "## Solutions"
NOTE = (
    "## Solutions\n\nThis is the student edition: the worked solutions are left out. Each exercise's "
    "self-check cell above tells you whether your answer is right."
)


def _heading(cell: Any) -> str | None:
    """The markdown heading a cell starts with ("## Solutions"), or None."""
    if cell.cell_type != "markdown" or not cell.source.startswith("#"):
        return None
    return cell.source.splitlines()[0].strip()


def solution_cells(nb: Any) -> list[int]:
    """Indices of the cells of the notebook's "## Solutions" section (up to the next "## " heading).

    Raises ``ValueError`` when the notebook has no such section: every course notebook has one.
    """
    if not hasattr(nb, "cells"):
        raise TypeError(f"solution_cells: expected a notebook (nbformat.NotebookNode), got {type(nb).__name__}")
    headings = [(i, _heading(c)) for i, c in enumerate(nb.cells)]
    starts = [i for i, h in headings if h == SOLUTIONS_HEADING]
    if len(starts) != 1:
        raise ValueError(f"solution_cells: expected exactly one '{SOLUTIONS_HEADING}' heading, found {len(starts)}")
    start = starts[0]
    end = next((i for i, h in headings if i > start and h and h.startswith("## ")), len(nb.cells))
    return list(range(start, end))


def tagged_solution_cells(nb: Any) -> list[int]:
    """Indices of the cells tagged ``solution``."""
    return [i for i, c in enumerate(nb.cells) if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]


def student_edition(nb: Any) -> Any:
    """A copy of the notebook without its ``solution``-tagged cells, and a note where they were.

    Raises ``ValueError`` when the tagged cells are not exactly the "## Solutions" section, so an
    untagged worked answer can never slip into a hand-out.
    """
    expected, tagged = solution_cells(nb), tagged_solution_cells(nb)
    if tagged != expected:
        raise ValueError(f"student_edition: the cells tagged '{SOLUTION_TAG}' ({tagged}) must be exactly the "
                         f"'{SOLUTIONS_HEADING}' section ({expected}); tag every cell of it, and only those")  # fmt: skip
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {SOLUTION_TAG}
    config.TagRemovePreprocessor.enabled = True
    edition, _ = TagRemovePreprocessor(config=config).preprocess(nbformat.from_dict(nb), {})
    edition.cells.insert(expected[0], nbformat.v4.new_markdown_cell(NOTE, metadata={"slideshow": {"slide_type": "slide"}}))
    return edition


def write_student_editions(notebooks: list[Path], out_dir: Path) -> list[Path]:
    """Write the student edition of each notebook into ``out_dir`` (same file names); return the paths."""
    if not notebooks:
        raise ValueError("write_student_editions: expected at least one .ipynb path")
    written = []
    for path in map(Path, notebooks):
        if path.suffix != ".ipynb":
            raise ValueError(f"write_student_editions: expected .ipynb notebooks, got {path}")
        out = Path(out_dir) / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_edition(nbformat.read(path, as_version=4)), out)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m helpers.editions", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: notebooks/[0-9][0-9]_*.ipynb)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: work/student-edition)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    out = args.out or work_dir() / "student-edition"
    for path in write_student_editions(notebooks, out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
