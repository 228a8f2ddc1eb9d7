// scout-sklearn dashboard: pages drawn from the server's JSON, kept live by
// server-sent events. Every value read from the storage is written as text
// (textContent), never as markup; text handed to Plotly is entity-escaped.
"use strict";

(function () {
  const main = document.getElementById("main");
  const live = document.getElementById("live");
  // A report written with interactive=True carries its data in the page:
  // the same views, read from there, with no server and no live updates.
  const dataElement = document.getElementById("scout-data");
  const EMBEDDED = dataElement ? JSON.parse(dataElement.textContent) : null;
  const PAGE = EMBEDDED ? "study" : document.body.dataset.page;
  const query = new URLSearchParams(EMBEDDED ? "?name=" + encodeURIComponent(EMBEDDED["/api/study"].meta.name) : location.search);
  // app.js runs before plotly.min.js (both deferred), so that its requests
  // are on their way while the browser runs Plotly; plots wait for this.
  // DOMContentLoaded comes after every deferred script has run (readyState is
  // already "interactive" while they run, so it cannot tell).
  const plotlyReady = new Promise((resolve) => {
    if (window.Plotly || document.readyState === "complete") resolve();
    else document.addEventListener("DOMContentLoaded", () => resolve());
  });

  // -- small helpers ----------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function fmt(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") {
      if (Number.isInteger(value)) return String(value);
      const abs = Math.abs(value);
      return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(4) : value.toPrecision(5);
    }
    return String(value);
  }
  function when(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "";
    if (seconds < 60) return seconds.toFixed(1) + " s";
    if (seconds < 3600) return (seconds / 60).toFixed(1) + " min";
    return (seconds / 3600).toFixed(1) + " h";
  }
  // Plotly renders a few tags in its text: entity-escape what the storage gave.
  function pt(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function studyUrl(name) { return "/study?name=" + encodeURIComponent(name); }
  function trialUrl(name, number) {
    if (EMBEDDED) return "#trials";  // a report: its own table below
    return "/trial?study=" + encodeURIComponent(name) + "&number=" + number;
  }
  async function getJSON(url) {
    if (EMBEDDED) {
      const key = url.split("?")[0];
      if (!(key in EMBEDDED)) throw new Error("not in this report: " + key);
      return EMBEDDED[key];
    }
    const response = await fetch(url, { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }
  function problem(message) {
    main.replaceChildren(el("p", { class: "banner state-FAILED", text: message }));
  }
  function setLive(on, text) {
    if (!live) return;
    live.className = "live " + (on ? "on" : "off");
    live.textContent = text;
  }
  // One server-sent-event stream; "connecting"/"live"/"reconnecting" shown.
  function subscribe(url, kind, handler) {
    if (EMBEDDED) return null;  // a report: nothing to follow
    const source = new EventSource(url);
    source.addEventListener("open", () => setLive(true, "live"));
    source.addEventListener("error", () => setLive(false, "reconnecting"));
    source.addEventListener(kind, (event) => handler(JSON.parse(event.data)));
    window.addEventListener("pagehide", () => source.close());
    return source;
  }
  // Calls fn at most once per `ms`, the last call winning.
  function throttle(fn, ms) {
    let timer = null, last = 0;
    return function () {
      const wait = Math.max(0, last + ms - Date.now());
      if (timer) return;
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }
  // Like throttle, but waits at least `factor` times as long as fn last took:
  // redrawing 10,000 points must not keep the page from answering.
  function adaptive(fn, ms, factor) {
    let timer = null, nextAt = 0;
    return function () {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        const started = performance.now();
        fn();
        nextAt = Date.now() + Math.max(ms, factor * (performance.now() - started));
      }, Math.max(0, nextAt - Date.now()));
    };
  }
  const PLOT_CONFIG = { displaylogo: false, responsive: true };
  function plot(div, traces, layout) {
    if (!window.Plotly) { div.replaceChildren(el("p", { class: "muted", text: "Plots need plotly.min.js (pip install \"scout-sklearn[dashboard]\")." })); return; }
    const base = { margin: { l: 60, r: 20, t: 30, b: 50 }, hovermode: "closest", showlegend: true,
                   legend: { orientation: "h", y: -0.2 } };
    window.Plotly.react(div, traces, Object.assign(base, layout), PLOT_CONFIG);
  }
  function table(columns, rows, options) {
    const head = el("tr", {}, ...columns.map((c) => el("th", { text: c })));
    const body = rows.map((row) => el("tr", {}, ...row.map((cell) =>
      cell instanceof Node ? el("td", {}, cell)
        : el("td", { class: typeof cell === "number" ? "num" : null, text: fmt(cell) }))));
    return el("table", options || {}, el("thead", {}, head), el("tbody", {}, ...body));
  }
  function stateCell(state) { return el("span", { class: "state-" + state, text: state }); }

  // -- the studies page -----------------------------------------------------------
  async function pageStudies() {
    const rows = new Map();
    const tbody = el("tbody");
    const header = ["study", "estimator", "trials", "complete", "pruned", "failed",
                    "running", "best", "metric", "last activity", "status"];
    main.replaceChildren(
      el("h1", { text: "Studies" }),
      el("div", { class: "scroll" }, el("table", { id: "studies" },
        el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { text: h })))), tbody)),
      el("p", { class: "muted", id: "empty" }));
    function render(summary) {
      const s = summary.states;
      const cells = [
        el("a", { href: studyUrl(summary.name), text: summary.name, class: "study-link" }),
        summary.estimator || "", summary.n_trials, s.COMPLETE, s.PRUNED, s.FAILED, s.RUNNING,
        summary.best_value === null ? "" : summary.best_value, summary.metric || "",
        when(summary.last_activity), summary.running ? "running" : "idle"];
      const tr = el("tr", { "data-study": summary.name },
        ...cells.map((c) => c instanceof Node ? el("td", {}, c)
          : el("td", { class: typeof c === "number" ? "num" : null, text: fmt(c) })));
      const old = rows.get(summary.name);
      if (old) old.replaceWith(tr); else tbody.append(tr);
      rows.set(summary.name, tr);
      document.getElementById("empty").textContent = "";
    }
    const data = await getJSON("/api/studies");
    data.studies.forEach(render);
    if (!data.studies.length) {
      document.getElementById("empty").textContent =
        "This storage holds no study yet: run a search with storage=... and it appears here.";
    }
    subscribe("/api/studies/events", "studies", (update) => update.studies.forEach(render));
  }

  // -- the study page ---------------------------------------------------------------
  // Trials kept by number; columns from the server merged in.
  function mergeColumns(trials, columns) {
    const names = Object.keys(columns.params);
    for (let i = 0; i < columns.number.length; i++) {
      const params = {};
      for (const name of names) {
        const value = columns.params[name][i];
        if (value !== null) params[name] = value;
      }
      trials.set(columns.number[i], {
        number: columns.number[i], state: columns.state[i], value: columns.value[i],
        started: columns.started[i], finished: columns.finished[i], rung: columns.rung[i],
        bracket: columns.bracket[i], n_folds: columns.n_folds[i], progress: columns.progress[i],
        inter: columns.inter ? columns.inter[i] : null, params,
      });
    }
  }
  function hoverText(trial) {
    const lines = ["trial " + trial.number + " (" + trial.state + ")",
                   "value: " + fmt(trial.value)];
    for (const [k, v] of Object.entries(trial.params)) lines.push(pt(k) + ": " + pt(fmt(v)));
    return lines.join("<br>");
  }
  function onClickOpen(div, name) {
    if (!div.on) return;
    div.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      const number = point && point.customdata;
      if (number !== undefined && number !== null) location.href = trialUrl(name, number);
    });
  }

  async function pageStudy() {
    const name = query.get("name");
    if (!name) { problem("No study given: open a study from the studies page."); return; }
    const q = "?name=" + encodeURIComponent(name);
    // Every request of the first load at once; the page draws as they land.
    const early = {
      importances: getJSON("/api/study/importances" + q),
      folds: getJSON("/api/study/folds" + q),
    };
    const [data] = await Promise.all([getJSON("/api/study" + q), plotlyReady]);
    const meta = data.meta;
    if (meta.objectives) early.front = getJSON("/api/study/front" + q);
    const trials = new Map();
    mergeColumns(trials, data.trials);
    let stamp = data.stamp;
    let summary = data.summary;
    if (!EMBEDDED) document.title = name + " · scout-sklearn dashboard";

    const cards = el("div", { class: "cards", id: "cards" });
    const history = el("div", { class: "plot", id: "history" });
    const flight = el("div", { id: "in-flight" });
    const importances = el("div", { class: "plot", id: "importances" });
    const sliceSelect = el("select", { id: "slice-param" });
    const slice = el("div", { class: "plot", id: "slice" });
    const contourX = el("select", { id: "contour-x" }), contourY = el("select", { id: "contour-y" });
    const contour = el("div", { class: "plot", id: "contour" });
    const parallel = el("div", { class: "plot", id: "parallel" });
    const rungs = el("div", { id: "rungs" });
    const rungPlot = el("div", { class: "plot", id: "intermediate" });
    const folds = el("div", { id: "folds" });
    const front = el("div", { class: "plot", id: "pareto" });
    const frontTable = el("div", { id: "pareto-summary" });
    const tableBox = el("div", { id: "trials-table" });
    const numeric = meta.params.filter((p) => p.numeric);
    for (const p of meta.params) sliceSelect.append(el("option", { value: p.name, text: p.name }));
    numeric.forEach((p, i) => {
      contourX.append(el("option", { value: p.name, text: p.name, selected: i === 0 ? "" : null }));
      contourY.append(el("option", { value: p.name, text: p.name, selected: i === 1 ? "" : null }));
    });
    const sections = [
      el("h1", { id: "study-name", text: name }),
      el("p", { class: "muted", text: [meta.pruner ? "pruner " + meta.pruner : null,
        meta.n_splits + "-fold CV", "metric " + (meta.metric || "?"),
        "created " + when(meta.created_at)].filter(Boolean).join(" · ") }),
      cards,
      ...(meta.objectives ? [el("h2", { text: "Pareto front" }), front, frontTable] : []),
      el("h2", { text: "Optimisation history" }), history,
      el("h2", { text: "Trials in flight" }), flight,
      el("h2", { text: "Parameter importances" }), importances,
      el("h2", { text: "Slice" }), el("div", { class: "controls" }, "parameter ", sliceSelect), slice,
      el("h2", { text: "Contour" }),
      numeric.length >= 2 ? el("div", { class: "controls" }, "x ", contourX, " y ", contourY)
        : el("p", { class: "muted", text: "A contour needs two numeric parameters (it is not drawn across categories)." }),
      contour,
      el("h2", { text: "Parallel coordinates" }), parallel,
    ];
    if (meta.ladder) {
      sections.push(el("h2", { text: "Pruning: rungs and brackets" }), rungs, rungPlot);
    }
    sections.push(el("h2", { text: "Top candidates, fold by fold" }), folds);
    if (!EMBEDDED) sections.push(el("h2", { text: "Trials" }), tableBox);  // a report has its own
    main.replaceChildren(...sections);
    if (numeric.length < 2) contour.remove();

    function drawCards() {
      const s = summary.states;
      const best = summary.best_number;
      cards.replaceChildren(
        card("trials", summary.n_trials, "n-trials"),
        card("complete", s.COMPLETE), card("pruned", s.PRUNED),
        card("failed", s.FAILED), card("running", s.RUNNING, "n-running"),
        card("best " + (meta.metric || "value"),
          best === null ? "—" : el("a", { href: trialUrl(name, best), id: "best-link",
            text: fmt(summary.best_value) + " (trial " + best + ")" }), "best"),
        card("status", summary.running ? "running" : "idle", "status"));
      document.body.dataset.stamp = String(stamp);
    }
    function card(key, value, id) {
      return el("div", { class: "card" }, el("div", { class: "k", text: key }),
        el("div", { class: "v", id: id || null }, value instanceof Node ? value : fmt(value)));
    }
    function sorted() { return Array.from(trials.values()).sort((a, b) => a.number - b.number); }

    function drawHistory() {
      const all = sorted();
      const valued = all.filter((t) => t.value !== null);
      const shown = capped(valued);
      const byState = {};
      for (const t of shown) (byState[t.state] = byState[t.state] || []).push(t);
      const traces = Object.entries(byState).map(([state, ts]) => ({
        type: "scatter", mode: "markers", name: state,
        x: ts.map((t) => t.number), y: ts.map((t) => t.value),
        customdata: ts.map((t) => t.number), text: ts.map(hoverText), hoverinfo: "text",
        marker: { size: 5, opacity: 0.7 },
      }));
      const bx = [], by = [];
      let best = -Infinity;
      for (const t of all) {  // a step at each improvement (the line is "hv")
        if (t.state === "COMPLETE" && t.value !== null && t.value > best) {
          best = t.value; bx.push(t.number); by.push(best);
        }
      }
      if (bx.length) { bx.push(all[all.length - 1].number); by.push(best); }
      traces.push({ type: "scatter", mode: "lines", name: "best so far", x: bx, y: by,
                    line: { shape: "hv", width: 2 }, hoverinfo: "y" });
      plot(history, traces, { xaxis: { title: { text: "trial" + drawnNote(shown.length, valued.length) } },
                              yaxis: { title: { text: pt(meta.metric || "value") } } });
    }
    function drawFlight() {
      const running = sorted().filter((t) => t.state === "RUNNING");
      if (!running.length) { flight.replaceChildren(el("p", { class: "muted", text: "No trial is running." })); return; }
      const rows = running.slice(0, 50).map((t) => {
        const p = t.progress || { done: 0, of: meta.n_splits, rung: 0 };
        const bar = el("span", { class: "bar" }, el("span", {}));
        bar.firstChild.style.width = Math.round(100 * p.done / Math.max(p.of, 1)) + "%";
        return [el("a", { href: trialUrl(name, t.number), text: "#" + t.number }),
                el("span", {}, bar, " " + p.done + " of " + p.of + " folds"),
                meta.ladder ? "rung " + p.rung : "",
                t.started ? duration(Date.now() / 1000 - t.started) + " ago" : "",
                Object.entries(t.params).map(([k, v]) => k + "=" + fmt(v)).join(", ")];
      });
      flight.replaceChildren(table(["trial", "folds", "rung", "started", "params"], rows, { id: "flight-table" }),
        running.length > 50 ? el("p", { class: "muted", text: (running.length - 50) + " more running." }) : "");
    }
    function drawSlice() {
      const param = sliceSelect.value;
      if (!param) { slice.replaceChildren(el("p", { class: "muted", text: "No parameter." })); return; }
      const info = meta.params.find((p) => p.name === param);
      const every = sorted().filter((t) => t.value !== null && param in t.params);
      const ts = capped(every);
      plot(slice, [{ type: "scatter", mode: "markers", name: "COMPLETE",
        x: ts.map((t) => info.numeric ? t.params[param] : pt(fmt(t.params[param]))),
        y: ts.map((t) => t.value), customdata: ts.map((t) => t.number),
        text: ts.map(hoverText), hoverinfo: "text",
        marker: { size: 5, opacity: 0.6, color: ts.map((t) => t.number), colorscale: "Blues",
                  showscale: true, colorbar: { title: { text: "trial" } } } }],
        { showlegend: false, xaxis: { title: { text: pt(param) + drawnNote(ts.length, every.length) }, type: info.numeric ? (info.log ? "log" : "linear") : "category" },
          yaxis: { title: { text: pt(meta.metric || "value") } } });
    }
    // The trials binned on a grid (mean score per cell): Plotly's contour of
    // scattered points builds a grid of every distinct x by every distinct y.
    const CONTOUR_BINS = 40;
    const RUNG_LINES = 400;
    // A view draws at most MAX_POINTS trials: the best quarter of them and an
    // even sample of the rest. 10,000 SVG markers keep the page busy for a
    // second or more at each redraw, and a new trial's count waits behind it.
    const MAX_POINTS = 2000;
    function capped(ts) {
      if (ts.length <= MAX_POINTS) return ts;
      const byValue = ts.slice().sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
      const keep = new Set(byValue.slice(0, MAX_POINTS / 4));
      const rest = byValue.slice(MAX_POINTS / 4).sort((a, b) => a.number - b.number);
      const step = rest.length / (MAX_POINTS - keep.size);
      for (let i = 0; i < rest.length && keep.size < MAX_POINTS; i += step) keep.add(rest[Math.floor(i)]);
      return ts.filter((t) => keep.has(t));
    }
    function drawnNote(shown, all) {
      return shown < all ? " (" + shown + " of " + all + " trials drawn)" : "";
    }
    function drawContour() {
      if (numeric.length < 2) return;
      const px = contourX.value, py = contourY.value;
      const ix = meta.params.find((p) => p.name === px), iy = meta.params.find((p) => p.name === py);
      const ts = sorted().filter((t) => t.value !== null && px in t.params && py in t.params);
      const fx = (t) => ix.log ? Math.log10(t.params[px]) : t.params[px];
      const fy = (t) => iy.log ? Math.log10(t.params[py]) : t.params[py];
      const x = ts.map(fx), y = ts.map(fy);
      const traces = [];
      if (px !== py && ts.length >= 3) {
        const [x0, x1] = [Math.min(...x), Math.max(...x)], [y0, y1] = [Math.min(...y), Math.max(...y)];
        const n = CONTOUR_BINS, sum = new Float64Array(n * n), count = new Uint32Array(n * n);
        const bin = (v, lo, hi) => hi > lo ? Math.min(n - 1, Math.floor((v - lo) / (hi - lo) * n)) : 0;
        ts.forEach((t, i) => {
          const cell = bin(y[i], y0, y1) * n + bin(x[i], x0, x1);
          sum[cell] += t.value; count[cell] += 1;
        });
        const centre = (lo, hi) => Array.from({ length: n }, (_, k) => lo + (hi - lo) * (k + 0.5) / n);
        const z = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) =>
          count[r * n + c] ? sum[r * n + c] / count[r * n + c] : null));
        traces.push({ type: "contour", x: centre(x0, x1), y: centre(y0, y1), z, colorscale: "Viridis",
          hoverinfo: "skip", showscale: true, connectgaps: true, contours: { coloring: "heatmap" }, name: "value" });
      }
      const marked = capped(ts);  // the grid above is of every trial
      traces.push({ type: "scatter", mode: "markers", name: "trials", x: marked.map(fx), y: marked.map(fy),
        customdata: marked.map((t) => t.number), text: marked.map(hoverText), hoverinfo: "text",
        marker: { size: 4, color: "white", line: { width: 1, color: "black" } } });
      plot(contour, traces, { showlegend: false,
        xaxis: { title: { text: pt((ix.log ? "log10 " : "") + px) + drawnNote(marked.length, ts.length) } },
        yaxis: { title: { text: pt((iy.log ? "log10 " : "") + py) } } });
    }
    // Parallel coordinates as SVG lines (one trace, gaps between trials): no WebGL.
    function drawParallel() {
      const every = sorted().filter((t) => t.value !== null);
      const ts = capped(every);
      const dims = meta.params.map((p) => p.name);
      const scale = {};
      for (const p of meta.params) {
        if (p.numeric) {
          const vs = ts.filter((t) => p.name in t.params).map((t) => p.log ? Math.log10(t.params[p.name]) : t.params[p.name]);
          const lo = Math.min(...vs), hi = Math.max(...vs);
          scale[p.name] = (v) => (hi > lo ? ((p.log ? Math.log10(v) : v) - lo) / (hi - lo) : 0.5);
        } else {
          const choices = (p.choices || []).map(String);
          scale[p.name] = (v) => {
            const i = choices.indexOf(String(v));
            return choices.length > 1 ? Math.max(i, 0) / (choices.length - 1) : 0.5;
          };
        }
      }
      const values = ts.map((t) => t.value);
      const vlo = Math.min(...values), vhi = Math.max(...values);
      const axis = [...dims, meta.metric || "value"];
      const good = [], rest = [];
      const cut = values.slice().sort((a, b) => b - a)[Math.max(0, Math.floor(values.length * 0.1) - 1)];
      for (const t of ts) {
        const target = t.value >= cut ? good : rest;
        dims.forEach((d, i) => target.push([i, d in t.params ? scale[d](t.params[d]) : null, t.number]));
        target.push([dims.length, vhi > vlo ? (t.value - vlo) / (vhi - vlo) : 0.5, t.number]);
        target.push([null, null, null]);
      }
      const trace = (points, label, color, width) => ({
        type: "scatter", mode: "lines", name: label, x: points.map((p) => p[0]), y: points.map((p) => p[1]),
        customdata: points.map((p) => p[2]), hovertemplate: "trial %{customdata}<extra></extra>",
        line: { color, width }, connectgaps: false, opacity: 0.6 });
      plot(parallel, [trace(rest, "other trials", "rgba(150,150,150,0.35)", 1),
                      trace(good, "best 10 %", "rgba(9,105,218,0.8)", 1.5)],
        { xaxis: { tickvals: axis.map((_, i) => i), ticktext: axis.map(pt), range: [-0.2, axis.length - 0.8] },
          yaxis: { title: { text: "position on the axis (0 = lowest)" + drawnNote(ts.length, every.length) }, range: [-0.05, 1.05] } });
    }
    async function drawRungs() {
      if (!meta.ladder) return;
      const summaryRungs = await (early.rungs || getJSON("/api/study/rungs?name=" + encodeURIComponent(name)));
      early.rungs = null;
      if (summaryRungs) {
        rungs.replaceChildren(table(["bracket", "rung", meta.resource || "resource", "reached", "promoted", "pruned there"],
          summaryRungs.rows.map((r) => [r.bracket, r.rung, r.resource, r.reached, r.promoted, r.pruned]), { id: "rung-table" }));
      }
      const started = performance.now();
      const byState = { PRUNED: [], COMPLETE: [], RUNNING: [] };
      // At most RUNG_LINES lines per state (an even sample by number):
      // 10,000 lines take the page seconds to draw and say no more.
      const candidates = sorted().filter((t) => t.inter && t.inter.length && t.state in byState);
      const keep = new Set(), shown = {}, total = {};
      for (const state of Object.keys(byState)) {
        const of = candidates.filter((t) => t.state === state);
        const step = Math.max(1, of.length / RUNG_LINES);
        for (let i = 0; i < of.length; i += step) keep.add(of[Math.floor(i)].number);
        total[state] = of.length;
        shown[state] = Math.min(of.length, Math.ceil(of.length / step));
      }
      const sampled = Object.keys(total).filter((k) => shown[k] < total[k]);
      for (const t of candidates) {
        if (!keep.has(t.number)) continue;
        for (const [r, v] of t.inter) byState[t.state].push([meta.ladder[r] !== undefined ? meta.ladder[r] : r, v, t.number]);
        byState[t.state].push([null, null, null]);
      }
      const colors = { PRUNED: "rgba(154,103,0,0.35)", COMPLETE: "rgba(26,127,55,0.8)", RUNNING: "rgba(9,105,218,0.8)" };
      plot(rungPlot, Object.entries(byState).filter(([, p]) => p.length).map(([state, p]) => ({
        type: "scatter", mode: "lines+markers", name: state, x: p.map((q) => q[0]), y: p.map((q) => q[1]),
        customdata: p.map((q) => q[2]), hovertemplate: "trial %{customdata}: %{y}<extra></extra>",
        line: { color: colors[state], width: 1 }, marker: { size: 3, color: colors[state] }, connectgaps: false })),
        { xaxis: { title: { text: pt(meta.resource || "resource") + (sampled.length
            ? " (drawn: " + sampled.map((k) => shown[k] + " of " + total[k] + " " + k).join(", ") + ")" : "") }, type: "log" },
          yaxis: { title: { text: pt(meta.metric || "value") + " at the rung" } } });
      timings.rungs = performance.now() - started;
    }
    async function drawImportances() {
      const result = await (early.importances || getJSON("/api/study/importances?name=" + encodeURIComponent(name)));
      early.importances = null;
      if (!result.importances) {
        importances.replaceChildren(el("p", { class: "muted", text: "No importances: " + result.reason }));
        return;
      }
      const entries = Object.entries(result.importances).reverse();
      plot(importances, [{ type: "bar", orientation: "h", x: entries.map((e) => e[1]),
        y: entries.map((e) => pt(e[0])), hovertemplate: "%{y}: %{x:.3f}<extra></extra>" }],
        { showlegend: false, xaxis: { title: { text: "share of a random forest's importance (" + result.n_trials + " trials)" } },
          margin: { l: 160, r: 20, t: 20, b: 50 } });
    }
    async function drawFolds() {
      const result = await (early.folds || getJSON("/api/study/folds?name=" + encodeURIComponent(name)));
      early.folds = null;
      if (!result.candidates.length) { folds.replaceChildren(el("p", { class: "muted", text: "No COMPLETE trial yet." })); return; }
      const foldNames = Array.from(new Set(result.candidates.flatMap((c) => Object.keys(c.folds)))).sort((a, b) => a - b);
      const rows = result.candidates.map((c) => [
        el("a", { href: trialUrl(name, c.number), text: "#" + c.number }), c.value,
        ...foldNames.map((f) => c.folds[f] === undefined ? "" : c.folds[f]), c.verdict]);
      folds.replaceChildren(
        el("div", { class: "scroll" }, table(["trial", "mean", ...foldNames.map((f) => "fold " + f), "against the best"], rows, { id: "folds-table" })),
        el("p", { class: "muted", text: "Paired t-test over the shared folds, with the Nadeau–Bengio correction for overlapping training sets; p < " + result.alpha + " is called a real difference." }));
    }

    // Several objectives: every COMPLETE trial at its objectives' means, the
    // front (computed by the server, as the search computes it) highlighted.
    // A third objective is the points' colour.
    async function drawFront() {
      if (!meta.objectives) return;
      const result = await (early.front || getJSON("/api/study/front?name=" + encodeURIComponent(name)));
      early.front = null;
      if (!result.objectives) return;
      const started = performance.now();
      const objectives = result.objectives;
      const label = (o) => pt(o.name + " (" + o.direction + ")");
      const at = new Map(result.numbers.map((n, i) => [n, i]));
      const onFront = new Set(result.front);
      const hover = (i) => ["trial " + result.numbers[i] + (onFront.has(result.numbers[i]) ? " (on the front)" : "")]
        .concat(objectives.map((o, j) => pt(o.name) + ": " + fmt(result.values[j][i])))
        .concat(result.feasible[i] ? [] : ["outside the constraints"]).join("<br>");
      const others = [], infeasible = [];
      result.numbers.forEach((n, i) => { if (!onFront.has(n)) (result.feasible[i] ? others : infeasible).push(i); });
      // At most MAX_POINTS points besides the front (an even sample by number).
      const sample = (rows, cap) => {
        if (rows.length <= cap) return rows;
        const step = rows.length / cap, out = [];
        for (let k = 0; k < rows.length && out.length < cap; k += step) out.push(rows[Math.floor(k)]);
        return out;
      };
      const room = Math.max(0, MAX_POINTS - result.front.length);
      const shownOthers = sample(others, Math.ceil(room * others.length / Math.max(1, others.length + infeasible.length)));
      const shownInfeasible = sample(infeasible, Math.max(0, room - shownOthers.length));
      const third = objectives.length > 2;
      const colour = (rows) => third ? { color: rows.map((i) => result.values[2][i]), colorscale: "Viridis",
        cmin: Math.min(...result.values[2].filter((v) => v !== null)), cmax: Math.max(...result.values[2].filter((v) => v !== null)) } : {};
      const trace = (rows, label2, marker, extra) => Object.assign({
        type: "scatter", mode: "markers", name: label2,
        x: rows.map((i) => result.values[0][i]), y: rows.map((i) => result.values[1][i]),
        customdata: rows.map((i) => result.numbers[i]), text: rows.map(hover), hoverinfo: "text",
        marker: Object.assign(marker, colour(rows)) }, extra || {});
      const frontRows = result.front.map((n) => at.get(n));
      const traces = [trace(shownOthers, "COMPLETE", { size: 6, opacity: 0.6, color: "rgba(120,120,120,0.7)" })];
      if (infeasible.length) {
        traces.push(trace(shownInfeasible, "outside the constraints", { size: 6, symbol: "x", opacity: 0.5, color: "rgba(207,34,46,0.5)" }));
      }
      const frontMarker = third
        ? { size: 11, symbol: "diamond", line: { width: 1.5, color: "black" },
            showscale: true, colorbar: { title: { text: label(objectives[2]) } } }
        : { size: 9, color: "rgb(207,34,46)" };
      // Two objectives: the front joined as the boundary of what it dominates
      // (sorted by the first objective; the step goes towards its worse side).
      const line = third ? {} : { mode: "lines+markers",
        line: { shape: objectives[0].direction === "maximize" ? "vh" : "hv", color: "rgb(207,34,46)", width: 1.5 } };
      traces.push(trace(frontRows, "Pareto front", frontMarker, line));
      const drawn = shownOthers.length + shownInfeasible.length + frontRows.length;
      plot(front, traces, {
        xaxis: { title: { text: label(objectives[0]) + drawnNote(drawn, result.numbers.length) } },
        yaxis: { title: { text: label(objectives[1]) } } });
      if (!front.dataset.clicks) { onClickOpen(front, name); front.dataset.clicks = "1"; }
      timings.front = performance.now() - started;
      if (EMBEDDED) return;  // a report: its own table of the front
      const bounds = result.constraints.map((c) => c.name + " " + c.op + " " + String(c.threshold)).join(", ");
      frontTable.replaceChildren(
        el("p", { class: "muted", id: "pareto-note", text: result.front.length + " of " + result.numbers.length +
          " COMPLETE trials on the front" + (bounds ? " (constraints: " + bounds + ")" : "") +
          "; each objective is its mean over the folds." }),
        result.front.length ? el("div", { class: "scroll" }, table(
          ["trial", ...objectives.map((o) => o.name + " (" + o.direction + ")"), "params"],
          frontRows.map((i) => {
            const t = trials.get(result.numbers[i]);
            return [el("a", { href: trialUrl(name, result.numbers[i]), text: "#" + result.numbers[i] }),
              ...objectives.map((_, j) => result.values[j][i]),
              t ? Object.entries(t.params).map(([k, v]) => k + "=" + fmt(v)).join(", ") : ""];
          }), { id: "pareto-table" })) : "");
    }

    // The trials table: sorted, filtered and paged by the server.
    const tableState = { sort: "value", order: "desc", state: "", q: "", page: 1, per_page: 25 };
    const stateFilter = el("select", { id: "state-filter" },
      ...["", "COMPLETE", "PRUNED", "FAILED", "RUNNING"].map((s) => el("option", { value: s, text: s || "all states" })));
    const textFilter = el("input", { id: "text-filter", type: "search", placeholder: "filter params (e.g. kernel=rbf)" });
    const pager = el("span", { id: "pager" });
    const tableHolder = el("div", { class: "scroll" });
    tableBox.replaceChildren(el("div", { class: "controls" }, stateFilter, textFilter, pager), tableHolder);
    stateFilter.addEventListener("change", () => { tableState.state = stateFilter.value; tableState.page = 1; loadTable(); });
    textFilter.addEventListener("input", throttle(() => { tableState.q = textFilter.value; tableState.page = 1; loadTable(); }, 300));
    async function loadTable() {
      const params = new URLSearchParams(Object.assign({ name }, tableState));
      const page = await getJSON("/api/study/table?" + params.toString());
      const head = el("tr", {}, ...page.columns.map((c) => {
        const th = el("th", { class: "sortable" + (c === page.sort ? (page.descending ? " sorted-desc" : " sorted-asc") : ""), text: c });
        th.addEventListener("click", () => {
          tableState.order = tableState.sort === c && tableState.order === "desc" ? "asc" : "desc";
          tableState.sort = c; tableState.page = 1; loadTable();
        });
        return th;
      }));
      const numberAt = page.columns.indexOf("number"), stateAt = page.columns.indexOf("state");
      const body = page.rows.map((row) => el("tr", {}, ...row.map((cell, i) => {
        if (i === numberAt) return el("td", {}, el("a", { href: trialUrl(name, cell), text: "#" + cell }));
        if (i === stateAt) return el("td", {}, stateCell(cell));
        return el("td", { class: typeof cell === "number" ? "num" : null, text: fmt(cell) });
      })));
      tableHolder.replaceChildren(el("table", { id: "trials" }, el("thead", {}, head), el("tbody", {}, ...body)));
      const pages = Math.max(1, Math.ceil(page.total / page.per_page));
      pager.replaceChildren(
        el("button", { id: "prev", disabled: page.page <= 1 ? "" : null, onclick: () => { tableState.page--; loadTable(); } }, "‹ prev"),
        " page " + page.page + " of " + pages + " (" + page.total + " trials) ",
        el("button", { id: "next", disabled: page.page >= pages ? "" : null, onclick: () => { tableState.page++; loadTable(); } }, "next ›"));
    }

    sliceSelect.addEventListener("change", drawSlice);
    contourX.addEventListener("change", drawContour);
    contourY.addEventListener("change", drawContour);
    // How long each view took to draw, last time (read by the benchmark).
    const timings = window.scoutTimings = {};
    function timed(name, fn) {
      return function () {
        const started = performance.now();
        const result = fn();
        timings[name] = performance.now() - started;
        return result;
      };
    }
    drawHistory = timed("history", drawHistory);
    drawSlice = timed("slice", drawSlice);
    drawContour = timed("contour", drawContour);
    drawParallel = timed("parallel", drawParallel);
    function drawAll() { drawSlice(); drawContour(); drawParallel(); }
    const loaded = performance.now();
    // Their requests leave now; they draw once the plots below are drawn.
    const pending = [drawImportances(), drawFolds(), drawRungs(), drawFront(), EMBEDDED ? null : loadTable()];
    drawCards(); drawFlight(); drawHistory();
    drawAll();
    [history, slice, contour, parallel, rungPlot].forEach((div) => onClickOpen(div, name));
    await Promise.all(pending);
    timings.computed = performance.now() - loaded;
    // One view at a time: a new count is never stuck behind all of them.
    const redrawSlice = adaptive(drawSlice, 1500, 4);
    const redrawContour = adaptive(drawContour, 1500, 4);
    const redrawParallel = adaptive(drawParallel, 1500, 4);
    const redrawPlots = () => { redrawSlice(); redrawContour(); redrawParallel(); };
    const redrawHistory = adaptive(drawHistory, 250, 4);
    const redrawComputed = throttle(() => { drawImportances(); drawFolds(); drawRungs(); drawFront(); }, 5000);
    const reloadTable = throttle(loadTable, 2000);
    subscribe("/api/study/events?name=" + encodeURIComponent(name) + "&since=" + stamp, "trials", (update) => {
      mergeColumns(trials, update.trials);
      stamp = update.stamp;
      summary = update.summary;
      drawCards();
      drawFlight();
      redrawHistory();
      redrawPlots();
      redrawComputed();
      reloadTable();
    });
    document.body.dataset.ready = "1";
  }

  // -- the trial page ---------------------------------------------------------------
  async function pageTrial() {
    const name = query.get("study"), number = query.get("number");
    if (!name || number === null) { problem("No trial given: open one from a study page."); return; }
    const url = "/api/study/trial?name=" + encodeURIComponent(name) + "&number=" + encodeURIComponent(number);
    let stamp = 0;
    async function draw() {
      const t = await getJSON(url);
      stamp = t.stamp;
      document.title = "trial " + t.number + " of " + name + " · scout-sklearn dashboard";
      const sections = [
        el("p", {}, el("a", { href: studyUrl(name), text: "← " + name })),
        el("h1", { id: "trial-title", text: "Trial " + t.number }),
        el("div", { class: "cards" },
          el("div", { class: "card" }, el("div", { class: "k", text: "state" }), el("div", { class: "v", id: "trial-state" }, stateCell(t.state))),
          el("div", { class: "card" }, el("div", { class: "k", text: t.metric || "value" }), el("div", { class: "v", id: "trial-value", text: fmt(t.value) })),
          el("div", { class: "card" }, el("div", { class: "k", text: "started" }), el("div", { class: "v", text: when(t.started) })),
          el("div", { class: "card" }, el("div", { class: "k", text: "duration" }), el("div", { class: "v", text: t.finished && t.started ? duration(t.finished - t.started) : "" }))),
        el("h2", { text: "Params" }),
        table(["param", "value"], Object.entries(t.params).map(([k, v]) => [k, v]), { id: "params", class: "params" }),
        el("h2", { text: "Folds" }),
      ];
      const metrics = Array.from(new Set(t.folds.flatMap((f) => Object.keys(f.test_scores))));
      sections.push(t.folds.length ? el("div", { class: "scroll" }, table(
        ["fold", "rung", ...metrics.map((m) => "test " + m), "fit time (s)", "score time (s)", "test samples", "rounds", "error"],
        t.folds.map((f) => [f.fold, f.rung, ...metrics.map((m) => f.test_scores[m]), f.fit_time, f.score_time,
                            f.n_test_samples, f.n_iterations, f.error ? "failed" : ""]), { id: "folds" }))
        : el("p", { class: "muted", text: "No fold has finished yet." }));
      if (t.rungs.length) {
        sections.push(el("h2", { text: "Rung history" }),
          table(["rung", "resource", "mean score"], t.rungs.map((r) => [r.rung, r.resource, r.value]), { id: "rungs" }));
      }
      if (t.errors.length) {
        sections.push(el("h2", { text: "Error" }), ...t.errors.slice(0, 3).map((e) => el("pre", { class: "error", text: e })));
      }
      main.replaceChildren(...sections);
      document.body.dataset.ready = "1";
    }
    await draw();
    const redraw = throttle(draw, 1000);
    const me = Number(number);
    subscribe("/api/study/events?name=" + encodeURIComponent(name) + "&since=" + stamp, "trials", (update) => {
      if (update.trials.number.includes(me)) redraw();
    });
  }

  // -- the compare page -------------------------------------------------------------
  async function pageCompare() {
    const names = query.getAll("study");
    const all = (await getJSON("/api/studies")).studies.map((s) => s.name);
    const form = el("form", { method: "get", action: "/compare", id: "compare-form" },
      ...all.map((n) => el("label", {}, el("input", { type: "checkbox", name: "study", value: n, checked: names.includes(n) ? "" : null }), " " + n + " ")),
      el("button", { type: "submit" }, "compare"));
    const box = el("div", { class: "plot", id: "compare-plot" });
    main.replaceChildren(el("h1", { text: "Compare studies" }), form, box);
    if (names.length < 2) {
      box.replaceWith(el("p", { class: "muted", text: "Tick two or more studies." }));
      document.body.dataset.ready = "1";
      return;
    }
    await plotlyReady;
    const series = new Map();
    async function load(n) {
      const data = await getJSON("/api/study?name=" + encodeURIComponent(n));
      const trials = new Map();
      mergeColumns(trials, data.trials);
      series.set(n, { trials, stamp: data.stamp, metric: data.meta.metric });
    }
    await Promise.all(names.map(load));
    function draw() {
      const traces = [];
      for (const [n, s] of series) {
        const ts = Array.from(s.trials.values()).sort((a, b) => a.number - b.number);
        const x = [], y = [];
        let best = -Infinity;
        for (const t of ts) {
          if (t.state === "COMPLETE" && t.value !== null && t.value > best) best = t.value;
          if (best > -Infinity) { x.push(t.number + 1); y.push(best); }
        }
        traces.push({ type: "scatter", mode: "lines", name: pt(n + " (" + (s.metric || "value") + ")"), x, y, line: { shape: "hv" } });
      }
      plot(box, traces, { xaxis: { title: { text: "trials" } }, yaxis: { title: { text: "best so far" } } });
    }
    draw();
    const redraw = throttle(draw, 1000);
    for (const n of names) {
      subscribe("/api/study/events?name=" + encodeURIComponent(n) + "&since=" + series.get(n).stamp, "trials", (update) => {
        mergeColumns(series.get(n).trials, update.trials);
        redraw();
      });
    }
    document.body.dataset.ready = "1";
  }

  const pages = { studies: pageStudies, study: pageStudy, trial: pageTrial, compare: pageCompare };
  (pages[PAGE] || pageStudies)().catch((err) => problem(err.message));
})();
