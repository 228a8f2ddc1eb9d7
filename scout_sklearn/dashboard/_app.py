"""The dashboard's web application: pages, a JSON API and server-sent events.

Every endpoint reads; none writes (the storage is opened read-only too).
Pages are one static shell whose script fetches JSON and writes every value
from the storage as text. Live updates are server-sent events: each open
page holds one stream, and the server pushes the trials changed since the
page's stamp within ``poll_interval`` seconds of their being stored.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import hmac
import importlib.util
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from anyio import to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scout_sklearn.dashboard import _analysis, _payload
from scout_sklearn.dashboard._reader import StorageReader, StudyState

#: Sent with every response: scripts and data from this server only; Plotly
#: sets inline styles, hence 'unsafe-inline' for styles (never for scripts).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_PAGES = ("studies", "study", "trial", "compare")
_TOKEN_COOKIE = "scout_dashboard_token"
#: The computed views (importances, ...) are recomputed at most this often.
_ANALYSIS_SECONDS = 5.0
_MAX_PER_PAGE = 500


class _Security:
    """Security headers on every response, and the access token when one is set."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        set_cookie = False
        if self.token is not None:
            given = request.query_params.get("token")
            cookie = request.cookies.get(_TOKEN_COOKIE)
            if given is not None and hmac.compare_digest(given, self.token):
                set_cookie = cookie is None or not hmac.compare_digest(cookie, self.token)
            elif cookie is None or not hmac.compare_digest(cookie, self.token):
                response = PlainTextResponse(
                    "This dashboard needs its access token: open the URL it printed "
                    "at start-up (it ends in ?token=...).",
                    status_code=401,
                    headers=_HEADERS,
                )
                await response(scope, receive, send)
                return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for key, value in _HEADERS.items():
                    headers.append((key.lower().encode(), value.encode()))
                elapsed = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed:.2f}".encode()))
                if set_cookie:
                    assert self.token is not None
                    headers.append(
                        (
                            b"set-cookie",
                            f"{_TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; "
                            "Path=/".encode(),
                        )
                    )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Dashboard:
    """The application's state: the reader, the table rows and the computed views."""

    def __init__(self, reader: StorageReader, *, poll_interval: float) -> None:
        self.reader = reader
        self.poll_interval = poll_interval
        self.tables: dict[str, _payload.TableCache] = {}
        self.computed: dict[tuple[str, str], tuple[int, float, Any]] = {}
        #: Set once the start-up read of every study has ended (or failed).
        self.warmed_up = threading.Event()

    def warm_up(self) -> None:
        """Read every study and build its table once, so that a first page is quick.

        Run on a thread when the server starts; a page opened before it ends
        reads what it needs itself (the reader serialises the two).
        """
        try:
            import sklearn.ensemble  # noqa: F401 - the importances' forest, imported once

            path = _plotly_js()
            if path is not None:
                _gzipped(path)

            for name in self.reader.study_names():
                state = self.reader.study(name)
                with state.lock:
                    _payload.trial_columns(state, state.sorted_trials())
                    self.tables.setdefault(name, _payload.TableCache()).rows(state)
        except Exception as err:  # noqa: BLE001 - pages will read, and report, themselves
            logging.getLogger(__name__).warning(
                "scout-sklearn dashboard: could not read the studies ahead: %s", err
            )
        finally:
            self.warmed_up.set()

    # -- helpers --------------------------------------------------------------------
    async def study(self, request: Request) -> StudyState:
        name = request.query_params.get("name")
        if name is None:
            raise _Problem(400, "give the study's name: ?name=...")
        try:
            return await to_thread.run_sync(lambda: self.reader.study(name))
        except KeyError:
            names = await to_thread.run_sync(self.reader.study_names)
            raise _Problem(
                404, f"no study named {name!r} here; the studies are {names}."
            ) from None

    async def computed_view(
        self, kind: str, state: StudyState, compute: Callable[[StudyState], Any]
    ) -> Any:
        key = (state.name, kind)
        kept = self.computed.get(key)
        now = time.monotonic()
        if kept is not None and (
            kept[0] == state.stamp or now - kept[1] < _ANALYSIS_SECONDS
        ):
            return kept[2]
        stamp = state.stamp

        def on_a_snapshot() -> Any:
            # Computed on a copy, outside the lock: a page's trials and live
            # updates do not wait for a forest to be fitted.
            with state.lock:
                snapshot = state.snapshot()
            return compute(snapshot)

        result = await to_thread.run_sync(on_a_snapshot)
        self.computed[key] = (stamp, now, result)
        return result

    # -- pages ----------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        name = request.url.path.strip("/") or "studies"
        if name not in _PAGES:
            return PlainTextResponse("Not found", status_code=404)
        html = _shell().replace("__PAGE__", name)
        return Response(html, media_type="text/html; charset=utf-8")

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "plotly.min.js":
            path = _plotly_js()
            if path is None:
                return PlainTextResponse(
                    "The plots need the plotly package: pip install "
                    '"scout-sklearn[dashboard]".',
                    status_code=404,
                )
            if "gzip" in request.headers.get("accept-encoding", ""):
                # 4.8 MB compressed once, not at every page load.
                body = await to_thread.run_sync(_gzipped, path)
                return Response(
                    body,
                    media_type="text/javascript",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                )
            return FileResponse(path, media_type="text/javascript")
        if name not in ("app.js", "style.css"):
            return PlainTextResponse("Not found", status_code=404)
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return FileResponse(_STATIC / name, media_type=media)

    # -- JSON -----------------------------------------------------------------------
    async def studies(self, request: Request) -> Response:
        summaries = await to_thread.run_sync(self._summaries)
        return _json({"studies": summaries, "warmed_up": self.warmed_up.is_set()})

    def _summaries(self) -> list[dict[str, Any]]:
        out = []
        for name in self.reader.study_names():
            state = self.reader.study(name)
            with state.lock:
                out.append(state.summary())
        return out

    async def study_state(self, request: Request) -> Response:
        state = await self.study(request)

        def build() -> dict[str, Any]:
            with state.lock:
                trials = state.sorted_trials()
                stamp = state.stamp
                meta = _payload.study_meta(state)
                summary = state.summary()
            return {
                "meta": meta,
                "summary": summary,
                "stamp": stamp,
                "trials": _payload.trial_columns(state, trials),
            }

        return _json(await to_thread.run_sync(build))

    async def table(self, request: Request) -> Response:
        state = await self.study(request)
        query = request.query_params
        page = _int(query.get("page", "1"), "page", 1, None)
        per_page = _int(query.get("per_page", "50"), "per_page", 1, _MAX_PER_PAGE)
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            raise _Problem(400, f"order must be 'asc' or 'desc', got {order!r}.")
        cache = self.tables.setdefault(state.name, _payload.TableCache())

        def build() -> dict[str, Any]:
            with state.lock:
                rows = cache.rows(state)
            return _payload.table_page(
                rows,
                sort=query.get("sort", "value"),
                descending=order == "desc",
                states=query.get("state", "").split(","),
                text=query.get("q", ""),
                page=page,
                per_page=per_page,
            )

        return _json(await to_thread.run_sync(build))

    async def trial(self, request: Request) -> Response:
        state = await self.study(request)
        number = _int(request.query_params.get("number", ""), "number", 0, None)
        with state.lock:
            trial = state.trials.get(number)
            if trial is None:
                raise _Problem(
                    404,
                    f"study {state.name!r} has no trial {number} "
                    f"(it has {len(state.trials)} trials, numbered from 0).",
                )
            detail = _payload.trial_detail(state, trial)
        return _json(detail)

    async def importances(self, request: Request) -> Response:
        state = await self.study(request)
        return _json(await self.computed_view("importances", state, _analysis.importances))

    async def folds(self, request: Request) -> Response:
        state = await self.study(request)
        return _json(await self.computed_view("folds", state, _analysis.top_folds))

    async def rungs(self, request: Request) -> Response:
        state = await self.study(request)
        return _json(await self.computed_view("rungs", state, _analysis.rung_summary))

    async def front(self, request: Request) -> Response:
        state = await self.study(request)
        return _json(await self.computed_view("front", state, _analysis.pareto_front))

    # -- live updates ---------------------------------------------------------------
    async def study_events(self, request: Request) -> Response:
        state = await self.study(request)
        since = _int(request.query_params.get("since", "0"), "since", 0, None)
        return _stream(request, self._study_updates(request, state, since))

    async def _study_updates(
        self, request: Request, state: StudyState, since: int
    ) -> AsyncIterator[str]:
        seen = since
        while True:
            started = time.perf_counter()
            changed = await to_thread.run_sync(self._changed, state, seen)
            if changed is not None:
                stamp, trials, summary = changed
                data = {
                    "stamp": stamp,
                    "trials": trials,
                    "summary": summary,
                    "server_ms": round((time.perf_counter() - started) * 1000, 3),
                }
                seen = stamp
                yield _event("trials", data)
            yield ""  # lets the stream notice a closed page
            await asyncio.sleep(self.poll_interval)

    def _changed(
        self, state: StudyState, since: int
    ) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
        self.reader.refresh(state)
        with state.lock:
            if state.stamp <= since:
                return None
            trials = [
                state.trials[n] for n in sorted(state.changed) if state.changed[n] > since
            ]
            return state.stamp, _payload.trial_columns(state, trials), state.summary()

    async def studies_events(self, request: Request) -> Response:
        return _stream(request, self._studies_updates())

    async def _studies_updates(self) -> AsyncIterator[str]:
        stamps: dict[str, int] = {}
        while True:
            started = time.perf_counter()
            summaries = await to_thread.run_sync(self._summaries)
            changed = [s for s in summaries if stamps.get(s["name"]) != s["stamp"]]
            for summary in changed:
                stamps[summary["name"]] = summary["stamp"]
            if changed:
                elapsed = round((time.perf_counter() - started) * 1000, 3)
                yield _event("studies", {"studies": changed, "server_ms": elapsed})
            yield ""
            await asyncio.sleep(self.poll_interval)


class _Problem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _int(text: str, name: str, low: int, high: int | None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _Problem(400, f"{name} must be a whole number, got {text!r}.") from None
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"from {low} to {high}"
        raise _Problem(400, f"{name} must be {bounds}, got {value}.")
    return value


def _json(data: Any) -> Response:
    body = json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    return Response(body, media_type="application/json")


def _event(kind: str, data: Any) -> str:
    body = json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    return f"event: {kind}\ndata: {body}\n\n"


def _stream(request: Request, updates: AsyncIterator[str]) -> Response:
    async def body() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        last = time.monotonic()
        async for chunk in updates:
            if await request.is_disconnected():
                break
            if chunk:
                last = time.monotonic()
                yield chunk
            elif time.monotonic() - last > 15:  # keeps proxies from closing the stream
                last = time.monotonic()
                yield ": keep-alive\n\n"

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


_STATIC = Path(str(resources.files("scout_sklearn.dashboard") / "static"))


@functools.cache
def _shell() -> str:
    return (_STATIC / "page.html").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=2)
def _gzipped(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9)


def _plotly_js() -> Path | None:
    """plotly.min.js as the plotly package ships it (nothing is fetched from a CDN)."""
    spec = importlib.util.find_spec("plotly")  # located, not imported (it is slow to)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def create_app(
    reader: StorageReader, *, token: str | None = None, poll_interval: float = 0.5
) -> Starlette:
    """The dashboard as an ASGI application over ``reader``."""
    dashboard = Dashboard(reader, poll_interval=poll_interval)

    def api(handler: Callable[[Request], Awaitable[Response]]) -> Callable[..., Any]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except _Problem as problem:
                return JSONResponse({"error": problem.message}, status_code=problem.status)

        return endpoint

    routes = [
        Route("/", dashboard.page),
        *(Route(f"/{name}", dashboard.page) for name in _PAGES),
        Route("/static/{name}", dashboard.static),
        Route("/api/studies", api(dashboard.studies)),
        Route("/api/studies/events", api(dashboard.studies_events)),
        Route("/api/study", api(dashboard.study_state)),
        Route("/api/study/events", api(dashboard.study_events)),
        Route("/api/study/table", api(dashboard.table)),
        Route("/api/study/trial", api(dashboard.trial)),
        Route("/api/study/importances", api(dashboard.importances)),
        Route("/api/study/folds", api(dashboard.folds)),
        Route("/api/study/rungs", api(dashboard.rungs)),
        Route("/api/study/front", api(dashboard.front)),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(_Security, token=token),
            # Level 4: a 10,000-trial study's 1.2 MB of JSON in 30 ms, not 220 ms
            # at the default 9, for 4 % more bytes.
            Middleware(GZipMiddleware, minimum_size=1024, compresslevel=4),
        ],
    )
    app.state.dashboard = dashboard
    return app
