"""The output policy of committed notebooks: published outputs only, none of them stale.

A committed notebook carries the outputs of one top-to-bottom full-mode run on verified
Fashion-MNIST, in a fresh kernel, made by ``python -m helpers.publish``. The policy:

- every code cell was executed in that run, in order (execution count = its position
  among the code cells, as a fresh kernel numbers them);
- every code cell records the SHA-256 of the source it ran (``metadata.published``), and
  that digest still matches its source: an edited cell without a new run is *stale*;
- the setup cell's output (the first code cell) shows the verified data source and the
  full split sizes, which proves a full-mode run on the real data;
- no output holds an error, anything on stderr, a warning, TensorFlow log chatter or
  anything from the offline stand-in.

One exception, by file name and for nothing else: ``CHECKED_OUTPUTS_ONLY`` (notebook 09, the
CIFAR-10 capstone). No machine of ours has CIFAR-10, so it cannot be published from a full run
on real data; it is committed with the outputs of its *checked* cells only (``nbval-check-output``,
whose output cannot depend on the data or the mode) and every other code cell empty and
unnumbered, still stamped, so an edited cell is still caught as stale. ``python -m helpers.publish
--outputs checked notebooks/09_cifar10_capstone.py`` writes it that way.

Usage, from the repository root::

    python -m helpers.nbclean notebooks/*.ipynb   # report violations, exit 1 if any
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import nbformat

CHECK_TAG = "nbval-check-output"
CHECK_COMMENT = "# NBVAL_CHECK_OUTPUT"
PUBLISHED_KEY = "published"
FULL_SPLIT = "55,000 train / 5,000 valid / 10,000 test"
VERIFIED_SOURCE = "Fashion-MNIST (SHA-256 verified"
CHECKED_OUTPUTS_ONLY = frozenset({"09_cifar10_capstone"})  # file stems; see the module docstring
FORBIDDEN_TEXT = ("stand-in", "offline:", "deprecat", "i0000", "cuda", "onednn", "absl", "warning")


def is_checked(cell: Any) -> bool:
    """True when nbval compares this cell's output."""
    return cell.cell_type == "code" and (
        CHECK_TAG in cell.metadata.get("tags", []) or cell.source.lstrip().startswith(CHECK_COMMENT)
    )


def source_digest(source: str) -> str:
    """SHA-256 of a cell's source, the stamp that ties its outputs to it."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def stamp(nb: Any) -> Any:
    """Record in every code cell the digest of the source it was just executed from."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata[PUBLISHED_KEY] = {"source_sha256": source_digest(cell.source)}
    return nb


def normalise(nb: Any) -> Any:
    """Drop run-specific noise (timestamps, widget state) so a re-run diffs only where results changed."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def _text(output: Any) -> str:
    data = output.get("data", {})
    return str(output.get("text", "")) + str(data.get("text/plain", "")) + str(data.get("text/html", ""))


def strip_unchecked(nb: Any) -> Any:
    """Empty every code cell that is not checked (no outputs, no execution count); keep checked cells."""
    for cell in nb.cells:
        if cell.cell_type == "code" and not is_checked(cell):
            cell.outputs = []
            cell.execution_count = None
    return nb


def run_problems(nb: Any) -> list[str]:
    """Errors, stderr, warnings and log chatter in any output of a run (the stand-in may be named).

    ``publish --outputs checked`` checks the whole run with this before it strips the
    data-dependent outputs, so a warning in a stripped cell still stops it.
    """
    allowed = ("stand-in", "offline:")  # a quick run on the stand-in announces it
    forbidden = [word for word in FORBIDDEN_TEXT if word not in allowed]
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            found += _output_problems(f"cell {index}", cell, forbidden)
    return found


def _output_problems(where: str, cell: Any, forbidden: Any = FORBIDDEN_TEXT) -> list[str]:
    found = []
    for output in cell.outputs:
        if output.output_type == "error":
            found.append(f"{where}: error output {output.get('ename')}")
        if "execution_count" in output and output.execution_count != cell.execution_count:
            found.append(f"{where}: output's execution count is not the cell's")
        if output.output_type == "stream" and output.name == "stderr":
            found.append(f"{where}: stderr output")
        text = _text(output).lower()
        for word in forbidden:
            if word in text:
                found.append(f"{where}: output mentions {word!r}")
    return found


def violations(nb: Any, name: str | Path | None = None) -> list[str]:
    """List every way ``nb`` breaks the output policy (empty when it complies).

    ``name`` is the notebook's file name (or path); only a name in ``CHECKED_OUTPUTS_ONLY``
    gets that exception's rules, any other name (or none) the full policy.
    """
    exempt = name is not None and Path(name).stem in CHECKED_OUTPUTS_ONLY
    found = []
    code_cells = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    for position, (index, cell) in enumerate(code_cells, 1):
        where = f"cell {index}"
        if exempt and not is_checked(cell):
            if cell.outputs or cell.execution_count is not None:
                found.append(f"{where}: {Path(name).stem} is committed with outputs of checked cells only "
                             "(publish it with python -m helpers.publish --outputs checked)")  # fmt: skip
        elif cell.execution_count != position:
            found.append(f"{where}: execution count {cell.execution_count}, expected {position} "
                         "(publish the notebook with python -m helpers.publish)")  # fmt: skip
        stamped = cell.metadata.get(PUBLISHED_KEY, {}).get("source_sha256")
        if stamped is None:
            found.append(f"{where}: not from a published run (no source digest)")
        elif stamped != source_digest(cell.source):
            found.append(f"{where}: stale output: the source changed after the published run")
        found += _output_problems(where, cell)
    if code_cells and not exempt:
        index, setup = code_cells[0]
        shown = "".join(_text(output) for output in setup.outputs)
        if VERIFIED_SOURCE not in shown or FULL_SPLIT not in shown:
            found.append(f"cell {index}: the setup cell's output does not show verified Fashion-MNIST "
                         f"with the full split ({FULL_SPLIT})")  # fmt: skip
    return found


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.nbclean", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        for problem in violations(nbformat.read(path, as_version=4), path.name):
            print(f"{path}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
