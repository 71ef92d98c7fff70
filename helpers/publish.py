"""Publish notebooks: run each source top to bottom in a fresh kernel, in full mode, and save it.

The percent script ``notebooks/NN_name.py`` is the source (paired with the notebook by
Jupytext); this command executes it with nbclient, stamps every code cell with the digest
of the source it ran, checks the output policy (``helpers.nbclean``) and only then writes
``notebooks/NN_name.ipynb``. Figures go to ``figures/``. It also writes a timing table
(wall time per notebook and its slowest cells) as Markdown and JSON.

Usage, from the repository root::

    python -m helpers.publish notebooks/0*.py              # full mode: publish
    python -m helpers.publish --quick notebooks/0*.py      # quick mode: time only, writes no notebook
    python -m helpers.publish --outputs checked notebooks/09_cifar10_capstone.py

Full mode needs the real Fashion-MNIST (a local copy, or Keras' download); a notebook
whose run fails, warns or used the stand-in is not written.

``--outputs checked`` is only for the notebooks in ``nbclean.CHECKED_OUTPUTS_ONLY`` (09, CIFAR-10,
which no machine of ours has): it runs the notebook in quick mode on the offline stand-in, to
prove it runs, and writes it with the outputs of its checked cells only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers import nbclean
from helpers.config import FIGURES_ENV, QUICK_ENV, REQUIRE_REAL_DATA_ENV, WORK_ENV, work_dir

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def source_of(path: Path) -> Path:
    """The percent-script source of a notebook path (``.py`` or ``.ipynb`` accepted)."""
    path = Path(path)
    if path.suffix not in {".py", ".ipynb"}:
        raise ValueError(f"publish: expected a notebook's .py source or .ipynb, got {path}")
    source = path.with_suffix(".py")
    if not source.is_file():
        raise FileNotFoundError(f"publish: no source {source} (the percent script paired with the notebook)")
    return source


def _seconds(cell: Any) -> float:
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def execute(source: Path, *, quick: bool, timeout: int = 1800) -> tuple[Any, dict[str, Any]]:
    """Run ``source`` in a fresh kernel from its folder; return the notebook and its timing."""
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    saved = dict(os.environ)
    os.environ.pop(QUICK_ENV, None)
    if quick:  # quick-mode figures and files must never replace the published ones
        scratch = tempfile.mkdtemp(prefix="tdnn-quick-")
        os.environ.update({QUICK_ENV: "1", FIGURES_ENV: f"{scratch}/figures", WORK_ENV: f"{scratch}/work"})
    else:
        os.environ[REQUIRE_REAL_DATA_ENV] = "1"  # a published run never uses the stand-in
    started = time.perf_counter()
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(source.parent)}})  # fmt: skip
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    wall = time.perf_counter() - started
    cells = [(index, _seconds(cell), cell.source.splitlines()[0] if cell.source else "")
             for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]  # fmt: skip
    slowest = sorted(cells, key=lambda c: -c[1])[:3]
    timing = {
        "notebook": source.stem,
        "mode": "quick" if quick else "full",
        "wall_s": round(wall, 1),
        "slowest_cells": [{"cell": i, "seconds": round(s, 1), "first_line": line[:60]} for i, s, line in slowest],
    }
    return nb, timing


def timing_markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of wall time per notebook and its slowest cells."""
    mode = rows[0]["mode"] if rows else "?"
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {platform.node() or 'this machine'} "
             f"({os.cpu_count()} CPU cores, {platform.machine()}), {mode} mode.", "",
             "| notebook | wall time | slowest cells (index: seconds) |", "|---|---|---|"]  # fmt: skip
    for row in rows:
        slow = ", ".join(f"{c['cell']}: {c['seconds']:.0f} s" for c in row["slowest_cells"])
        lines.append(f"| {row['notebook']} | {row['wall_s']:.0f} s ({row['wall_s'] / 60:.1f} min) | {slow} |")
    total = sum(row["wall_s"] for row in rows)
    lines.append(f"| **all** | {total:.0f} s ({total / 60:.1f} min) | |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.publish", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks/NN_name.py (or .ipynb)")
    parser.add_argument("--quick", action="store_true", help="quick mode: time the run, write no notebook")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--outputs", choices=("all", "checked"), default="all",
                        help="checked: run in quick mode and keep only checked cells' outputs "
                             f"(only for {', '.join(sorted(nbclean.CHECKED_OUTPUTS_ONLY))})")  # fmt: skip
    args = parser.parse_args(argv)
    checked_only = args.outputs == "checked"
    if checked_only and args.quick:
        parser.error("--outputs checked already runs in quick mode; drop --quick")
    status, rows = 0, []
    for path in args.notebooks:
        source = source_of(path)
        if checked_only and source.stem not in nbclean.CHECKED_OUTPUTS_ONLY:
            print(f"{source}: --outputs checked is only for {sorted(nbclean.CHECKED_OUTPUTS_ONLY)}; "
                  "publish it in full mode on the real data")  # fmt: skip
            status = 1
            continue
        quick = args.quick or checked_only
        print(f"{source}: running in {'quick' if quick else 'full'} mode ...", flush=True)
        try:
            nb, timing = execute(source, quick=quick, timeout=args.timeout)
        except CellExecutionError as error:
            print(f"{source}: FAILED, notebook not written\n{str(error)[-2000:]}")
            status = 1
            continue
        rows.append(timing)
        print(f"{source}: {timing['wall_s']:.0f} s")
        if args.quick:
            continue
        problems = nbclean.run_problems(nb) if checked_only else []
        if checked_only and not problems:
            nbclean.strip_unchecked(nb)
        nbclean.normalise(nbclean.stamp(nb))
        problems = problems or nbclean.violations(nb, source.name)
        if problems:
            print(f"{source}: breaks the output policy, notebook not written:\n  " + "\n  ".join(problems))
            status = 1
            continue
        nbformat.write(nb, source.with_suffix(".ipynb"))
        print(f"{source.with_suffix('.ipynb')}: published")
    if rows:
        folder = work_dir() / "timing"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{rows[0]['mode']}-{time.strftime('%Y%m%d-%H%M%S')}"
        (folder / f"{stem}.json").write_text(json.dumps(rows, indent=1))
        (folder / f"{stem}.md").write_text(timing_markdown(rows))
        print(timing_markdown(rows) + f"\n(written to {folder / stem}.md and .json)")
    return status


if __name__ == "__main__":
    sys.exit(main())
