/* Playground: live preview of a sample under the deployed or a draft policy. */
"use strict";

(() => {
  const { el, clear, api, debounce, toast, category, typeBadge, taxonomy } = CC;
  const $ = (id) => document.getElementById(id);

  const SAMPLES = {
    support:
      "Hi, this is Sarah Chen (sarah.chen@example.com). My card 4532 0151 1283 0366 was charged twice, " +
      "please call me at +1 415-555-0132. My SSN is 536-22-8817 and my zip is 94103.",
    record: JSON.stringify(
      {
        customer: { name: "Sarah Chen", email: "sarah.chen@example.com", ssn: "536-22-8817" },
        note: "Call +1 415-555-0132 after 5pm about the refund",
      },
      null,
      2,
    ),
    secrets:
      "deploy with postgres://app:s3cret@db.internal:5432/prod, password is hunter2! and the token " +
      "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
  };
  const TURNS = [
    "Hi, this is Sarah Chen, my email is sarah.chen@example.com.",
    "Did you get my email? Sarah Chen again, still waiting.",
    "Please call Sarah Chen at +1 415-555-0132 or write to sarah.chen@example.com.",
  ];

  const state = { deployedYaml: "", hidden: new Set(), result: null, seq: 0, turnSeq: 0, destinations: [] };
  const role = document.body.dataset.role;

  const chars = (text) => Array.from(text);
  const slice = (arr, a, b) => arr.slice(a, b).join("");

  function draftOrNull() {
    const text = $("policy").value;
    return text.trim() === "" || text === state.deployedYaml ? null : text;
  }

  function requestBody() {
    return { input: $("input").value, format: $("format").value, tenant: $("tenant").value || null, policy: draftOrNull() };
  }

  /* ------------------------------------------------------------------ preview */
  async function run() {
    const seq = ++state.seq;
    $("panel-highlight").classList.add("stale");
    let result;
    try {
      result = await api("/api/playground", { body: requestBody() });
    } catch (error) {
      if (seq !== state.seq) return;
      $("panel-highlight").classList.remove("stale");
      if (error.kind === "policy") showPolicyStatus(error.message, "error");
      else $("input-status").textContent = error.message;
      return;
    }
    if (seq !== state.seq) return;
    state.result = result;
    $("input-status").textContent = "";
    $("panel-highlight").classList.remove("stale");
    const draft = result.policy.source === "draft";
    showPolicyStatus(
      draft
        ? `Draft is valid: mode ${result.policy.mode}, ${result.policy.destinations.length} destinations. Not deployed.`
        : "Showing the deployed policy. Edit to try a draft.",
      draft ? "ok" : "",
    );
    $("policy-source").textContent = draft ? "draft policy (not deployed)" : "deployed policy";
    $("policy-source").classList.toggle("draft", draft);
    syncTenants(result.policy.tenants, result.policy.tenant);
    syncDestinations(result.policy.destinations);
    renderHighlights(result);
    renderDestinations(result);
    renderExplain(result);
    $("queue-review").hidden = !(role === "reviewer" || role === "admin") || result.decision.action !== "review" || result.kind !== "text";
  }

  function showPolicyStatus(message, kind) {
    const node = $("policy-status");
    node.textContent = message;
    node.className = `policy-status ${kind || ""}`;
  }

  function syncTenants(tenants, current) {
    const select = $("tenant");
    const wanted = select.value || current;
    const existing = Array.from(select.options).map((o) => o.value).join("\n");
    if (existing !== tenants.join("\n")) {
      clear(select);
      for (const name of tenants) select.append(el("option", { value: name, text: name }));
    }
    select.value = tenants.includes(wanted) ? wanted : current;
  }

  function syncDestinations(names) {
    if (names.join() === state.destinations.join()) return;
    state.destinations = names;
    const chips = clear($("dest-chips"));
    for (const name of names) {
      const chip = el("button", {
        type: "button", class: "chip", "data-dest": name, "aria-pressed": String(!state.hidden.has(name)), text: name,
        onclick: () => {
          if (state.hidden.has(name)) state.hidden.delete(name);
          else state.hidden.add(name);
          chip.setAttribute("aria-pressed", String(!state.hidden.has(name)));
          if (state.result) renderDestinations(state.result);
        },
      });
      chips.append(chip);
    }
    for (const id of ["turn-dest-a", "turn-dest-b"]) {
      const select = $(id);
      const before = select.value;
      clear(select);
      for (const name of names) select.append(el("option", { value: name, text: name }));
      if (names.includes(before)) select.value = before;
    }
    if (!names.includes($("turn-dest-a").value) || $("turn-dest-a").value === "") $("turn-dest-a").value = names[0] || "";
    const preferB = names.includes("training") ? "training" : names[1] || names[0] || "";
    if (!$("turn-dest-b").dataset.touched) $("turn-dest-b").value = preferB;
    if (!$("turn-dest-a").dataset.touched && names.includes("llm")) $("turn-dest-a").value = "llm";
  }

  function alias(type) {
    const row = taxonomy()[type];
    return row ? row.placeholder : type;
  }

  function renderHighlights(result) {
    const box = clear($("highlighted"));
    const decision = $("decision");
    decision.textContent = result.decision.action + (result.decision.observe ? " (observe)" : "");
    decision.className = `decision ${result.decision.action}`;
    const seen = new Set();
    for (const leaf of result.leaves) {
      const text = chars(leaf.text);
      const node = el("div", { class: "leaf" });
      if (leaf.path) node.append(el("span", { class: "leaf-path", text: leaf.path }));
      let pos = 0;
      for (const e of leaf.entities.filter((x) => x.kept).sort((a, b) => a.start - b.start)) {
        if (e.start < pos) continue;
        seen.add(e.type);
        node.append(slice(text, pos, e.start));
        const classes = `ent cat-${category(e.type)}${e.review_band ? " review-band" : ""}`;
        const tip = `${e.type} · score ${e.score.toFixed(2)} · threshold ${e.threshold.toFixed(2)}`;
        node.append(el("span", {
          class: classes, tabindex: "0", "data-id": e.id, "data-type": e.type, "data-score": e.score, "aria-label": tip,
          onclick: () => select(e.id),
        }, slice(text, e.start, e.end), el("span", { class: "ent-label", text: alias(e.type) }), el("span", { class: "tip", text: tip })));
        pos = e.end;
      }
      node.append(slice(text, pos, text.length));
      box.append(node);
    }
    if (!result.leaves.length) box.append(el("span", { class: "empty", text: "Type or paste a sample." }));
    const reasons = clear($("reasons"));
    for (const reason of result.decision.reasons) reasons.append(el("li", { text: reason }));
    const legend = clear($("legend"));
    for (const type of [...seen].sort()) {
      legend.append(el("span", { class: `cat-${category(type)}` }, el("span", { class: "sw" }), type));
    }
  }

  function renderOutput(output) {
    const text = chars(output.text);
    const pre = el("pre", {});
    let pos = 0;
    for (const r of output.replacements) {
      pre.append(slice(text, pos, r.start));
      pre.append(el("span", { class: `out cat-${category(r.type)}`, title: `${r.type} · ${r.method}`, "data-link": r.link || null },
        slice(text, r.start, r.end)));
      pos = r.end;
    }
    pre.append(slice(text, pos, text.length));
    return pre;
  }

  function renderDestinations(result) {
    const grid = clear($("dest-grid"));
    for (const [name, output] of Object.entries(result.outputs)) {
      if (state.hidden.has(name)) continue;
      const card = el("article", { class: "dest", "data-dest": name }, el("h3", {}, el("span", { text: name })));
      if (output.blocked) card.append(el("p", { class: "blocked", text: "Blocked by the policy: nothing is sent." }));
      else card.append(renderOutput(output));
      grid.append(card);
    }
    if (!grid.children.length) grid.append(el("p", { class: "empty", text: "No destination selected." }));
  }

  function status(e) {
    if (e.kept) {
      if (e.reviewed === "deny") return "kept · confirmed by a reviewer";
      return e.review_band ? "kept · in review band" : "kept";
    }
    if (e.dropped === "allow_list" && e.reviewed === "allow") return "dropped · false positive (review)";
    if (e.dropped === "overlap") return `dropped · lost overlap to ${e.lost_to}`;
    return `dropped · ${String(e.dropped).replace("_", " ")}`;
  }

  function renderExplain(result) {
    const body = clear(document.querySelector("#explain tbody"));
    const showDropped = $("show-dropped").checked;
    for (const leaf of result.leaves) {
      const text = chars(leaf.text);
      for (const e of leaf.entities) {
        if (!e.kept && !showDropped) continue;
        body.append(el("tr", { class: e.kept ? "" : "dropped", "data-id": e.id },
          el("td", {}, typeBadge(e.type)),
          el("td", { class: "mono text-cell" }, (leaf.path ? `${leaf.path}: ` : "") + slice(text, e.start, e.end)),
          el("td", { text: e.recognizer }),
          el("td", { text: e.context.length ? e.context.join(", ") : "—" }),
          el("td", { class: "num", title: "score / threshold", text: `${e.score.toFixed(2)} / ${e.threshold.toFixed(2)}` }),
          el("td", { class: "status", text: status(e) })));
      }
    }
    if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: "6", class: "empty", text: "Nothing detected." })));
  }

  function select(id) {
    for (const node of document.querySelectorAll(".selected")) node.classList.remove("selected");
    for (const node of document.querySelectorAll(`[data-id="${CSS.escape(id)}"]`)) node.classList.add("selected");
    const row = document.querySelector(`#explain tr[data-id="${CSS.escape(id)}"]`);
    if (row) row.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  /* ------------------------------------------------------------------ conversation */
  function addTurn(text) {
    const list = $("turn-inputs");
    const row = el("div", { class: "turn-input" });
    const area = el("textarea", { rows: "2", spellcheck: "false", "aria-label": "Conversation turn" });
    area.value = text || "";
    area.addEventListener("input", runTurnsSoon);
    const remove = el("button", { type: "button", class: "btn btn-ghost", title: "Remove this turn", text: "×",
      onclick: () => { row.remove(); renumber(); runTurnsSoon(); } });
    row.append(el("span", {}), area, remove);
    list.append(row);
    renumber();
  }

  function renumber() {
    Array.from($("turn-inputs").children).forEach((row, i) => { row.firstChild.textContent = `Turn ${i + 1}`; });
  }

  const linkColors = new Map();
  function linkColor(id) {
    if (!linkColors.has(id)) linkColors.set(id, CC.PALETTE[linkColors.size % CC.PALETTE.length]);
    return linkColors.get(id);
  }

  async function runTurns() {
    const turns = Array.from(document.querySelectorAll("#turn-inputs textarea")).map((t) => t.value).filter((t) => t.trim());
    if (!turns.length) return;
    const destinations = [...new Set([$("turn-dest-a").value, $("turn-dest-b").value].filter(Boolean))];
    const seq = ++state.turnSeq;
    let result;
    try {
      result = await api("/api/turns", { body: { ...requestBody(), input: undefined, turns, destinations } });
    } catch (error) {
      if (seq === state.turnSeq) toast(error.message);
      return;
    }
    if (seq !== state.turnSeq) return;
    const [a, b] = [destinations[0], destinations[1] || destinations[0]];
    $("turn-head-a").textContent = a;
    $("turn-head-b").textContent = b;
    const body = clear(document.querySelector("#turns-out tbody"));
    result.turns.forEach((turn, i) => {
      const cells = [a, b].map((name) => {
        const pre = renderOutput(turn.outputs[name]);
        pre.className = "turn-cell";
        for (const span of pre.querySelectorAll("[data-link]")) span.style.setProperty("--c", linkColor(span.dataset.link));
        return el("td", {}, pre);
      });
      body.append(el("tr", {}, el("td", { text: String(i + 1) }), ...cells));
    });
    const links = clear($("turn-links"));
    for (const link of result.links) {
      const item = el("li", { "data-link": link.id }, typeBadge(link.type), el("strong", { text: link.id }),
        el("span", { class: "muted", text: `turns ${link.turns.map((t) => t + 1).join(", ")}` }));
      for (const name of result.destinations) {
        const outs = link.outputs[name];
        const ok = link.consistent[name];
        item.append(el("span", { class: "mono", text: `${name}: ${outs.join(" | ") || "—"}` }),
          el("span", { class: ok ? "ok-mark" : "bad-mark", title: ok ? "same stand-in every turn" : "differs between turns", text: ok ? "✓" : "✗" }));
      }
      links.append(item);
    }
    if (!result.links.length) links.append(el("li", { class: "empty", text: "Nothing detected in these turns." }));
  }
  const runTurnsSoon = debounce(runTurns, 600);

  /* ------------------------------------------------------------------ wiring */
  async function init() {
    const info = await api("/api/policy");
    state.deployedYaml = info.yaml;
    $("policy").value = info.yaml;
    syncTenants(info.tenants, info.tenants[0]);
    syncDestinations(info.destinations);
    $("input").value = SAMPLES.support;
    TURNS.forEach(addTurn);
    const runSoon = debounce(run, 300);
    $("input").addEventListener("input", runSoon);
    $("format").addEventListener("change", run);
    $("tenant").addEventListener("change", () => { run(); runTurns(); });
    $("policy").addEventListener("input", debounce(() => { run(); runTurns(); }, 500));
    $("show-dropped").addEventListener("change", () => state.result && renderExplain(state.result));
    $("policy-reset").addEventListener("click", () => { $("policy").value = state.deployedYaml; run(); runTurns(); });
    for (const button of document.querySelectorAll("[data-sample]")) {
      button.addEventListener("click", () => { $("input").value = SAMPLES[button.dataset.sample]; run(); });
    }
    for (const id of ["turn-dest-a", "turn-dest-b"]) {
      $(id).addEventListener("change", () => { $(id).dataset.touched = "1"; runTurns(); });
    }
    $("turn-add").addEventListener("click", () => addTurn(""));
    $("turn-run").addEventListener("click", runTurns);
    $("queue-review").addEventListener("click", async () => {
      try {
        const out = await api("/api/playground/queue", { body: requestBody() });
        toast(`Queued ${out.queued} of ${out.in_band} review-band detection(s) for review.`);
      } catch (error) {
        toast(error.message);
      }
    });
    await run();
    await runTurns();
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => init().catch((error) => toast(error.message)));
})();
