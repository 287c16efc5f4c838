/* Review queue: masked context only; a verdict feeds the tenant's allow or deny list. */
"use strict";

(() => {
  const { el, clear, api, fmtTime, fmtNumber, typeBadge, toast } = CC;
  const $ = (id) => document.getElementById(id);
  const LABELS = { correct: "confirmed", false_positive: "false positive", pending: "pending" };

  function itemNode(item) {
    const node = el("li", { class: "review-item", "data-item": String(item.id), "data-type": item.entity_type },
      el("div", { class: "meta" }, typeBadge(item.entity_type),
        el("span", { text: `score ${item.score.toFixed(2)}` }),
        el("span", { text: `tenant ${item.tenant}` }),
        el("span", { text: `${item.source} · ${item.recognizer}` }),
        el("span", { text: fmtTime(item.created, true) }),
        el("span", { class: "mono", title: "keyed hash of the value", text: `#${item.value_hash}` })),
      el("p", { class: "context" }, item.before, el("mark", { text: item.item }), item.after));
    if (item.status === "pending") {
      node.append(el("div", { class: "actions" },
        el("button", { type: "button", class: "btn btn-ok", "data-verdict": "correct", text: "Correct",
          onclick: () => decide(item.id, "correct") }),
        el("button", { type: "button", class: "btn btn-fp", "data-verdict": "false_positive", text: "False positive",
          onclick: () => decide(item.id, "false_positive") })));
    } else {
      node.append(el("span", { class: `verdict ${item.status}`, text: `${LABELS[item.status]} by ${item.reviewer}` }));
    }
    return node;
  }

  function render(data) {
    const list = clear($("review-list"));
    for (const item of data.items) list.append(itemNode(item));
    $("review-empty").hidden = data.items.length > 0;
    $("review-pending").textContent = `${fmtNumber(data.stats.pending)} pending`;
    const body = clear(document.querySelector("#table-fp tbody"));
    for (const [type, row] of Object.entries(data.stats.by_type)) {
      body.append(el("tr", { "data-type": type }, el("td", {}, typeBadge(type)),
        el("td", { class: "num", text: fmtNumber(row.false_positive) }),
        el("td", { class: "num", text: fmtNumber(row.correct) }),
        el("td", { class: "num", text: fmtNumber(row.pending) })));
    }
    if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: "4", class: "empty", text: "No reviews yet." })));
    const lists = clear($("review-lists"));
    for (const [tenant, row] of Object.entries(data.stats.lists)) {
      lists.append(el("li", { text: `${tenant}: ${row.allow} allowed (false positives), ${row.deny} confirmed` }));
    }
    if (!lists.children.length) lists.append(el("li", { class: "empty", text: "No list entries yet." }));
  }

  async function load() {
    const status = $("review-status").value;
    const tenant = $("review-tenant").value.trim();
    const query = `?status=${encodeURIComponent(status)}${tenant ? `&tenant=${encodeURIComponent(tenant)}` : ""}`;
    try {
      render(await api(`/api/review${query}`));
      document.body.dataset.ready = "1";
    } catch (error) {
      toast(error.message);
    }
  }

  async function decide(id, verdict) {
    try {
      await api(`/api/review/${id}`, { body: { verdict } });
      toast(verdict === "correct" ? "Confirmed: added to the deny list." : "False positive: added to the allow list.");
    } catch (error) {
      toast(error.message);
    }
    await load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("review-status").addEventListener("change", load);
    $("review-tenant").addEventListener("change", load);
    load();
    setInterval(() => { if (!document.hidden) load(); }, Math.max(2000, Number(document.body.dataset.pollMs) || 5000));
  });
})();
