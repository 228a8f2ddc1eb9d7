"""Take the screenshots of the dashboard shown in docs/guide/dashboard.rst.

Run from the repository root with ``python docs/dashboard_screenshots.py``
(about a minute; needs the dashboard extra, Playwright and Debian's
chromium). It runs three real searches on bundled datasets into a SQLite
file in a temporary directory, serves them with ``scout_sklearn.dashboard``
and saves one PNG per page in ``docs/_static/dashboard/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Categorical, Float, ScoutSearchCV
from scout_sklearn.dashboard import serve

OUT = Path(__file__).parent / "_static" / "dashboard"
CHROMIUM = os.environ.get("SCOUT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def searches(url: str) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    space = {
        "svc__C": Float(1e-3, 1e3, log=True),
        "svc__gamma": loguniform(1e-5, 1),
        "svc__kernel": ["rbf", "poly"],
    }
    for name, sampler in (("svc random", "random"), ("svc tpe", "tpe")):
        ScoutSearchCV(
            make_pipeline(StandardScaler(), SVC()),
            space,
            sampler=sampler,
            n_trials=40,
            cv=5,
            random_state=0,
            storage=url,
            study_name=name,
            refit=False,
        ).fit(X, y)
    X, y = load_digits(return_X_y=True)
    ScoutSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": Float(1e-6, 1e-1, log=True), "penalty": Categorical(["l2", "l1"])},
        sampler="random",
        pruner="asha",
        n_trials=40,
        cv=3,
        random_state=0,
        storage=url,
        study_name="sgd pruned",
        refit=False,
    ).fit(X, y)


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/scout.db"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            searches(url)
        server = serve(url, port=0, block=False, quiet=True)
        assert server is not None
        base = server.url.rstrip("/")
        pages = {
            "studies": "/",
            "study": "/study?name=svc%20tpe",
            "pruned": "/study?name=sgd%20pruned",
            "trial": "/trial?study=sgd%20pruned&number=3",
            "compare": "/compare?study=svc%20random&study=svc%20tpe",
        }
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                for name, path in pages.items():
                    page.goto(base + path)
                    page.wait_for_selector(
                        "body[data-ready='1'], #studies tbody tr", timeout=60_000
                    )
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                    print("saved", OUT / f"{name}.png")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
