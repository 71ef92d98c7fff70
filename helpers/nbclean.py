"""Bring committed notebooks into the course's output policy, or check that they are in it.

Policy: a cell keeps its outputs only when they cannot depend on the data set: cells
tagged ``nbval-check-output`` (or starting with ``# NBVAL_CHECK_OUTPUT``), whose output
nbval compares, and cells tagged ``keep-output`` (deterministic figures). All other
outputs are cleared, and no kept output may hold an error, a warning on stderr, TensorFlow
log chatter or anything from the offline stand-in. Execution counts are normalised: a cell
that keeps outputs is numbered by its position among the code cells (nbval compares only
cells that have a count), every other cell has none.

Usage, from the repository root::

    python -m helpers.nbclean notebooks/*.ipynb          # clean in place
    python -m helpers.nbclean --check notebooks/*.ipynb  # report, exit 1 on violations
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import nbformat

CHECK_TAG = "nbval-check-output"
KEEP_TAG = "keep-output"
CHECK_COMMENT = "# NBVAL_CHECK_OUTPUT"
FORBIDDEN_TEXT = ("stand-in", "offline", "deprecat", "i0000", "cuda", "onednn", "absl", "warning")


def is_checked(cell: Any) -> bool:
    """True when nbval compares this cell's output."""
    return cell.cell_type == "code" and (
        CHECK_TAG in cell.metadata.get("tags", []) or cell.source.lstrip().startswith(CHECK_COMMENT)
    )


def keeps_output(cell: Any) -> bool:
    """True when the policy lets this cell keep its outputs."""
    return is_checked(cell) or (cell.cell_type == "code" and KEEP_TAG in cell.metadata.get("tags", []))


def _normalised_counts(nb: Any) -> list[int | None]:
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    return [number if keeps_output(cell) and cell.outputs else None for number, cell in enumerate(code_cells, 1)]


def clean(nb: Any) -> Any:
    """Return ``nb`` with outputs cleared where the policy says and execution counts normalised."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and not keeps_output(cell):
            cell.outputs = []
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell, count in zip(code_cells, _normalised_counts(nb)):
        cell.execution_count = count
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = count
    return nb


def violations(nb: Any) -> list[str]:
    """List every way ``nb`` breaks the output policy (empty when it complies)."""
    found = []
    counts = iter(_normalised_counts(nb))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index}"
        expected = next(counts)
        if cell.execution_count != expected:
            found.append(f"{where}: execution count {cell.execution_count} (normalised: {expected})")
        if cell.outputs and not keeps_output(cell):
            found.append(f"{where}: has outputs but is neither checked nor tagged {KEEP_TAG!r}")
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"{where}: error output {output.get('ename')}")
            if "execution_count" in output and output.execution_count != expected:
                found.append(f"{where}: output's execution count is not the cell's")
            if output.output_type == "stream" and output.name == "stderr":
                found.append(f"{where}: stderr output")
            text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
            for word in FORBIDDEN_TEXT:
                if word in text.lower():
                    found.append(f"{where}: output mentions {word!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.nbclean", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only report violations")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if not args.check:
            nbformat.write(clean(nb), path)
        for problem in violations(nb):
            print(f"{path}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
