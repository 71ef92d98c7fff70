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


def violations(nb: Any) -> list[str]:
    """List every way ``nb`` breaks the output policy (empty when it complies)."""
    found = []
    code_cells = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    for position, (index, cell) in enumerate(code_cells, 1):
        where = f"cell {index}"
        if cell.execution_count != position:
            found.append(f"{where}: execution count {cell.execution_count}, expected {position} "
                         "(publish the notebook with python -m helpers.publish)")  # fmt: skip
        stamped = cell.metadata.get(PUBLISHED_KEY, {}).get("source_sha256")
        if stamped is None:
            found.append(f"{where}: not from a published run (no source digest)")
        elif stamped != source_digest(cell.source):
            found.append(f"{where}: stale output: the source changed after the published run")
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"{where}: error output {output.get('ename')}")
            if "execution_count" in output and output.execution_count != cell.execution_count:
                found.append(f"{where}: output's execution count is not the cell's")
            if output.output_type == "stream" and output.name == "stderr":
                found.append(f"{where}: stderr output")
            text = _text(output).lower()
            for word in FORBIDDEN_TEXT:
                if word in text:
                    found.append(f"{where}: output mentions {word!r}")
    if code_cells:
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
        for problem in violations(nbformat.read(path, as_version=4)):
            print(f"{path}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
