/* Dashboard: polls the JSON API and redraws the charts (inline SVG). */
"use strict";

(() => {
  const { el, clear, api, fmtNumber, fmtTime, categoryColor, stackedBars, lines, hbars, DECISION_COLORS, PALETTE } = CC;
  const $ = (id) => document.getElementById(id);
  let timer = null;

  function kpi(id, value) {
    $(id).querySelector(".value").textContent = value;
  }

  function render(data) {
    const t = data.totals;
    kpi("kpi-requests", fmtNumber(t.requests));
    kpi("kpi-entities", fmtNumber(t.entities));
    kpi("kpi-allow", fmtNumber(t.decisions.allow));
    kpi("kpi-review", fmtNumber(t.decisions.review));
    kpi("kpi-block", fmtNumber(t.decisions.block));
    kpi("kpi-observe", fmtNumber(t.observe.would_redact));
    const lat = data.latency;
    kpi("kpi-latency", lat.count ? `${lat.p50} / ${lat.p90} / ${lat.p99} ms` : "–");
    $("dash-source").textContent = data.source === "audit" ? "source: audit log" : "source: this process";
    $("dash-updated").textContent = `updated ${new Date().toLocaleTimeString()}`;

    const buckets = data.window.buckets;
    // one distinct color per type, by rank, shared by every chart of this render
    const colors = new Map();
    for (const name of [...Object.keys(t.by_type), ...Object.keys(data.series.entities_by_type), ...Object.keys(t.observe.by_type)]) {
      if (name !== "other" && !colors.has(name)) colors.set(name, PALETTE[colors.size % PALETTE.length]);
    }
    const colorOf = (name) => (name === "other" ? "#9aa3b2" : colors.get(name) || categoryColor(name));
    const decisions = ["allow", "review", "block"].map((name) => ({
      name, color: DECISION_COLORS[name], values: data.series.decisions[name] || [],
    }));
    stackedBars($("chart-requests"), buckets, decisions, { label: "Requests by decision over time" });
    const types = Object.entries(data.series.entities_by_type).map(([name, values]) => ({ name, values, color: colorOf(name) }));
    stackedBars($("chart-entities"), buckets, types, { label: "Entities by type over time" });
    const tenantSeries = Object.entries(data.series.entities_by_tenant).map(([name, values], i) => ({
      name, values, color: name === "other" ? "#9aa3b2" : PALETTE[(i + 3) % PALETTE.length],
    }));
    stackedBars($("chart-tenants"), buckets, tenantSeries, { label: "Entities by tenant over time" });
    hbars($("chart-types"), Object.entries(t.by_type).map(([name, n]) => [name, n, colorOf(name)]), { empty: "No entities yet." });
    hbars($("chart-observe"), Object.entries(t.observe.by_type).map(([name, n]) => [name, n, colorOf(name)]),
      { empty: t.observe.requests ? "Nothing would have been redacted." : "No observe-mode traffic." });
    lines($("chart-latency"), buckets, [{ name: "p90 ms", color: "#2f5bd3", values: lat.p90_series || [] }], { label: "Latency" });

    const tenants = clear(document.querySelector("#table-tenants tbody"));
    for (const [name, row] of Object.entries(t.by_tenant)) {
      tenants.append(el("tr", { "data-tenant": name }, el("td", { text: name }), el("td", { class: "num", text: fmtNumber(row.requests) }),
        el("td", { class: "num", text: fmtNumber(row.entities) }), el("td", { class: "num", text: fmtNumber(row.review) }),
        el("td", { class: "num", text: fmtNumber(row.block) })));
    }
    if (!tenants.children.length) tenants.append(el("tr", {}, el("td", { colspan: "5", class: "empty", text: "No traffic yet." })));

    const reid = clear(document.querySelector("#table-reid tbody"));
    for (const row of data.reidentify) {
      const types = Object.entries(row.types).map(([k, v]) => `${k} ×${v}`).join(", ") || "—";
      reid.append(el("tr", {}, el("td", { text: fmtTime(Date.parse(row.time) / 1000, true) }), el("td", { text: row.actor }),
        el("td", { text: row.tenant }), el("td", { text: row.action }), el("td", { text: row.purpose || row.reason || "—" }),
        el("td", { text: types })));
    }
    if (!reid.children.length) {
      reid.append(el("tr", {}, el("td", { colspan: "6", class: "empty",
        text: data.source === "audit" ? "No re-identification requests in this window." : "Needs an audit log." })));
    }

    const fp = Object.entries((data.review && data.review.by_type) || {})
      .filter(([, row]) => row.false_positive > 0)
      .map(([name, row]) => [name, row.false_positive, colorOf(name)]);
    hbars($("chart-fp"), fp, { empty: "No false positives reported yet." });
  }

  async function refresh() {
    const [minutes, bucket] = $("dash-window").value.split(":");
    try {
      render(await api(`/api/dashboard?minutes=${minutes}&bucket=${bucket}`));
      document.body.dataset.ready = "1";
    } catch (error) {
      $("dash-updated").textContent = `update failed: ${error.message}`;
    }
  }

  function schedule() {
    clearTimeout(timer);
    const every = Math.max(1000, Number(document.body.dataset.pollMs) || 5000);
    timer = setTimeout(async () => {
      if (!document.hidden) await refresh();
      schedule();
    }, every);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("dash-window").addEventListener("change", refresh);
    await refresh();
    schedule();
  });
})();
