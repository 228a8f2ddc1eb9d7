"""Intersphinx inventories of the libraries the guides and examples link to.

joblib, XGBoost, LightGBM and Dask's ``distributed`` publish Sphinx
inventories on their sites, which the docs build cannot download (it runs
offline, with ``-W``). Like ``sklearn_inventory.py``, this writes a small
stand-in inventory per library: the names our pages and examples use, each
pointing at the page its library's own reference documents it on (the
address patterns of those sites: one page per name for joblib and LightGBM,
one API page with an anchor per name for XGBoost and ``distributed``).
Both the public spelling (``xgboost.XGBClassifier``) and the defining
module's (``xgboost.sklearn.XGBClassifier``, what sphinx-gallery looks up
for a name in an example's code) are listed.
"""

from __future__ import annotations

import zlib
from pathlib import Path

# library -> (root URL, page pattern, {public name: (role, defining module)})
LIBRARIES: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "joblib": (
        "https://joblib.readthedocs.io/en/stable/",
        "generated/{name}.html#{name}",
        {
            "joblib.Parallel": ("py:class", "joblib.parallel"),
            "joblib.delayed": ("py:function", "joblib.parallel"),
            "joblib.parallel_config": ("py:class", "joblib.parallel"),
            "joblib.parallel_backend": ("py:class", "joblib.parallel"),
            "joblib.cpu_count": ("py:function", "joblib.parallel"),
            "joblib.Memory": ("py:class", "joblib.memory"),
            "joblib.dump": ("py:function", "joblib.numpy_pickle"),
            "joblib.load": ("py:function", "joblib.numpy_pickle"),
        },
    ),
    "xgboost": (
        "https://xgboost.readthedocs.io/en/stable/",
        "python/python_api.html#{name}",
        {
            "xgboost.XGBClassifier": ("py:class", "xgboost.sklearn"),
            "xgboost.XGBRegressor": ("py:class", "xgboost.sklearn"),
            "xgboost.XGBRanker": ("py:class", "xgboost.sklearn"),
        },
    ),
    "lightgbm": (
        "https://lightgbm.readthedocs.io/en/stable/",
        "pythonapi/{name}.html#{name}",
        {
            "lightgbm.LGBMClassifier": ("py:class", "lightgbm.sklearn"),
            "lightgbm.LGBMRegressor": ("py:class", "lightgbm.sklearn"),
            "lightgbm.LGBMRanker": ("py:class", "lightgbm.sklearn"),
            "lightgbm.early_stopping": ("py:function", "lightgbm.callback"),
        },
    ),
    "distributed": (
        "https://distributed.dask.org/en/stable/",
        "api.html#{name}",
        {
            "distributed.Client": ("py:class", "distributed.client"),
            "distributed.LocalCluster": ("py:class", "distributed.deploy.local"),
        },
    ),
}


def write_inventories(folder: Path) -> dict[str, tuple[str, str]]:
    """Write one inventory per library into ``folder``; the intersphinx mapping."""
    mapping = {}
    for library, (root, pattern, names) in LIBRARIES.items():
        lines = []
        for public, (role, module) in sorted(names.items()):
            page = pattern.format(name=public)
            short = public.rpartition(".")[2]
            for spelling in (public, f"{module}.{short}"):
                lines.append(f"{spelling} {role} 1 {page} -\n")
        header = (
            "# Sphinx inventory version 2\n"
            f"# Project: {library}\n"
            "# Version: stable\n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        path = Path(folder) / f"{library}.inv"
        path.write_bytes(
            header.encode() + zlib.compress("".join(sorted(set(lines))).encode())
        )
        mapping[library] = (root, str(path))
    return mapping
