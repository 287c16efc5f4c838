/* coatcheck console: shared helpers. Plain JS, no dependencies. Data is inserted as text, never as HTML. */
"use strict";

const CC = (() => {
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const base = meta("console-base").replace(/\/$/, "");
  const csrf = meta("csrf-token");

  /** Create an element: el("span", {class: "x", title: "t"}, "text", child). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "vars") for (const [k, v] of Object.entries(value)) node.style.setProperty(k, v);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  class ApiError extends Error {
    constructor(status, kind, message) {
      super(message);
      this.status = status;
      this.kind = kind;
    }
  }

  async function api(path, options = {}) {
    const init = { method: options.method || "GET", credentials: "same-origin", headers: { Accept: "application/json" } };
    if (options.body !== undefined) {
      init.method = options.method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (init.method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    const response = await fetch(base + path, init);
    if (response.status === 401) {
      window.location.assign(`${base}/login?next=${encodeURIComponent(window.location.pathname)}`);
      throw new ApiError(401, "auth", "log in first");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.kind || "http", error.message || `HTTP ${response.status}`);
    }
    return data;
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  let toastTimer = null;
  function toast(message) {
    const node = document.getElementById("toast");
    if (!node) return;
    node.textContent = message;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, 3500);
  }

  let taxonomyCache = null;
  function taxonomy() {
    if (taxonomyCache === null) {
      const node = document.getElementById("taxonomy");
      taxonomyCache = node ? JSON.parse(node.textContent) : {};
    }
    return taxonomyCache;
  }

  function category(type) {
    const row = taxonomy()[type];
    return row ? row.category : "other";
  }

  const PALETTE = [
    "#2f7fd3", "#d3562f", "#7b4fd6", "#1f9c8f", "#c22f6b", "#5f8f1f", "#b07a12", "#0f5e9c", "#e08a2c", "#8a4f7d",
  ];
  const DECISION_COLORS = { allow: "#2e8b57", review: "#c98a06", block: "#c8372d" };

  function categoryColor(type) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(`--c-${category(type)}`).trim();
    return value || "#607080";
  }

  function typeBadge(type) {
    return el("span", { class: `type-badge cat-${category(type)}`, text: type });
  }

  function fmtTime(epochSeconds, withDate) {
    const d = new Date(epochSeconds * 1000);
    const hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return withDate ? `${d.toLocaleDateString()} ${hm}` : hm;
  }

  function fmtNumber(n) {
    return typeof n === "number" ? n.toLocaleString() : "–";
  }

  /* ---------------------------------------------------------------- charts (inline SVG) */
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function niceMax(value) {
    if (value <= 5) return 5;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
    return 10 * power;
  }

  /** Stacked bars over time: series is [{name, color, values}], buckets are epoch seconds. */
  function stackedBars(container, buckets, series, options = {}) {
    const W = 600, H = 190, L = 36, R = 8, T = 10, B = 22;
    const n = buckets.length || 1;
    const totals = buckets.map((_, i) => series.reduce((s, row) => s + (row.values[i] || 0), 0));
    const max = niceMax(Math.max(0, ...totals));
    const plotW = W - L - R, plotH = H - T - B;
    const slot = plotW / n, barW = Math.max(1, slot * 0.78);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": options.label || "chart" });
    for (const frac of [0, 0.5, 1]) {
      const y = T + plotH * (1 - frac);
      root.append(svg("line", { x1: L, x2: W - R, y1: y, y2: y, class: "axis" }));
      root.append(svg("text", { x: L - 6, y: y + 3, "text-anchor": "end" }, fmtNumber(Math.round(max * frac * 10) / 10)));
    }
    buckets.forEach((_, i) => {
      let y = T + plotH;
      for (const row of series) {
        const v = row.values[i] || 0;
        if (!v) continue;
        const h = (v / max) * plotH;
        y -= h;
        const rect = svg("rect", { x: L + i * slot + (slot - barW) / 2, y, width: barW, height: h, fill: row.color, rx: 1 });
        rect.append(svg("title", {}, `${row.name}: ${v} at ${fmtTime(buckets[i])}`));
        root.append(rect);
      }
    });
    timeTicks(root, buckets, (i) => L + i * slot + slot / 2, H - 6, L, W - R);
    clear(container).append(root, legend(series));
  }

  /** A line (or several) over time. */
  function lines(container, buckets, series, options = {}) {
    const W = 600, H = 170, L = 40, R = 8, T = 10, B = 22;
    const n = buckets.length || 1;
    const max = niceMax(Math.max(0, ...series.flatMap((row) => row.values.filter((v) => v !== null))));
    const plotW = W - L - R, plotH = H - T - B;
    const x = (i) => L + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
    const y = (v) => T + plotH * (1 - v / max);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": options.label || "chart" });
    for (const frac of [0, 0.5, 1]) {
      root.append(svg("line", { x1: L, x2: W - R, y1: y(max * frac), y2: y(max * frac), class: "axis" }));
      root.append(svg("text", { x: L - 6, y: y(max * frac) + 3, "text-anchor": "end" }, fmtNumber(Math.round(max * frac * 10) / 10)));
    }
    for (const row of series) {
      // null means "no data in this bucket": the line breaks there instead of dropping to zero
      let run = [];
      const flush = () => {
        if (run.length > 1) {
          root.append(svg("polyline", { points: run.join(" "), fill: "none", stroke: row.color, "stroke-width": 2, "stroke-linejoin": "round" }));
        }
        run = [];
      };
      row.values.forEach((v, i) => {
        if (v === null || v === undefined) return flush();
        run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
        root.append(svg("circle", { cx: x(i), cy: y(v), r: 2.5, fill: row.color }));
      });
      flush();
    }
    timeTicks(root, buckets, x, H - 6, L, W - R);
    clear(container).append(root, legend(series));
  }

  /** Time labels under a chart: the first starts at the left edge, the last ends at the right one. */
  function timeTicks(root, buckets, xOf, y, left, right) {
    const n = buckets.length;
    const ticks = Math.min(6, n);
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k * (n - 1)) / Math.max(1, ticks - 1));
      const anchor = ticks > 1 && k === 0 ? "start" : ticks > 1 && k === ticks - 1 ? "end" : "middle";
      const x = anchor === "start" ? left : anchor === "end" ? right : xOf(i);
      root.append(svg("text", { x, y, "text-anchor": anchor }, fmtTime(buckets[i])));
    }
  }

  function legend(series) {
    return el("div", { class: "chart-legend" },
      series.map((row) => el("span", {}, el("span", { class: "sw", vars: { "--c": row.color } }), row.name)));
  }

  /** Horizontal bars from [[name, count, color?]]. */
  function hbars(container, rows, options = {}) {
    clear(container);
    if (!rows.length) {
      container.append(el("p", { class: "empty", text: options.empty || "Nothing yet." }));
      return;
    }
    const max = Math.max(...rows.map((r) => r[1]), 1);
    for (const [name, count, color] of rows) {
      const fill = el("div", { class: "bar-fill", vars: { "--c": color || "#2f5bd3" } });
      fill.style.width = `${(100 * count) / max}%`;
      container.append(el("div", { class: "bar-row", "data-name": name },
        el("span", { class: "name", title: name, text: name }),
        el("div", { class: "bar-track" }, fill),
        el("span", { class: "count", text: fmtNumber(count) })));
    }
  }

  return {
    base, csrf, el, clear, api, ApiError, debounce, toast, taxonomy, category, categoryColor, typeBadge,
    fmtTime, fmtNumber, stackedBars, lines, hbars, PALETTE, DECISION_COLORS,
  };
})();
