// poam serve: the page's script. It talks only to this server.
"use strict";

const state = { fields: [], formats: [], files: new Map(), scans: new Map() };

const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function api(path, options = {}) {
  const r = await fetch(path, { credentials: "same-origin", ...options });
  const type = r.headers.get("content-type") || "";
  const body = type.includes("json") ? await r.json() : { error: await r.text() };
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

async function start() {
  const t = await api("/api/targets");
  state.fields = t.fields;
  state.formats = t.formats;
  const to = $("#to");
  for (const f of t.formats) to.append(el("option", { value: f.to, text: f.label }));
  to.addEventListener("change", versions);
  versions();
  const policy = $("#policy");
  for (const p of t.policies) policy.append(el("option", { value: p, text: p }));
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    add([...e.dataTransfer.files]);
  });
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("#pick").click(); }
  });
  $("#pick").addEventListener("change", (e) => add([...e.target.files]));
  $("#pick-folder").addEventListener("change", (e) => add([...e.target.files]));
  $("#zip").addEventListener("click", () => { window.location.href = "/api/downloads.zip"; });
  $("#rollup").addEventListener("click", rollup);
  $("#diff").addEventListener("click", compare);
  $("#update").addEventListener("click", monthly);
}

// The files read, for the roll-up and the comparison.
function remember(view) {
  state.files.set(view.id, view.name);
  $("#template").append(el("option", { value: view.id, text: view.name }));
  for (const [sel, pick] of [["#old", 0], ["#new", 1]]) {
    const box = $(sel);
    const was = box.value;
    box.replaceChildren(...[...state.files].map(([id, name]) => el("option", { value: id, text: name })));
    if (was) box.value = was;
    else if (box.options[pick]) box.selectedIndex = pick;
  }
  const many = state.files.size >= 2;
  $("#rollup").disabled = !many;
  $("#diff").disabled = !many;
  $("#update").disabled = state.scans.size === 0;
}

async function monthly() {
  const out = $("#update-result");
  out.textContent = "Updating…";
  try {
    const r = await api("/api/update", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ last: Number($("#old").value), scans: [...state.scans.keys()],
        to: $("#to").value, version: $("#version").value || null, metadata: metadata() }),
    });
    const s = r.summary;
    const list = (title, items) => items.length
      ? [el("h4", { text: `${title} (${items.length})` }),
         el("ul", {}, ...items.map((c) => el("li", { text: `${c.item} (${c.finding}): ${c.note}` })))]
      : [];
    out.replaceChildren(
      el("p", { text: `Scans: ${s.scans.join("; ")}` }),
      ...list("New items", s.new), ...list("Closed (fixed)", s.closed),
      ...list("Reopened", s.reopened),
      el("ul", {}, ...r.not_held.map((n) => el("li", { text: n }))),
      el("p", {}, el("a", { class: "button", href: r.download, download: r.name, text: `Download ${r.name}` })),
    );
    $("#zip").disabled = false;
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

function table(rows) {
  const [head, ...body] = rows;
  return el("table", {},
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...body.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c }))))));
}

async function rollup() {
  const out = $("#rollup-result");
  out.textContent = "Rolling up…";
  try {
    const r = await api("/api/rollup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ files: [...state.files.keys()], to: $("#to").value,
        version: $("#version").value || null, dedupe: $("#dedupe").checked, metadata: metadata() }),
    });
    out.replaceChildren(
      el("h3", { text: "Summary by unit" }), table(r.units),
      el("ul", {}, ...r.not_held.map((n) => el("li", { text: n }))),
      el("p", {}, el("a", { class: "button", href: r.download, download: r.name, text: `Download ${r.name}` })),
    );
    $("#zip").disabled = false;
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

async function compare() {
  const out = $("#diff-result");
  out.textContent = "Comparing…";
  try {
    const r = await api("/api/diff", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ old: Number($("#old").value), new: Number($("#new").value) }),
    });
    const list = (title, items) => items.length
      ? [el("h4", { text: `${title} (${items.length})` }),
         el("ul", {}, ...items.map((i) => el("li", { text: `${i.id}: ${i.weakness || ""}` })))]
      : [];
    out.replaceChildren(
      el("h3", { text: `${r.old} → ${r.new}` }),
      table([["", "Count"], ...r.counts.map((c) => [c.label, String(c.count)])]),
      ...list("New items", r.diff.added),
      ...list("Closed since last month", r.diff.closed),
      ...list("Reopened", r.diff.reopened),
      ...list("Disappeared without being closed", r.diff.disappeared),
      ...list("Changed", r.diff.changed.map((c) => ({ id: c.item.id,
        weakness: c.changes.map((x) => `${x.label}: ${x.old || "(blank)"} → ${x.new || "(blank)"}`).join("; ") }))),
    );
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

function versions() {
  const f = state.formats.find((x) => x.to === $("#to").value);
  const v = $("#version");
  v.replaceChildren();
  const list = f ? f.versions : [];
  v.disabled = list.length === 0;
  if (list.length === 0) v.append(el("option", { value: "", text: "(none)" }));
  for (const x of list) {
    const o = el("option", { value: x.version, text: `${x.version}: ${x.name}` });
    if (x.default) o.selected = true;
    v.append(o);
  }
}

// Files go up a few at a time, so that fifty dropped at once keep the page
// answering.
async function add(files) {
  const queue = files.filter((f) => f.size > 0 || f.name);
  const workers = Array.from({ length: 3 }, async () => {
    while (queue.length) {
      const file = queue.shift();
      const card = newCard(file.name);
      try {
        const view = await api(`/api/files?name=${encodeURIComponent(file.name)}`, {
          method: "POST",
          headers: { "content-type": "application/octet-stream" },
          body: file,
        });
        show(card, view);
      } catch (e) {
        failed(card, e.message);
      }
    }
  });
  await Promise.all(workers);
}

function newCard(name) {
  $("#empty").hidden = true;
  const card = $("#card").content.firstElementChild.cloneNode(true);
  $(".name", card).textContent = name;
  $(".summary", card).textContent = "Reading…";
  $("#files").append(card);
  return card;
}

function failed(card, message) {
  const box = $(".error", card);
  box.hidden = false;
  box.textContent = message;
  $(".summary", card).textContent = "Not read.";
  for (const b of card.querySelectorAll("button")) b.disabled = true;
}

function show(card, view) {
  if (view.error) return failed(card, view.error);
  if (view.scan) {
    const sc = view.scan;
    $(".summary", card).textContent =
      `Scan (${sc.format}${sc.scanner ? ", " + sc.scanner : ""}${sc.day ? ", " + sc.day : ""}): ${sc.findings} finding(s) on ${sc.assets} asset(s)`;
    for (const part of card.querySelectorAll(".diags, .mapping, .actions")) part.hidden = true;
    state.scans.set(view.id, view.name);
    $("#update").disabled = state.files.size === 0;
    return;
  }
  if (view.ssp) {
    $(".summary", card).textContent =
      `System Security Plan (${view.ssp.kind}): ${view.ssp.sections} control sections, ${view.ssp.controls} controls, ${view.ssp.enhancements} enhancements`;
    for (const part of card.querySelectorAll(".diags, .mapping, .actions")) part.hidden = true;
    $("#ssp").append(el("option", { value: view.id, text: view.name, selected: "" }));
    return;
  }
  card.dataset.id = view.id;
  remember(view);
  $(".error", card).hidden = true;
  const how = view.mapped
    ? "Read with your column choices"
    : view.layout_name || view.layout || "Read as a tracker";
  $(".summary", card).textContent = `${how}: ${view.open} open, ${view.closed} closed`;
  const ev = $(".evidence", card);
  ev.replaceChildren(...view.evidence.map((e) => el("li", { text: e })));
  const diags = $(".diags", card);
  const warn = view.diagnostics.filter((d) => d.severity !== "info").length;
  $("summary", diags).textContent =
    `${view.diagnostics.length} note(s) about the reading, ${warn} warning(s)`;
  $("ul", diags).replaceChildren(
    ...view.diagnostics.map((d) => el("li", { class: d.severity, text: d.text })),
  );
  mappingTable(card, view);
  $(".save-mapping", card).href = `/api/files/${view.id}/mapping.toml`;
  $(".convert", card).onclick = () => convert(card);
  $(".check", card).onclick = () => check(card);
}

function mappingTable(card, view) {
  const body = $(".mapping tbody", card);
  body.replaceChildren();
  for (const sheet of view.sheets) {
    if (!sheet.columns) continue;
    for (const c of sheet.columns) {
      const select = el("select", { "aria-label": `Field of column ${c.column} (${c.header})` });
      select.append(el("option", { value: "extra", text: "(keep as an extra column)" }));
      for (const f of state.fields) {
        const o = el("option", { value: f.name, text: `${f.name}: ${f.label}` });
        if (f.name === c.field) o.selected = true;
        select.append(o);
      }
      select.addEventListener("change", async () => {
        try {
          const v = await api(`/api/files/${view.id}/mapping`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ columns: [{ header: c.header, field: select.value }] }),
          });
          show(card, v);
        } catch (e) {
          failed(card, e.message);
        }
      });
      const why = [c.evidence, c.values, c.runner_up && `otherwise ${c.runner_up}`]
        .filter(Boolean).join("; ");
      body.append(el("tr", {},
        el("td", { "data-label": "Sheet", text: sheet.name }),
        el("td", { "data-label": "Column", text: c.column }),
        el("th", { scope: "row", "data-label": "Header", text: c.header }),
        el("td", { "data-label": "Field" }, select),
        el("td", { "data-label": "Why", text: why || "exact header" })));
    }
  }
}

function metadata() {
  const form = new FormData($("#target"));
  const m = {};
  for (const k of ["system_name", "organization", "impact_level", "poam_date", "marking"]) {
    m[k] = form.get(k) || null;
  }
  return m;
}

async function convert(card) {
  const out = $(".result", card);
  out.textContent = "Converting…";
  try {
    const r = await api(`/api/files/${card.dataset.id}/convert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: $("#to").value, version: $("#version").value || null,
        metadata: metadata(), template: Number($("#template").value) || null }),
    });
    const list = el("ul", {}, ...r.not_held.map((n) => el("li", { text: n })));
    out.replaceChildren(
      el("p", { text: r.not_held.length
        ? `What ${r.name} could not hold (${r.not_held.length}):`
        : `${r.name} holds everything that was read.` }),
      list,
      el("p", {}, el("a", { class: "button", href: r.download, download: r.name, text: `Download ${r.name}` })),
    );
    $("#zip").disabled = false;
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

async function check(card) {
  const out = $(".findings", card);
  out.textContent = "Checking…";
  try {
    const r = await api(`/api/files/${card.dataset.id}/check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ policy: $("#policy").value || null, ssp: Number($("#ssp").value) || null }),
    });
    const parts = [el("h4", { text: `Checked${r.policy ? " against " + r.policy : ""} as of ${r.as_of}: ${r.findings.length} finding(s)` })];
    if (r.score) {
      parts.push(el("p", { text: `SPRS score ${r.score.score ?? "none"} of ${r.score.maximum}; Conditional CMMC Level 2: ${r.score.eligible ? "eligible" : "not eligible"}` }));
    }
    if (r.ssp) {
      parts.push(el("h5", { text: `Against ${r.ssp.file} (${r.ssp.kind}, ${r.ssp.sections} sections, ${r.ssp.links} link(s)): ${r.ssp.findings.length} disagreement(s)` }),
        el("ul", {}, ...r.ssp.findings.map((f) => el("li", { text: `${f.control}${f.item ? " / " + f.item : ""}: ${f.message}` }))));
    }
    const filter = el("input", { type: "search", placeholder: "Filter by rule or item", "aria-label": "Filter findings by rule or item" });
    parts.push(filter);
    const groups = [];
    for (const level of ["error", "warning", "info"]) {
      const mine = r.findings.filter((f) => f.severity === level);
      if (!mine.length) continue;
      const ul = el("ul");
      for (const f of mine) {
        ul.append(el("li", { "data-key": `${f.rule} ${f.item}`.toLowerCase(), text: `${f.item}: ${f.message} [${f.rule}]` }));
      }
      groups.push(ul);
      parts.push(el("h5", { text: `${level} (${mine.length})` }), ul);
    }
    filter.addEventListener("input", () => {
      const q = filter.value.toLowerCase();
      for (const ul of groups) for (const li of ul.children) li.hidden = q && !li.dataset.key.includes(q);
    });
    out.replaceChildren(...parts);
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  start().catch((e) => {
    document.body.prepend(el("p", { class: "error", role: "alert", text: e.message }));
  });
});
