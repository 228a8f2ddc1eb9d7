"""The dashboard's study views in a static HTML file (write_report(interactive=True)).

The report and the live dashboard draw their interactive views with the
same script (``static/app.js``) from the same JSON (``_payload`` and
``_analysis``): here the JSON is written into the page instead of being
served, and the script, finding it, reads it from there and subscribes to
nothing. Plotly.js (from the ``plotly`` package) is written into the page
too, so that the file opens offline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scout_sklearn._trial import Trial
from scout_sklearn.dashboard import _analysis, _payload
from scout_sklearn.dashboard._app import _STATIC, _plotly_js
from scout_sklearn.dashboard._reader import StudyState
from scout_sklearn.storage._base import StudyRecord

_INSTALL_HINT = 'pip install "scout-sklearn[dashboard]"'


def study_state(record: StudyRecord, trials: Iterable[Trial]) -> StudyState:
    """A :class:`StudyState` holding ``trials``, as the dashboard's reader would."""
    state = StudyState(record)
    for trial in trials:
        state.keep(trial)
        state.changed[trial.number] = 0
    return state


def _script_safe(text: str, what: str) -> str:
    """``text`` for inside a <script> element (which ends at the first "</script")."""
    if "</script" in text.lower() or "<!--" in text:
        raise ValueError(f"{what} holds '</script' or '<!--' and cannot be inlined.")
    return text


def _json_for_script(data: Any) -> str:
    # "<" as \\u003c: no stored string can close the element or open a comment.
    body = json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    return body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def interactive_views(state: StudyState) -> str:
    """An HTML fragment: the dashboard's study views of ``state``, with their data.

    Raises
    ------
    ImportError
        When the ``plotly`` package (its ``plotly.min.js``) is not installed.
    """
    plotly = _plotly_js()
    if plotly is None:
        raise ImportError(
            "The interactive report needs the plotly package (its plotly.min.js): "
            f"{_INSTALL_HINT}."
        )
    trials = state.sorted_trials()
    data = {
        "/api/study": {
            "meta": _payload.study_meta(state),
            "summary": state.summary(),
            "stamp": state.stamp,
            "trials": _payload.trial_columns(state, trials),
        },
        "/api/study/importances": _analysis.importances(state),
        "/api/study/folds": _analysis.top_folds(state),
        "/api/study/rungs": _analysis.rung_summary(state),
        "/api/study/front": _analysis.pareto_front(state),
    }
    style = (_STATIC / "style.css").read_text(encoding="utf-8")
    app = _script_safe((_STATIC / "app.js").read_text(encoding="utf-8"), "app.js")
    plotly_js = _script_safe(plotly.read_text(encoding="utf-8"), "plotly.min.js")
    return (
        '<section id="interactive"><h2>Interactive views</h2>'
        f"<style>{style}</style>"
        '<div id="main" data-page="study"></div>'
        f'<script type="application/json" id="scout-data">{_json_for_script(data)}</script>'
        f"<script>{plotly_js}</script>"
        f"<script>{app}</script>"
        "</section>"
    )
