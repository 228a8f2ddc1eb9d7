"""The tasks of the sampler benchmarks: 20 tunings on data that ships with scikit-learn.

Every task is a scikit-learn estimator or pipeline, a scorer and a search
space, described once here and translated into each library's own terms
(ScoutSearchCV's Float/Int/lists, scipy.stats for RandomizedSearchCV and
HalvingRandomSearchCV, Optuna's distributions, scikit-optimize's
dimensions). The data is bundled with scikit-learn or made by its
``make_*`` generators with a fixed seed: nothing is downloaded.

The tasks are split into two fixed halves, ``A`` and ``B``, each spread
over the same kinds of task (2-3 numeric parameters, 5-8 mixed float/int
parameters, numeric + categorical, conditional spaces, 12 or more
parameters; classification and regression; small noisy data and larger
cheap data; linear models, kernels, trees and boosting, neural nets,
pipelines), so that a rule chosen on one half can be judged on the other.

Conditional spaces: ScoutSearchCV and RandomizedSearchCV take the list of
dicts. Optuna's OptunaSearchCV and scikit-optimize's BayesSearchCV take one
dict, so they get the *flat* form: every parameter of every branch plus a
categorical that picks the branch; the estimator ignores the parameters of
the other branches (SVC ignores ``degree`` with an rbf kernel;
:class:`ModelChoice` holds one estimator per branch), which is how their
users write such a search.
"""

from __future__ import annotations

import warnings

import numpy as np
from flat_models import ModelChoice, RegressorChoice
from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.svm import SVC, SVR
from suite_model import (
    CV_FOLDS,
    Branch,
    Ca,
    Fl,
    In,
    P,
    Task,
    breast,
    clf_large,
    clf_noisy,
    diabetes,
    digits,
    digits_800,
    friedman,
    friedman_1000,
    friedman_large,
    friedman_mid,
    friedman_xl,
    int_grid,
    lin_grid,
    log_grid,
    reg_large,
    wide,
)


# -- the tasks ---------------------------------------------------------------------------
def _tasks() -> list[Task]:
    svc_branches = (
        Branch(
            "rbf",
            {"kernel": "rbf"},
            (Fl("C", 1e-2, 1e2, True), Fl("gamma", 1e-4, 1.0, True)),
        ),
        Branch(
            "poly",
            {"kernel": "poly"},
            (
                Fl("C", 1e-2, 10.0, True),
                Fl("gamma", 1e-4, 1.0, True),
                In("degree", 2, 3),
                Fl("coef0", 0.0, 1.0),
            ),
        ),
        Branch("linear", {"kernel": "linear"}, (Fl("C", 1e-3, 10.0, True),)),
    )
    logreg_branches = (
        Branch(
            "l2",
            {"penalty": "l2", "solver": "lbfgs"},
            (Fl("C", 1e-4, 1e2, True), Ca("class_weight", None, "balanced")),
        ),
        Branch(
            "l1",
            {"penalty": "l1", "solver": "liblinear"},
            (
                Fl("C", 1e-3, 1e2, True),
                Ca("class_weight", None, "balanced"),
                Fl("intercept_scaling", 0.1, 10.0, True),
            ),
        ),
        Branch(
            "elasticnet",
            {"penalty": "elasticnet", "solver": "saga"},
            (
                Fl("C", 1e-3, 1e2, True),
                Ca("class_weight", None, "balanced"),
                Fl("l1_ratio", 0.0, 1.0),
            ),
        ),
    )
    model_branches = (
        Branch(
            "logreg",
            {"clf": LogisticRegression(max_iter=2000)},
            (Fl("clf__C", 1e-4, 1e2, True),),
        ),
        Branch(
            "rf",
            {"clf": RandomForestClassifier(random_state=0)},
            (
                In("clf__n_estimators", 10, 150, True),
                In("clf__max_depth", 2, 16),
                Fl("clf__max_features", 0.05, 1.0),
            ),
        ),
        Branch(
            "svc",
            {"clf": SVC()},
            (Fl("clf__C", 1e-2, 1e3, True), Fl("clf__gamma", 1e-4, 1.0, True)),
        ),
    )
    regressor_branches = (
        Branch("ridge", {"reg": Ridge()}, (Fl("reg__alpha", 1e-4, 1e3, True),)),
        Branch(
            "knn",
            {"reg": KNeighborsRegressor()},
            (
                In("reg__n_neighbors", 1, 60, True),
                Ca("reg__weights", "uniform", "distance"),
            ),
        ),
        Branch(
            "svr",
            {"reg": SVR()},
            (
                Fl("reg__C", 1e-2, 1e3, True),
                Fl("reg__gamma", 1e-4, 1.0, True),
                Fl("reg__epsilon", 1e-3, 1.0, True),
            ),
        ),
    )
    return [
        # ---- half A ----
        Task(
            "svc_digits",
            "A",
            ("2-3 numeric", "classification", "kernel"),
            digits,
            lambda: SVC(kernel="rbf"),
            "accuracy",
            (Fl("C", 1e-3, 1e3, True), Fl("gamma", 1e-5, 1.0, True)),
            grid={"C": log_grid(1e-3, 1e3, 10), "gamma": log_grid(1e-5, 1.0, 10)},
            description="SVC(kernel='rbf') on digits",
        ),
        Task(
            "svr_friedman",
            "A",
            ("2-3 numeric", "regression", "kernel", "pipeline"),
            friedman_1000,
            lambda: make_pipeline(StandardScaler(), SVR()),
            "neg_mean_absolute_error",
            (
                Fl("svr__C", 1e-2, 1e3, True),
                Fl("svr__gamma", 1e-4, 1.0, True),
                Fl("svr__epsilon", 1e-3, 3.0, True),
            ),
            grid={
                "svr__C": log_grid(1e-2, 1e3, 5),
                "svr__gamma": log_grid(1e-4, 1.0, 5),
                "svr__epsilon": log_grid(1e-3, 3.0, 4),
            },
            description="StandardScaler + SVR on make_friedman1 (1,000 rows)",
        ),
        Task(
            "hgb_breast",
            "A",
            ("5-8 mixed", "classification", "boosting"),
            breast,
            lambda: HistGradientBoostingClassifier(random_state=0),
            "roc_auc",
            (
                Fl("learning_rate", 1e-3, 1.0, True),
                In("max_leaf_nodes", 4, 64),
                In("min_samples_leaf", 2, 64),
                Fl("l2_regularization", 1e-6, 10.0, True),
                In("max_iter", 20, 300),
            ),
            resource="max_iter",
            description="HistGradientBoostingClassifier on breast cancer",
        ),
        Task(
            "et_friedman",
            "A",
            ("5-8 mixed", "regression", "trees"),
            friedman,
            lambda: ExtraTreesRegressor(bootstrap=True, random_state=0),
            "r2",
            (
                In("n_estimators", 10, 120, True),
                In("max_depth", 2, 24),
                In("min_samples_split", 2, 40),
                In("min_samples_leaf", 1, 30),
                Fl("max_features", 0.1, 1.0),
                Fl("max_samples", 0.3, 1.0),
            ),
            resource="n_estimators",
            description="ExtraTreesRegressor(bootstrap=True) on make_friedman1 (600 rows)",
        ),
        Task(
            "mlp_digits",
            "A",
            ("numeric + categorical", "classification", "neural net", "pipeline"),
            digits_800,
            lambda: make_pipeline(
                StandardScaler(), MLPClassifier(max_iter=60, random_state=0)
            ),
            "accuracy",
            (
                In("mlpclassifier__hidden_layer_sizes", 8, 256, True),
                Fl("mlpclassifier__alpha", 1e-6, 10.0, True),
                Fl("mlpclassifier__learning_rate_init", 1e-4, 0.3, True),
                In("mlpclassifier__batch_size", 16, 256, True),
                Ca("mlpclassifier__activation", "relu", "tanh", "logistic"),
            ),
            resource="mlpclassifier__max_iter",
            description="StandardScaler + MLPClassifier(max_iter=60) on 800 digits",
        ),
        Task(
            "logreg_conditional",
            "A",
            (
                "conditional (list of dicts)",
                "numeric + categorical",
                "classification",
                "linear",
                "small noisy",
            ),
            breast,
            lambda: make_pipeline(
                StandardScaler(), LogisticRegression(max_iter=3000, random_state=0)
            ),
            "neg_log_loss",
            branches=tuple(
                Branch(
                    b.label,
                    {f"logisticregression__{k}": v for k, v in b.fixed.items()},
                    tuple(
                        P(
                            f"logisticregression__{p.name}",
                            p.kind,
                            p.low,
                            p.high,
                            p.log,
                            p.choices,
                        )
                        for p in b.params
                    ),
                )
                for b in logreg_branches
            ),
            flat_estimator=lambda: make_pipeline(
                StandardScaler(),
                LogisticRegression(max_iter=3000, solver="saga", random_state=0),
            ),
            flat_params=(
                Ca("logisticregression__penalty", "l2", "l1", "elasticnet"),
                Fl("logisticregression__C", 1e-4, 1e2, True),
                Ca("logisticregression__class_weight", None, "balanced"),
                Fl("logisticregression__intercept_scaling", 0.1, 10.0, True),
                Fl("logisticregression__l1_ratio", 0.0, 1.0),
            ),
            description="StandardScaler + LogisticRegression on breast cancer, log loss; "
            "the penalty picks the solver and its own parameters",
        ),
        Task(
            "regressor_choice",
            "A",
            (
                "conditional (estimator choice)",
                "regression",
                "pipeline",
                "kernel",
                "linear",
            ),
            friedman_mid,
            lambda: Pipeline([("scale", StandardScaler()), ("reg", Ridge())]),
            "neg_root_mean_squared_error",
            branches=regressor_branches,
            flat_estimator=RegressorChoice,
            flat_params=(
                Ca("model", "ridge", "knn", "svr"),
                Fl("ridge_alpha", 1e-4, 1e3, True),
                In("knn_n_neighbors", 1, 60, True),
                Ca("knn_weights", "uniform", "distance"),
                Fl("svr_C", 1e-2, 1e3, True),
                Fl("svr_gamma", 1e-4, 1.0, True),
                Fl("svr_epsilon", 1e-3, 1.0, True),
            ),
            description="Pipeline(StandardScaler, reg) on make_friedman1 (1,500 rows); "
            "reg is "
            "Ridge, KNeighborsRegressor or SVR",
        ),
        Task(
            "sgd_pipeline",
            "A",
            (
                "12+ parameters",
                "numeric + categorical",
                "classification",
                "linear",
                "pipeline",
            ),
            digits,
            lambda: Pipeline(
                [
                    ("scale", StandardScaler()),
                    ("pca", PCA(random_state=0)),
                    ("sgd", SGDClassifier(random_state=0)),
                ]
            ),
            "accuracy",
            (
                Ca("scale__with_mean", True, False),
                Ca("scale__with_std", True, False),
                In("pca__n_components", 5, 60),
                Ca("pca__whiten", False, True),
                Ca("sgd__loss", "hinge", "log_loss", "modified_huber", "squared_hinge"),
                Ca("sgd__penalty", "l2", "l1", "elasticnet"),
                Fl("sgd__alpha", 1e-7, 1.0, True),
                Fl("sgd__l1_ratio", 0.0, 1.0),
                Ca("sgd__learning_rate", "optimal", "invscaling", "adaptive", "constant"),
                Fl("sgd__eta0", 1e-4, 1.0, True),
                Fl("sgd__power_t", 0.1, 0.9),
                In("sgd__max_iter", 5, 100, True),
                Ca("sgd__average", False, True),
                Ca("sgd__class_weight", None, "balanced"),
            ),
            description="StandardScaler + PCA + SGDClassifier on digits, 14 parameters",
        ),
        Task(
            "sgd_large",
            "A",
            (
                "numeric + categorical",
                "classification",
                "larger cheap",
                "linear",
                "pipeline",
            ),
            clf_large,
            lambda: make_pipeline(StandardScaler(), SGDClassifier(random_state=0)),
            "roc_auc",
            (
                Ca("sgdclassifier__loss", "hinge", "log_loss", "modified_huber"),
                Ca("sgdclassifier__penalty", "l2", "l1", "elasticnet"),
                Fl("sgdclassifier__alpha", 1e-7, 1.0, True),
                Fl("sgdclassifier__l1_ratio", 0.0, 1.0),
                In("sgdclassifier__max_iter", 3, 50, True),
            ),
            resource="sgdclassifier__max_iter",
            description="StandardScaler + SGDClassifier on make_classification "
            "(20,000 rows)",
        ),
        Task(
            "knn_digits",
            "A",
            ("numeric + categorical", "classification", "pipeline"),
            digits,
            lambda: make_pipeline(StandardScaler(), KNeighborsClassifier()),
            "neg_log_loss",
            (
                In("kneighborsclassifier__n_neighbors", 1, 60),
                Ca("kneighborsclassifier__weights", "uniform", "distance"),
                Ca("kneighborsclassifier__p", 1, 2),
            ),
            grid={
                "kneighborsclassifier__n_neighbors": int_grid(1, 60, 25),
                "kneighborsclassifier__weights": ["uniform", "distance"],
                "kneighborsclassifier__p": [1, 2],
            },
            description="StandardScaler + KNeighborsClassifier on digits, log loss",
        ),
        # ---- half B ----
        Task(
            "kridge_friedman",
            "B",
            ("2-3 numeric", "regression", "kernel"),
            friedman_large,
            lambda: KernelRidge(kernel="rbf"),
            "neg_mean_squared_error",
            (Fl("alpha", 1e-5, 10.0, True), Fl("gamma", 1e-4, 10.0, True)),
            grid={"alpha": log_grid(1e-5, 10.0, 10), "gamma": log_grid(1e-4, 10.0, 10)},
            description="KernelRidge(kernel='rbf') on make_friedman1 (2,000 rows)",
        ),
        Task(
            "enet_wide",
            "B",
            ("2-3 numeric", "regression", "small noisy", "linear", "pipeline"),
            wide,
            lambda: make_pipeline(StandardScaler(), ElasticNet(max_iter=5000)),
            "neg_mean_squared_error",
            (
                Fl("elasticnet__alpha", 1e-4, 10.0, True),
                Fl("elasticnet__l1_ratio", 0.0, 1.0),
            ),
            grid={
                "elasticnet__alpha": log_grid(1e-4, 10.0, 10),
                "elasticnet__l1_ratio": lin_grid(0.0, 1.0, 10),
            },
            description="StandardScaler + ElasticNet on make_regression (1,000 rows, 600 "
            "features, 40 informative)",
        ),
        Task(
            "gbr_diabetes",
            "B",
            ("5-8 mixed", "regression", "small noisy", "boosting"),
            diabetes,
            lambda: GradientBoostingRegressor(random_state=0),
            "neg_mean_squared_error",
            (
                Fl("learning_rate", 1e-2, 1.0, True),
                In("n_estimators", 20, 200, True),
                In("max_depth", 1, 6),
                Fl("subsample", 0.4, 1.0),
                In("min_samples_leaf", 1, 60),
                Fl("max_features", 0.2, 1.0),
            ),
            resource="n_estimators",
            description="GradientBoostingRegressor on diabetes (442 rows)",
        ),
        Task(
            "hgb_large",
            "B",
            ("5-8 mixed", "regression", "larger cheap", "boosting"),
            reg_large,
            lambda: HistGradientBoostingRegressor(random_state=0, early_stopping=False),
            "r2",
            (
                Fl("learning_rate", 1e-2, 1.0, True),
                In("max_iter", 10, 100, True),
                In("max_leaf_nodes", 4, 64, True),
                In("min_samples_leaf", 2, 200, True),
                Fl("l2_regularization", 1e-6, 10.0, True),
                Fl("max_features", 0.1, 1.0),
            ),
            resource="max_iter",
            description="HistGradientBoostingRegressor on make_regression (3,000 rows)",
        ),
        Task(
            "mlp_regression",
            "B",
            (
                "numeric + categorical",
                "regression",
                "neural net",
                "small noisy",
                "pipeline",
            ),
            diabetes,
            lambda: TransformedTargetRegressor(
                regressor=make_pipeline(
                    StandardScaler(), MLPRegressor(max_iter=150, random_state=0)
                ),
                transformer=StandardScaler(),
            ),
            "neg_mean_absolute_error",
            (
                In("regressor__mlpregressor__hidden_layer_sizes", 4, 128, True),
                Fl("regressor__mlpregressor__alpha", 1e-6, 100.0, True),
                Fl("regressor__mlpregressor__learning_rate_init", 1e-4, 0.1, True),
                Ca("regressor__mlpregressor__activation", "relu", "tanh", "logistic"),
                Ca("regressor__mlpregressor__solver", "adam", "lbfgs"),
            ),
            description="StandardScaler + MLPRegressor (scaled target) on diabetes",
        ),
        Task(
            "rf_noisy",
            "B",
            ("numeric + categorical", "classification", "trees", "small noisy"),
            clf_noisy,
            lambda: RandomForestClassifier(random_state=0),
            "roc_auc",
            (
                In("n_estimators", 10, 150, True),
                In("max_depth", 2, 20),
                In("min_samples_leaf", 1, 40, True),
                Fl("max_features", 0.05, 1.0),
                Ca("criterion", "gini", "entropy"),
                Ca("class_weight", None, "balanced", "balanced_subsample"),
                Ca("bootstrap", True, False),
            ),
            resource="n_estimators",
            description="RandomForestClassifier on make_classification (1,000 rows, 10% "
            "labels flipped)",
        ),
        Task(
            "svc_kernels",
            "B",
            ("conditional (list of dicts)", "classification", "kernel", "pipeline"),
            clf_noisy,
            lambda: make_pipeline(StandardScaler(), SVC()),
            "accuracy",
            branches=tuple(
                Branch(
                    b.label,
                    {f"svc__{k}": v for k, v in b.fixed.items()},
                    tuple(
                        P(f"svc__{p.name}", p.kind, p.low, p.high, p.log, p.choices)
                        for p in b.params
                    ),
                )
                for b in svc_branches
            ),
            flat_estimator=lambda: make_pipeline(StandardScaler(), SVC()),
            flat_params=(
                Ca("svc__kernel", "rbf", "poly", "linear"),
                Fl("svc__C", 1e-3, 1e2, True),
                Fl("svc__gamma", 1e-4, 1.0, True),
                In("svc__degree", 2, 3),
                Fl("svc__coef0", 0.0, 1.0),
            ),
            description="StandardScaler + SVC on make_classification (1,000 rows); the "
            "kernel picks its own parameters",
        ),
        Task(
            "model_choice",
            "B",
            (
                "conditional (estimator choice)",
                "classification",
                "pipeline",
                "trees",
                "kernel",
                "linear",
            ),
            breast,
            lambda: Pipeline(
                [("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=2000))]
            ),
            "roc_auc",
            branches=model_branches,
            flat_estimator=ModelChoice,
            flat_params=(
                Ca("model", "logreg", "rf", "svc"),
                Fl("logreg_C", 1e-4, 1e2, True),
                In("rf_n_estimators", 10, 150, True),
                In("rf_max_depth", 2, 16),
                Fl("rf_max_features", 0.05, 1.0),
                Fl("svc_C", 1e-2, 1e3, True),
                Fl("svc_gamma", 1e-4, 1.0, True),
            ),
            description="Pipeline(StandardScaler, clf) on breast cancer; clf is "
            "LogisticRegression, RandomForestClassifier or SVC",
        ),
        Task(
            "gbr_many",
            "B",
            ("12+ parameters", "numeric + categorical", "regression", "boosting"),
            friedman,
            lambda: GradientBoostingRegressor(random_state=0),
            "neg_mean_absolute_error",
            (
                Ca("loss", "squared_error", "absolute_error", "huber"),
                Fl("alpha", 0.5, 0.99),
                Fl("learning_rate", 1e-2, 1.0, True),
                In("n_estimators", 10, 150, True),
                Fl("subsample", 0.3, 1.0),
                Ca("criterion", "friedman_mse", "squared_error"),
                In("min_samples_split", 2, 40),
                In("min_samples_leaf", 1, 40, True),
                Fl("min_weight_fraction_leaf", 0.0, 0.2),
                In("max_depth", 1, 8),
                Fl("min_impurity_decrease", 1e-6, 1.0, True),
                Fl("max_features", 0.1, 1.0),
                In("max_leaf_nodes", 4, 64, True),
                Fl("ccp_alpha", 1e-6, 1.0, True),
            ),
            resource="n_estimators",
            description="GradientBoostingRegressor on make_friedman1 (600 rows), 14 "
            "parameters",
        ),
        Task(
            "spline_ridge",
            "B",
            ("2-3 numeric", "regression", "linear", "pipeline", "larger cheap"),
            friedman_xl,
            lambda: make_pipeline(SplineTransformer(), Ridge()),
            "neg_mean_squared_error",
            (
                In("splinetransformer__n_knots", 3, 30),
                In("splinetransformer__degree", 1, 5),
                Fl("ridge__alpha", 1e-5, 1e3, True),
            ),
            grid={
                "splinetransformer__n_knots": [3, 6, 10, 18, 30],
                "splinetransformer__degree": [1, 2, 3, 5],
                "ridge__alpha": log_grid(1e-5, 1e3, 5),
            },
            description="SplineTransformer + Ridge on make_friedman1 (8,000 rows)",
        ),
    ]


TASKS: dict[str, Task] = {t.name: t for t in _tasks()}
HALVES = {h: [t.name for t in TASKS.values() if t.half == h] for h in ("A", "B")}


def quiet() -> None:
    """Silence the warnings a tuning run provokes by design (convergence, etc.)."""
    warnings.filterwarnings("ignore")


__all__ = [
    "CV_FOLDS",
    "HALVES",
    "TASKS",
    "Branch",
    "ModelChoice",
    "P",
    "RegressorChoice",
    "Task",
    "quiet",
]


def describe(task: Task) -> str:
    """One Markdown line per parameter of ``task``'s space (as ScoutSearchCV gets it)."""

    def one(p: P) -> str:
        if p.kind == "cat":
            return f"`{p.name}` in {list(p.choices)}"
        scale = "log " if p.log else ""
        return f"`{p.name}` {p.kind} {scale}{p.low:g}..{p.high:g}"

    if not task.branches:
        return "; ".join(one(p) for p in task.params)
    parts = []
    for b in task.branches:
        fixed = ", ".join(
            f"`{k}`={v!r}"
            if not isinstance(v, BaseEstimator)
            else f"`{k}`={type(v).__name__}"
            for k, v in b.fixed.items()
        )
        parts.append(f"{fixed}: " + ("; ".join(one(p) for p in b.params) or "nothing else"))
    return " **or** ".join(parts)


if __name__ == "__main__":
    print("| task | half | data and estimator | scorer | space | kinds |")
    print("|---|---|---|---|---|---|")
    for task in TASKS.values():
        grid = (
            f" (grid of {np.prod([len(v) for v in task.grid.values()])})"
            if task.grid
            else ""
        )
        print(
            f"| `{task.name}` | {task.half} | {task.description} | `{task.scoring}` | "
            f"{describe(task)}{grid} | {', '.join(task.kinds)} |"
        )
