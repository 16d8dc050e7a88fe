"""The combiner: learned weights over [cross-encoder logit, the rules' reason (one-hot), alignment share].

Fitted on the calibration slice (generated + public pairs the cross-encoder never trained on): each
claim is checked by the rules alone against its evidence (`Checker(learned=False)`), and a logistic
regression learns how far to trust the logit given what the rules saw. Pairs the rules settle (a
`VETO` reason, a verbatim quote) are left out: the combiner never decides those when answering.
Two bars, both from the same slice: `threshold` where the rules found the claim supported (balanced
accuracy, capped so that at most 1% of those faithful claims are dropped), and `overturn` where they
rejected it (no calibration lie let through). The learned verifier thus overrules the rules only
where it is confident, and more of it is trusted as the model gets better. Stored as arrays in combiner.npz.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.claims.checks import REASONS, VETO, Checker
from training.verifier.sources import Pair

#: the one-hot order: "" (the rules found it supported) and every reason the combiner can see
OPEN_REASONS = ("", *[r for r in REASONS if r not in VETO])


def rule_signals(pairs: list[Pair], checker: Checker) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """The rules' reason, share, aligned evidence and whether they settle it, per pair."""
    reasons, shares, aligned, settled = [], [], [], []
    for pair in pairs:
        result = checker.rule_check(pair.claim, [pair.evidence])
        reasons.append(result.reason)
        shares.append(result.share)
        aligned.append(result.aligned_evidence or pair.evidence)
        settled.append(result.verbatim or result.reason in VETO or not result.aligned_evidence)
    return reasons, np.array(shares, dtype=np.float64), aligned, np.array(settled)


def _features(logits: np.ndarray, reasons: list[str], shares: np.ndarray) -> np.ndarray:
    onehot = np.zeros((len(reasons), len(OPEN_REASONS)))
    for row, reason in enumerate(reasons):
        if reason in OPEN_REASONS:
            onehot[row, OPEN_REASONS.index(reason)] = 1.0
    return np.column_stack([logits, onehot, shares])


def _logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 3000, lr: float = 0.5
) -> tuple[np.ndarray, float]:
    """Plain batch gradient descent on the L2-regularised log loss (small, deterministic, no extra dependency)."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        grad = p - y
        w -= lr * (x.T @ grad / len(y) + l2 * w)
        b -= lr * float(grad.mean())
    return w, b


#: the share of calibration lies the rules rejected that the learned verifier may let through
MAX_OVERTURNED_LIES = 0.0


#: the share of calibration truths the rules kept that the learned verifier may drop
MAX_DROPPED_TRUTHS = 0.01


def _drop_bar(y: np.ndarray, p: np.ndarray) -> float:
    """The highest bar at which at most MAX_DROPPED_TRUTHS of the rule-kept faithful claims fall below it."""
    truths = np.sort(p[y == 1])
    if not len(truths):
        return 0.5
    return round(float(truths[int(np.floor(MAX_DROPPED_TRUTHS * (len(truths) - 1)))]), 4)


def _overturn_bar(y: np.ndarray, p: np.ndarray, floor: float) -> float:
    """The lowest bar (>= floor) at which at most MAX_OVERTURNED_LIES of the rule-rejected lies pass."""
    lies = p[y == 0]
    for t in np.linspace(floor, 0.999, 200):
        if not len(lies) or (lies >= t).mean() <= MAX_OVERTURNED_LIES:
            return round(float(t), 4)
    return 0.999


def _balanced(y: np.ndarray, p: np.ndarray, t: float) -> float:
    kept = (p[y == 1] >= t).mean() if (y == 1).any() else 1.0
    caught = (p[y == 0] < t).mean() if (y == 0).any() else 1.0
    return 0.5 * (kept + caught)


def fit(
    calib: list[Pair], calib_logits: np.ndarray, test: list[Pair], test_logits: np.ndarray, out: Path, log=print
) -> dict:
    """Fit on the calibration slice, report on the test slice (rules alone, cross-encoder alone, combined)."""
    from training.verifier.build import by_kind

    checker = Checker(None, learned=False)
    reasons, shares, _, settled = rule_signals(calib, checker)
    keep = ~settled
    y = np.array([p.label for p in calib], dtype=np.float64)
    x = _features(calib_logits, reasons, shares)
    w, b = _logistic(x[keep], y[keep])
    probs = 1.0 / (1.0 + np.exp(-(x[keep] @ w + b)))
    rules_ok = np.array([r == "" for r in reasons])[keep]
    grid = np.linspace(0.05, 0.95, 91)
    # where the rules found it supported, the learned verifier may reject it: balanced accuracy picks the
    # bar, capped so that at most MAX_DROPPED_TRUTHS of those faithful claims are dropped
    balanced = float(max(grid, key=lambda t: _balanced(y[keep][rules_ok], probs[rules_ok], t)))
    threshold = min(balanced, _drop_bar(y[keep][rules_ok], probs[rules_ok]))
    # where the rules rejected it, accepting it needs more: at most MAX_OVERTURNED_LIES of those lies pass
    overturn = _overturn_bar(y[keep][~rules_ok], probs[~rules_ok], threshold)
    np.savez(
        out,
        weights=w,
        bias=np.float64(b),
        reasons=np.array(OPEN_REASONS),
        threshold=np.float64(threshold),
        overturn=np.float64(overturn),
    )
    log(
        "combiner weights",
        dict(zip(["logit", *[r or "rules_ok" for r in OPEN_REASONS], "share"], np.round(w, 3))),
        "bias",
        round(b, 3),
        "threshold",
        threshold,
        "overturn",
        overturn,
    )

    # the test slice, three ways: the rules alone, the cross-encoder alone, the full decision
    t_reasons, t_shares, _, t_settled = rule_signals(test, checker)
    rules_ok = np.array([r == "" for r in t_reasons], dtype=np.float64)
    cross = 1.0 / (1.0 + np.exp(-test_logits))
    combined = 1.0 / (1.0 + np.exp(-(_features(test_logits, t_reasons, t_shares) @ w + b)))
    bars = np.where(rules_ok == 1, threshold, overturn)
    decision = np.where(t_settled, rules_ok, (combined >= bars).astype(np.float64))
    return {
        "threshold": round(threshold, 4),
        "overturn": overturn,
        "weights": {
            k: round(float(v), 4) for k, v in zip(["logit", *[r or "rules_ok" for r in OPEN_REASONS], "share"], w)
        },
        "bias": round(float(b), 4),
        "calib_pairs_open": int(keep.sum()),
        "test_rules_alone": by_kind(test, rules_ok),
        "test_cross_encoder_alone": by_kind(test, cross),
        "test_decision": by_kind(test, decision),
        "test_settled_by_rules": round(float(t_settled.mean()), 4),
    }
