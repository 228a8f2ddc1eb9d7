"""CPU-time A/B of ScoutSearchCV and GridSearchCV at n_jobs=1 (whole grid).

Run it from the repository root with ``python benchmarks/overhead_ab.py``
(about 3 minutes). The same 300-candidate x 3-fold decision-tree grid as
``overhead.py``; both searches alternate (ABBA) over 16 repeats after one
warm-up fit each, and each fit is timed in CPU seconds of this process,
which other load on the machine disturbs less than wall time. Prints the
medians, the spread, and three ratios (of medians, of minima, median of the
paired ratios). Target, as in overhead.py: at most 1.05.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import ScoutSearchCV

REPEATS = 16
GRID = {"max_depth": list(range(1, 21)), "min_samples_leaf": list(range(1, 16))}


def main() -> None:
    X, y = load_wine(return_X_y=True)
    searches: dict[str, Callable[[], Any]] = {
        "ScoutSearchCV": lambda: ScoutSearchCV(
            DecisionTreeClassifier(random_state=0), GRID, cv=3
        ),
        "GridSearchCV": lambda: GridSearchCV(
            DecisionTreeClassifier(random_state=0), GRID, cv=3
        ),
    }
    for make in searches.values():
        make().fit(X, y)
    seconds: dict[str, list[float]] = {name: [] for name in searches}
    for repeat in range(REPEATS):
        order = list(searches) if repeat % 2 == 0 else list(searches)[::-1]
        for name in order:
            gc.collect()
            start = time.process_time()
            searches[name]().fit(X, y)
            seconds[name].append(time.process_time() - start)
    scout, grid = seconds["ScoutSearchCV"], seconds["GridSearchCV"]
    for name, values in seconds.items():
        print(
            f"{name:<14} CPU s median {statistics.median(values):.3f} "
            f"[{min(values):.3f} .. {max(values):.3f}]"
        )
    paired = [a / b for a, b in zip(scout, grid)]
    print(
        f"ratio of medians {statistics.median(scout) / statistics.median(grid):.3f}, "
        f"of minima {min(scout) / min(grid):.3f}, median of paired ratios "
        f"{statistics.median(paired):.3f} (target <= 1.05)"
    )


if __name__ == "__main__":
    main()
