"""A storage URL's password never shows: repr, HTML, logs, errors, CLI, report."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sklearn.linear_model import LogisticRegression

from scout_sklearn import ScoutSearchCV
from scout_sklearn._secrets import PasswordFilter, hide_password, mask_url
from scout_sklearn.cli import main
from scout_sklearn.report import write_report
from scout_sklearn.storage import SQLStorage

SECRET = "s3cret"
UNREACHABLE = f"postgresql+psycopg://user:{SECRET}@127.0.0.1:1/db"
POSTGRES_URL = os.environ.get("SCOUT_TEST_POSTGRES_URL")


def _search(storage: object, **kwargs: object) -> ScoutSearchCV:
    return ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [0.1, 1.0]},
        storage=storage,
        cv=2,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (UNREACHABLE, "postgresql+psycopg://user:***@127.0.0.1:1/db"),
        ("mysql+pymysql://root:p%40ss@h/db", "mysql+pymysql://root:***@h/db"),
        ("postgresql://h/db?password=s3cret&x=1", "postgresql://h/db?password=***&x=1"),
        ("sqlite:///scout.db", "sqlite:///scout.db"),
        ("mysql+pymysql://root@h:3306/db", "mysql+pymysql://root@h:3306/db"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown
    assert mask_url(f"could not reach '{url}' now") == f"could not reach '{shown}' now"


def test_hide_password_also_hides_the_bare_password() -> None:
    url = "postgresql://u:p%40ssword@h/db"
    text = hide_password("auth failed for p@ssword and p%40ssword", url)

    assert text == "auth failed for *** and ***"


def test_repr_html_and_mimebundle_mask_the_password() -> None:
    search = _search(UNREACHABLE)

    shown = [repr(search), search._repr_html_(), str(search._repr_mimebundle_())]

    for text in shown:
        assert SECRET not in text
        assert "user:***@127.0.0.1:1" in text
    assert search.get_params()["storage"] == UNREACHABLE  # clone() needs the real one
    assert repr(search.storage) == repr(UNREACHABLE)


def test_a_search_nested_in_a_pipeline_or_a_search_shows_no_password() -> None:
    # scikit-learn shows a nested estimator through the repr of its
    # get_params() values, not through its own __repr__.
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    search = _search(UNREACHABLE)
    pipe = make_pipeline(StandardScaler(), search)
    outer = GridSearchCV(search, {"cv": [2, 3]})
    shown = [repr(pipe), pipe._repr_html_(), repr(outer), outer._repr_html_()]
    shown += [repr(pipe.get_params()), repr(search.get_params())]
    for text in shown:
        assert SECRET not in text
        assert "user:***@127.0.0.1:1" in text
    # The value is still the URL itself: a clone connects as the original.
    for copied in (clone(search), clone(pipe).steps[1][1]):
        assert str(copied.get_params()["storage"]) == UNREACHABLE
        assert copied.storage == UNREACHABLE
    pipe.set_params(**pipe.get_params(deep=False))
    assert pipe.get_params()["scoutsearchcv__storage"] == UNREACHABLE


def test_a_password_given_as_a_query_option_is_masked_in_connection_errors() -> None:
    url = f"postgresql+psycopg://user@127.0.0.1:1/db?password={SECRET}"
    with pytest.raises(ConnectionError) as info:
        SQLStorage(url)
    assert SECRET not in str(info.value)
    assert "?password=***" in str(info.value)


def test_a_failed_connection_shows_no_password(
    iris: tuple[np.ndarray, np.ndarray], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConnectionError) as info:
        _search(UNREACHABLE, n_trials=2).fit(*iris)

    shown = str(info.value) + repr(info.value.__cause__) + caplog.text
    assert SECRET not in shown
    assert "user:***@127.0.0.1:1" in str(info.value)


def test_the_package_loggers_mask_passwords(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("scout_sklearn", "scout_sklearn.storage._sql"):
        logging.getLogger(name).warning("retrying %s", UNREACHABLE)

    assert SECRET not in caplog.text
    assert caplog.text.count("user:***@127.0.0.1:1") == 2
    filters = logging.getLogger("scout_sklearn").filters
    assert any(isinstance(f, PasswordFilter) for f in filters)


def test_the_cli_masks_the_password_in_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("studies", "trials", "best", "export"):
        args = [command, UNREACHABLE] + ([] if command == "studies" else ["a-study"])
        assert main(args) == 1
        out, err = capsys.readouterr()
        assert SECRET not in out + err
        assert "user:***@" in err


@pytest.mark.skipif(not POSTGRES_URL, reason="set SCOUT_TEST_POSTGRES_URL to run it")
def test_a_real_search_shows_the_password_nowhere(
    iris: tuple[np.ndarray, np.ndarray],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # The test server trusts local connections: the password is sent, never checked.
    url = sa.make_url(POSTGRES_URL).set(password=SECRET)  # type: ignore[arg-type]
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    storage = SQLStorage(url.render_as_string(hide_password=False), table_prefix=prefix)
    caplog.set_level(logging.DEBUG)
    try:
        search = _search(storage, n_trials=2, verbose=3).fit(*iris)
        page = write_report(search, tmp_path / "report.html").read_text()
        frame = search.trials_dataframe().to_csv()
        shown = [repr(search), search._repr_html_(), page, frame, caplog.text]
        shown += list(capsys.readouterr())
        assert all(SECRET not in text for text in shown)
    finally:
        engine = sa.create_engine(POSTGRES_URL)  # type: ignore[arg-type]
        with engine.begin() as conn:
            for table in sa.inspect(conn).get_table_names():
                if table.startswith(prefix):
                    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        engine.dispose()
