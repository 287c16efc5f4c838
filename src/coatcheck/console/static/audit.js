/* Audit: filtered events, chain verification, export. */
"use strict";

(() => {
  const { el, clear, api, toast } = CC;
  const $ = (id) => document.getElementById(id);

  function filters() {
    const form = $("audit-filter");
    const out = {};
    for (const name of ["tenant", "action", "since", "until"]) {
      const value = form.elements[name].value.trim();
      if (!value) continue;
      out[name] = name === "since" || name === "until" ? new Date(value).toISOString() : value;
    }
    return out;
  }

  async function load() {
    const query = new URLSearchParams(filters()).toString();
    let data;
    try {
      data = await api(`/api/audit${query ? `?${query}` : ""}`);
    } catch (error) {
      toast(error.message);
      return;
    }
    const select = $("audit-action");
    if (select.options.length <= 1) for (const a of data.actions) select.append(el("option", { value: a, text: a }));
    const body = clear(document.querySelector("#audit-table tbody"));
    for (const e of data.events) {
      const counts = Object.entries(e.entity_counts).map(([k, v]) => `${k} ×${v}`).join(", ") || "—";
      body.append(el("tr", { "data-seq": String(e.sequence) },
        el("td", { class: "num", text: String(e.sequence) }),
        el("td", { class: "mono", text: e.timestamp.replace("T", " ").slice(0, 19) }),
        el("td", { text: e.tenant }), el("td", { text: e.action }), el("td", { text: e.actor }),
        el("td", { text: e.decision }), el("td", { text: e.mode }), el("td", { text: counts }),
        el("td", { text: [e.reason, e.purpose].filter(Boolean).join(" / ") || "—" })));
    }
    if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: "9", class: "empty", text: "No events match." })));
    $("audit-count").textContent = data.total > data.events.length ? `(newest ${data.events.length} of ${data.total})` : `(${data.total})`;
    const exportForm = $("export-form");
    if (exportForm) for (const name of ["tenant", "action", "since", "until"]) exportForm.elements[name].value = filters()[name] || "";
    document.body.dataset.ready = "1";
  }

  async function verify() {
    const node = $("chain-status");
    node.textContent = "checking…";
    node.className = "chain";
    try {
      const report = await api("/api/audit/verify");
      node.textContent = report.ok ? `✓ ${report.summary}` : `✗ ${report.summary}`;
      node.className = `chain ${report.ok ? "ok" : "bad"}`;
    } catch (error) {
      node.textContent = error.message;
      node.className = "chain bad";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!$("audit-filter")) return;
    $("audit-filter").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    $("verify").addEventListener("click", verify);
    load();
    verify();
  });
})();
