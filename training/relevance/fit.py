"""L2-regularised logistic regression by Newton's method, in numpy (deterministic, no dependency).

Features are standardised first (mean 0, scale 1 on the training rows); the standardisation is part
of the model, so inference is `((x - mean) / scale) @ coef + intercept`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Fitted:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {
            f"{name}_mean": self.mean.astype(np.float64),
            f"{name}_scale": self.scale.astype(np.float64),
            f"{name}_coef": self.coef.astype(np.float64),
            f"{name}_intercept": np.asarray([self.intercept], dtype=np.float64),
        }


def fit_logistic(
    x: np.ndarray, y: np.ndarray, *, weights: np.ndarray | None = None, l2: float = 1.0, iterations: int = 50
) -> Fitted:
    """Weighted logistic regression; `l2` penalises the coefficients (not the intercept) per row weight."""
    y = y.astype(float)
    w = np.ones(len(y)) if weights is None else weights.astype(float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.column_stack([(x - mean) / scale, np.ones(len(y))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return Fitted(mean, scale, beta[:-1], float(beta[-1]))


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve (ties count half)."""
    pos, neg = score[label == 1], score[label == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    ranks_sorted = np.arange(1, len(order) + 1, dtype=float)
    # average ranks of ties
    unique, start = np.unique(values, return_index=True)
    counts = np.diff(np.append(start, len(values)))
    for s, c in zip(start, counts):
        ranks_sorted[s : s + c] = ranks_sorted[s : s + c].mean()
    ranks[order] = ranks_sorted
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))
