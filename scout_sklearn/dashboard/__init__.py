"""A live dashboard of the studies in a storage, served to a browser.

Start it from a shell with ``scout-sklearn dashboard sqlite:///scout.db``
or from Python (a notebook, say) with :func:`serve`. It needs the
``dashboard`` extra: ``pip install "scout-sklearn[dashboard]"`` (Starlette,
uvicorn and plotly, whose ``plotly.min.js`` draws the plots; nothing is
fetched from the internet).

The dashboard only reads: the storage is opened read-only, no endpoint
writes, and pages learn of new trials by server-sent events that carry only
what changed since the page's last update.
"""

from __future__ import annotations

from scout_sklearn.dashboard._server import DashboardServer, serve

__all__ = ["DashboardServer", "serve"]
