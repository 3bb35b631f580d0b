"""Rule 6 of the ranking: the jury's agreement. The rules are listed in the package's doc."""

import numpy as np


def krippendorff_alpha_interval(unit: np.ndarray, value: np.ndarray) -> float | None:
    """Krippendorff's alpha, interval metric, for values grouped into units by ``unit``.

    alpha = 1 - (n - 1) * Σ_u Σ_{i≠j in u} (v_i - v_j)² / (m_u - 1)  /  Σ_{i≠j} (v_i - v_j)²

    over the n values in units with at least two values (m_u values in unit u). Each sum of
    squared differences over ordered pairs is 2 (m Σv² - (Σv)²), so the whole is one pass.
    """
    if len(value) == 0:
        return None
    _, inverse, counts = np.unique(unit, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=value)
    squares = np.bincount(inverse, weights=value * value)
    pairable = counts >= 2
    m, s, q = counts[pairable].astype(np.float64), sums[pairable], squares[pairable]
    n = m.sum()
    if n < 2:
        return None
    within = (2 * (m * q - s * s) / (m - 1)).sum()
    total = 2 * (n * q.sum() - s.sum() ** 2)
    if total <= 1e-12 * max(1.0, n * q.sum()):
        return None
    return float(1 - (n - 1) * within / total)
