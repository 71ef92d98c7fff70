"""Self-check functions for exercises: they give feedback and never stop the notebook.

Each returns True when the answer is right and prints one line of feedback: correct,
not yet (with a hint), or not attempted (the exercise still holds ``...``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.probes import rel_error


def _report(name: str, passed: bool | None, detail: str = "") -> bool:
    if passed is None:
        print(f"[ ] {name}: not attempted yet. {detail}".rstrip())
    elif passed:
        print(f"[✓] {name}: correct. {detail}".rstrip())
    else:
        print(f"[✗] {name}: not yet. {detail}".rstrip())
    return bool(passed)


def _unanswered(value: Any) -> bool:
    return value is None or value is Ellipsis


def check_value(name: str, answer: Any, expected: Any, *, rtol: float = 1e-6, hint: str = "") -> bool:
    """Compare a number or array with the expected one: passes when ``rel_error < rtol``.

    ``rel_error`` is ``|x - y| / (|x| + |y|)``, about half the usual relative difference:
    ``rtol=0.05`` accepts answers within roughly 10% of the expected value.
    """
    if not isinstance(name, str) or not name:
        raise ValueError("check_value: name must be a non-empty string")
    if _unanswered(answer):
        return _report(name, None, "Replace the `...` with your answer.")
    try:
        error = rel_error(answer, expected)
    except (TypeError, ValueError) as problem:
        return _report(name, False, f"Could not compare your answer: {problem}. {hint}")
    return _report(name, error < rtol, "" if error < rtol else hint)


def check_function(
    name: str,
    fn: Callable[..., Any],
    cases: Sequence[tuple[tuple[Any, ...], Any]],
    *,
    rtol: float = 1e-6,
    hint: str = "",
) -> bool:
    """Call ``fn(*args)`` for each ``(args, expected)`` case; compare as ``check_value`` does."""
    if not callable(fn):
        raise TypeError(f"check_function: fn must be callable, got {type(fn).__name__}")
    if not cases:
        raise ValueError("check_function: give at least one (args, expected) case")
    for args, expected in cases:
        try:
            answer = fn(*args)
        except NotImplementedError:
            answer = None
        if _unanswered(answer):
            return _report(name, None, f"Fill in `{getattr(fn, '__name__', 'the function')}`.")
        try:
            error = rel_error(answer, expected)
        except (TypeError, ValueError) as problem:
            return _report(name, False, f"for arguments {args}: {problem}. {hint}")
        if not error < rtol:
            shown = np.round(np.asarray(answer, dtype=float), 6)
            return _report(name, False, f"for arguments {args} you returned {shown}. {hint}")
    return _report(name, True)


def check_condition(name: str, answer: Any, condition: Callable[[Any], bool], *, hint: str = "") -> bool:
    """Check an answer by a property it must have (for experiments, not single numbers).

    ``answer`` may be a value or a function the student wrote. A stub that raises
    ``NotImplementedError`` (or returns None where ``condition`` expects a result) counts
    as not attempted; any other error inside ``condition`` is reported, not raised.
    """
    if not callable(condition):
        raise TypeError(f"check_condition: condition must be callable, got {type(condition).__name__}")
    if _unanswered(answer):
        return _report(name, None, "Replace the `...` with your answer.")
    try:
        passed = bool(condition(answer))
    except NotImplementedError:
        return _report(name, None, "Fill in your answer.")
    except Exception as problem:  # the student's code failed inside the check
        if callable(answer) and _came_from_none(problem):
            return _report(name, None, f"Fill in `{getattr(answer, '__name__', 'the function')}`.")
        return _report(name, False, f"Your answer raised {type(problem).__name__}: {problem}. {hint}")
    return _report(name, passed, "" if passed else hint)


def _letters(value: Any) -> frozenset[str] | None:
    """A choice as a set of lower-case letters: "b", "AC", ["a", "c"] or {"a", "c"}; None if not letters."""
    if isinstance(value, str):
        items = list(value.replace(",", "").replace(" ", ""))
    elif isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        items = [letter for v in value for letter in v.replace(",", "").replace(" ", "")]
    else:
        return None
    return frozenset(letter.lower() for letter in items) if items else None


def check_choice(name: str, answer: Any, correct: Any, *, options: str, hint: str = "") -> bool:
    """Check a multiple-choice answer: one letter (``"b"``) or, for "select all", several (``"ac"``).

    ``options`` lists the letters offered (``"abcd"``); ``correct`` is the right letter or
    letters. Case, spaces and commas do not matter, nor the order of several letters. An answer
    with a letter that is not offered gets feedback naming the options; it never raises.
    """
    if not isinstance(name, str) or not name:
        raise ValueError("check_choice: name must be a non-empty string")
    allowed = _letters(options) if isinstance(options, str) else None
    if not allowed or len(allowed) < 2:
        raise ValueError(f"check_choice: options must be a string of at least two letters, such as 'abcd', got {options!r}")
    expected = _letters(correct)
    if expected is None or not expected <= allowed:
        raise ValueError(f"check_choice: correct must be letters among {''.join(sorted(allowed))!r}, got {correct!r}")
    if _unanswered(answer):
        return _report(name, None, "Replace the `...` with your answer.")
    given = _letters(answer)
    choices = ", ".join(sorted(allowed))
    if given is None or not given <= allowed:
        return _report(name, False, f"Answer with letters among {choices} (a string such as \"b\"). {hint}".rstrip())
    if given == expected:
        return _report(name, True)
    if len(expected) > 1 and given < expected:
        return _report(name, False, f"Right so far, but more than that is true. {hint}".rstrip())
    return _report(name, False, hint)


def _came_from_none(problem: Exception) -> bool:
    """True when ``problem`` comes from using the None that a ``...`` stub returned."""
    return isinstance(problem, (TypeError, AttributeError)) and "NoneType" in str(problem)
