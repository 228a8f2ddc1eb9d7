"""Pieces the benchmark scripts share: peer checks, one-thread workers, verdicts."""

from __future__ import annotations

import sys

PEER_INSTALL = (
    "pip install optuna optuna-integration optuna-dashboard scikit-optimize cmaes greenlet "
    "pymoo torch==2.13.0"
)


def require_modules(script: str, needed: dict[str, str]) -> None:
    """Exit with the pip command when a module of ``needed`` (module: package) is absent."""
    missing = []
    for module, package in needed.items():
        try:
            __import__(module)
        except ImportError as err:
            missing.append(f"{package} ({err})")
    if missing:
        sys.exit(
            f"benchmarks/{script} needs {', '.join(missing)} for the peers. Install "
            f"them with:\n    {PEER_INSTALL}\nor leave those peers out with --peers."
        )


def one_torch_thread() -> None:
    """Keep torch (Optuna's GPSampler) to one thread in this worker, if installed."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def slower_pairs(base: list[float], ours: list[float]) -> tuple[int, int, float]:
    """Pairs where ``ours`` took longer, pairs, and a one-sided sign test's p-value.

    The k-th runs of the two form a pair (alternating runs, or the same seed);
    p is the chance of at least that many slower pairs out of ``n`` when each
    pair is a fair coin (equal speeds). Ties count as not slower.
    """
    from scipy.stats import binomtest

    pairs = list(zip(base, ours))
    n, slower = len(pairs), sum(o > b for b, o in pairs)
    return slower, n, float(binomtest(slower, n, 0.5, alternative="greater").pvalue)
