"""Comparing runs over seeds honestly: t intervals of a difference, and Holm's correction.

One mechanism for every seed comparison in the course:

- ``paired_difference(a, b)`` when the runs pair up by seed (same seed, same data order);
- ``welch_difference(a, b)`` otherwise (Welch's t, unequal variances);
- ``compare_to_baseline(results, baseline)`` for several alternatives against a baseline
  chosen *in advance*, with Holm-adjusted p-values, so that "one of eight looks better"
  is not mistaken for a finding;
- ``holm_adjusted(diffs)`` for any other family of comparisons;
- ``comparison_table(...)`` to print the result.

Every difference is ``a - b`` (alternative minus baseline) with a t-based interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats as _st


@dataclass(frozen=True)
class Difference:
    """The difference ``a - b`` of two sets of runs, with its t interval and test."""

    name: str
    mean: float  # mean of a minus mean of b (the mean paired difference when paired)
    low: float  # lower end of the interval at ``level``
    high: float
    t: float
    df: float
    p: float  # two-sided p-value of "no difference"
    n: tuple[int, int]
    paired: bool
    level: float = 0.95
    p_holm: float | None = None  # set by ``compare_to_baseline``

    @property
    def excludes_zero(self) -> bool:
        """True when the interval lies entirely above or below 0 (before any correction)."""
        return self.low > 0 or self.high < 0

    def verdict(self, alpha: float = 0.05) -> str:
        """'higher', 'lower' or 'inconclusive', by the Holm-adjusted p when there is one."""
        p = self.p if self.p_holm is None else self.p_holm
        if p >= alpha:
            return "inconclusive"
        return "higher" if self.mean > 0 else "lower"

    def __str__(self) -> str:
        kind = "paired" if self.paired else "Welch"
        return (f"{self.name}: {self.mean:+.4f} [{self.low:+.4f}, {self.high:+.4f}] "
                f"({kind} t, {self.level:.0%} interval, p = {self.p:.3g})")  # fmt: skip


def _as_runs(values: Sequence[float], what: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: expected a sequence of numbers, got {type(values).__name__}") from None
    if array.ndim != 1 or len(array) < 2:
        raise ValueError(f"{what}: expected a 1-D sequence of at least 2 runs, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: every run must be finite (a diverged run is a result to report apart)")
    return array


def _check_level(level: float) -> None:
    if isinstance(level, bool) or not isinstance(level, float | int) or not 0 < level < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")


def _interval(name, mean, se, df, n, paired, level) -> Difference:
    if se == 0:  # every difference identical: no spread to test against
        p = 1.0 if mean == 0 else 0.0
        t = 0.0 if mean == 0 else float(np.sign(mean) * np.inf)
        return Difference(name, mean, mean, mean, t, df, p, n, paired, level)
    t = mean / se
    half = _st.t.ppf(0.5 + level / 2, df) * se
    p = 2 * _st.t.sf(abs(t), df)
    return Difference(name, mean, mean - half, mean + half, t, df, float(p), n, paired, level)


def paired_difference(
    a: Sequence[float], b: Sequence[float], *, level: float = 0.95, name: str = "a - b"
) -> Difference:
    """Paired t interval of ``a - b``, where ``a[i]`` and ``b[i]`` share seed ``i``."""
    a, b = _as_runs(a, "paired_difference: a"), _as_runs(b, "paired_difference: b")
    if len(a) != len(b):
        raise ValueError(f"paired_difference: a and b must pair up by seed, got {len(a)} and {len(b)} runs")
    _check_level(level)
    d = a - b
    se = d.std(ddof=1) / np.sqrt(len(d))
    return _interval(name, float(d.mean()), float(se), len(d) - 1, (len(a), len(b)), True, level)


def welch_difference(
    a: Sequence[float], b: Sequence[float], *, level: float = 0.95, name: str = "a - b"
) -> Difference:
    """Welch t interval of ``mean(a) - mean(b)`` for unpaired runs with unequal variances."""
    a, b = _as_runs(a, "welch_difference: a"), _as_runs(b, "welch_difference: b")
    _check_level(level)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else len(a) + len(b) - 2
    return _interval(name, float(a.mean() - b.mean()), float(se), float(df), (len(a), len(b)), False, level)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control), in the input order."""
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
        raise ValueError(f"holm: expected a 1-D sequence of p-values in [0, 1], got {p_values!r}")
    m = len(p)
    order = np.argsort(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def compare_to_baseline(
    results: Mapping[str, Sequence[float]],
    baseline: str,
    *,
    paired: bool,
    level: float = 0.95,
) -> list[Difference]:
    """Each alternative minus the ``baseline`` (chosen in advance), with Holm-adjusted p-values.

    ``results`` maps a name to its runs (one value per seed, in seed order when
    ``paired``). Returns one ``Difference`` per alternative, in the mapping's order.
    """
    if not isinstance(results, Mapping):
        raise TypeError(f"compare_to_baseline: results must map names to runs, got {type(results).__name__}")
    if baseline not in results:
        raise ValueError(f"compare_to_baseline: baseline {baseline!r} is not one of {list(results)}")
    if len(results) < 2:
        raise ValueError("compare_to_baseline: need the baseline and at least one alternative")
    difference = paired_difference if paired else welch_difference
    diffs = [
        difference(runs, results[baseline], level=level, name=f"{name} - {baseline}")
        for name, runs in results.items()
        if name != baseline
    ]
    return holm_adjusted(diffs)


def holm_adjusted(diffs: Sequence[Difference]) -> list[Difference]:
    """The same differences with Holm-adjusted p-values set, for one family of comparisons.

    Use it when the comparisons of a family are not all against one baseline (for
    example BN minus plain at each of several learning rates).
    """
    if not diffs or not all(isinstance(d, Difference) for d in diffs):
        raise TypeError("holm_adjusted: expected a non-empty sequence of Difference")
    adjusted = holm([d.p for d in diffs])
    return [replace(d, p_holm=float(q)) for d, q in zip(diffs, adjusted)]


def comparison_table(diffs: Sequence[Difference], *, alpha: float = 0.05) -> str:
    """A plain-text table of differences: mean, interval, p, Holm-adjusted p and verdict."""
    if not diffs or not all(isinstance(d, Difference) for d in diffs):
        raise TypeError("comparison_table: expected a non-empty sequence of Difference")
    kind = "paired" if diffs[0].paired else "Welch"
    rows = [("difference", "mean", f"{diffs[0].level:.0%} interval ({kind} t)", "p", "p (Holm)", "verdict")]
    for d in diffs:
        holm_p = "" if d.p_holm is None else f"{d.p_holm:.3f}"
        rows.append((d.name, f"{d.mean:+.4f}", f"[{d.low:+.4f}, {d.high:+.4f}]", f"{d.p:.3f}", holm_p, d.verdict(alpha)))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = ["  ".join(cell.ljust(w) if i in (0, 5) else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows]  # fmt: skip
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
