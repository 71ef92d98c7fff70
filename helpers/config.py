"""Run-time configuration: quick mode and where the notebooks write files.

Everything here is read from environment variables each time it is asked for, so the
test suite (and a curious student) can change a setting without restarting anything.

============================  ==========================================================
``TDNN_QUICK=1``              quick mode: small data, few epochs (set by the tests)
``TDNN_FIGURES_DIR``          where ``save_fig`` writes PNGs (default: ``figures/``)
``TDNN_WORK_DIR``             where models and logs go (default: ``work/``, git-ignored)
``TDNN_DATA_DIR``             a local folder holding the four Fashion-MNIST files
``TDNN_REQUIRE_REAL_DATA=1``  fail rather than use the offline stand-in (CI)
============================  ==========================================================
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TypeVar

QUICK_ENV = "TDNN_QUICK"
FIGURES_ENV = "TDNN_FIGURES_DIR"
WORK_ENV = "TDNN_WORK_DIR"
DATA_DIR_ENV = "TDNN_DATA_DIR"
REQUIRE_REAL_DATA_ENV = "TDNN_REQUIRE_REAL_DATA"

_TRUE = {"1", "true", "yes", "on"}
T = TypeVar("T", int, list, tuple)


def env_flag(name: str) -> bool:
    """Return True when environment variable ``name`` is set to 1/true/yes/on."""
    return os.environ.get(name, "").strip().lower() in _TRUE


def quick_mode() -> bool:
    """Return True in quick mode (``TDNN_QUICK=1``), which the test suite sets."""
    return env_flag(QUICK_ENV)


def budget(full: T, quick: T) -> T:
    """Return ``full`` normally and ``quick`` in quick mode.

    Notebooks write ``epochs=budget(10, quick=1)``: the full value is what the lesson
    uses, the quick value only keeps the test suite fast. Both are ints (``quick`` at most
    ``full``, both at least 1), or both lists or tuples of the same kind, ``quick`` a non-empty
    selection of ``full``'s items in ``full``'s order, as in
    ``budget([0.01, 0.03, 0.1], quick=[0.01, 0.1])``: quick mode runs some of the cases, not others.
    """
    if isinstance(full, (list, tuple)) or isinstance(quick, (list, tuple)):
        if type(full) is not type(quick) or not isinstance(full, (list, tuple)):
            raise TypeError(f"budget: full and quick must both be lists or both tuples, "
                            f"got {type(full).__name__} and {type(quick).__name__}")
        if not quick:
            raise ValueError("budget: quick must keep at least one item")
        remaining = iter(full)  # each quick item must be found after the one before it
        if not all(any(item == q for item in remaining) for q in quick):
            raise ValueError(f"budget: quick {quick!r} must be items of full {full!r}, each once, in full's order")
        return quick if quick_mode() else full
    for name, value in (("full", full), ("quick", quick)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"budget: {name} must be an int (or both a list or tuple), got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"budget: {name} must be >= 1, got {value}")
    if quick > full:
        raise ValueError(f"budget: quick ({quick}) must not exceed full ({full})")
    return quick if quick_mode() else full


def project_root() -> Path:
    """Return the course's root folder (the one holding ``helpers/`` and ``notebooks/``)."""
    here = Path(__file__).resolve().parent.parent
    if (here / "notebooks").is_dir():
        return here
    for folder in (Path.cwd(), *Path.cwd().parents):  # helpers installed elsewhere
        if (folder / "notebooks").is_dir() and (folder / "helpers").is_dir():
            return folder
    return Path.cwd()


def _dir_from_env(env: str, default: str) -> Path:
    folder = Path(os.environ[env]) if os.environ.get(env) else project_root() / default
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def figures_dir() -> Path:
    """Return (and create) the folder that ``save_fig`` writes into."""
    return _dir_from_env(FIGURES_ENV, "figures")


def work_dir() -> Path:
    """Return (and create) the git-ignored folder for saved models and logs."""
    return _dir_from_env(WORK_ENV, "work")


def run_logdir(name: str) -> Path:
    """Return a fresh TensorBoard log folder ``work/logs/<name>/<timestamp>``.

    Point TensorBoard at ``work/logs`` to compare every run of every notebook.
    """
    if not isinstance(name, str) or not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise ValueError(f"run_logdir: name must be a non-empty folder name, got {name!r}")
    return work_dir() / "logs" / name / time.strftime("%Y%m%d-%H%M%S")
