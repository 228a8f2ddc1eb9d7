"""Resuming a stored study from a script whose functions were, or were not, edited.

The search runs in a fresh process each time, from a script the test writes
(as a user reruns theirs), against one SQLite file. A scorer or a
preprocessing function edited between two runs is another search: the
resume raises StudyMismatch naming the scoring or the estimator, instead of
mixing two metrics in one study (a module-level ``def`` was hashed by its
name alone). The same script, rerun, resumes: a lambda or a local function
hashes the same in every process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = """
import json
import sys

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from scout_sklearn import ScoutSearchCV
from scout_sklearn.exceptions import StudyMismatch


def metric(y_true, y_pred):
    return NAMED_DEF_BODY


def prep(X):
    return PREP_BODY


def main():
    def local_scorer(estimator, X, y):
        return LOCAL_DEF_BODY

    scorings = {
        "named def": make_scorer(metric),
        "lambda": lambda estimator, X, y: LAMBDA_BODY,
        "local def": local_scorer,
    }
    url, scoring, n_trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
    search = ScoutSearchCV(
        make_pipeline(FunctionTransformer(prep), LogisticRegression(max_iter=300)),
        {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]},
        sampler="grid",
        n_trials=n_trials,
        cv=2,
        random_state=0,
        scoring=scorings[scoring],
        storage=url,
        study_name="edited",
    )
    try:
        search.fit(*load_iris(return_X_y=True))
    except StudyMismatch as error:
        print(json.dumps({"mismatch": str(error)}))
    else:
        scores = [float(s) for s in search.cv_results_["mean_test_score"]]
        print(json.dumps({"trials": len(search.study_.trials), "scores": scores}))


main()
"""

BODIES = {
    "NAMED_DEF_BODY": "accuracy_score(y_true, y_pred)",
    "LOCAL_DEF_BODY": "estimator.score(X, y)",
    "LAMBDA_BODY": "estimator.score(X, y)",
    "PREP_BODY": "X",
}
EDITED = {  # another metric, another preprocessing
    "NAMED_DEF_BODY": "-100.0 * accuracy_score(y_true, y_pred)",
    "LOCAL_DEF_BODY": "-100.0 * estimator.score(X, y)",
    "LAMBDA_BODY": "-100.0 * estimator.score(X, y)",
    "PREP_BODY": "X * 0.0",
}
PLACEHOLDER = {
    "named def": "NAMED_DEF_BODY",
    "lambda": "LAMBDA_BODY",
    "local def": "LOCAL_DEF_BODY",
}


def _run(
    tmp_path: Path, scoring: str, n_trials: int, edited: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Write the script (with ``edited`` bodies changed) and run it in a new process."""
    source = SCRIPT
    for placeholder, body in BODIES.items():
        source = source.replace(
            placeholder, EDITED[placeholder] if placeholder in edited else body
        )
    script = tmp_path / "search.py"
    script.write_text(source)
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    done = subprocess.run(
        [sys.executable, str(script), url, scoring, str(n_trials)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize("scoring", ["named def", "lambda", "local def"])
def test_a_rerun_resumes_and_an_edited_scorer_is_refused(
    tmp_path: Path, scoring: str
) -> None:
    first = _run(tmp_path, scoring, 2)
    assert first["trials"] == 2

    rerun = _run(tmp_path, scoring, 3)  # the same script in a new process: resumes
    assert rerun["trials"] == 3
    assert rerun["scores"][:2] == first["scores"]

    edited = _run(tmp_path, scoring, 4, edited=(PLACEHOLDER[scoring],))
    assert "mismatch" in edited, edited  # was: resumed, scores 0.9 then -90
    assert "different search: scoring changed" in edited["mismatch"]


@pytest.mark.slow
def test_an_edited_function_inside_the_estimator_is_refused(tmp_path: Path) -> None:
    assert _run(tmp_path, "named def", 2)["trials"] == 2

    edited = _run(tmp_path, "named def", 4, edited=("PREP_BODY",))

    assert "mismatch" in edited, edited  # was: resumed on zeroed features
    assert "different search: estimator changed" in edited["mismatch"]
