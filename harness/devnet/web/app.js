// ao-harness devnet view: a hash-routed page over the JSON API in harness/devnet/view.py.
// Views: #/ (processes), #/process/<id>, #/message/<seq>, #/flow/<seq>.  It polls
// /~harness/api/status once a second and redraws the open view when deliveries change.
"use strict";

const API = "/~harness/api";
const POLL_MS = 1000;
let lastDeliveries = -1;
let rendering = false;

// -- small helpers --------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(path, options) {
  const resp = await fetch(API + path, options);
  let doc = null;
  try { doc = await resp.json(); } catch (e) { doc = null; }
  if (!resp.ok) {
    throw new Error((doc && doc.error) || `HTTP ${resp.status} for ${path}`);
  }
  return doc;
}

function short(id) {
  return id && id.length > 12 ? `${id.slice(0, 5)}…${id.slice(-5)}` : String(id);
}

function who(w) {
  if (!w) return "";
  if (w.process) return h("a", { href: `#/process/${w.address}`, title: w.address }, w.name);
  return h("span", { title: w.address || "" }, w.name);
}

function tagsTable(tags) {
  if (!tags.length) return h("p", { class: "muted" }, "no tags");
  return h("table", { class: "tags" },
    h("tr", {}, h("th", {}, "name"), h("th", {}, "value")),
    tags.map((t) => h("tr", {}, h("td", { class: "mono" }, t.name), h("td", { class: "mono" }, t.value))));
}

function messagesTable(rows, empty) {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("table", {},
    h("tr", {}, h("th", {}, "#"), h("th", {}, "from"), h("th", {}, "message"), h("th", {}, "result"), h("th", {}, "")),
    rows.map((m) => h("tr", { class: m.error ? "error" : "" },
      h("td", {}, h("a", { href: `#/message/${m.seq}` }, `#${m.seq}`)),
      h("td", {}, who(m.from)),
      h("td", {}, m.label),
      h("td", { class: m.error ? "error" : "muted" }, m.error ? `✗ ${m.error}` : (m.kind === "wallet" ? "to wallet" : "ok")),
      h("td", {}, h("a", { href: `#/flow/${m.seq}` }, "flow")))));
}

function outboxList(list, incoming) {
  return h("ol", {}, list.map((m) => h("li", {},
    incoming ? ["from ", who(m.from)] : ["→ ", who(m.to)], " ",
    h("span", { class: "mono" }, m.tags.filter((t) => !["Data-Protocol", "Variant", "Type"].includes(t.name))
      .map((t) => `${t.name}=${t.value}`).join(" ")),
    m.data ? h("pre", {}, m.data) : null)));
}

// the process state as nested <details>
function tree(value, key, depth) {
  const label = key === null ? null : h("span", { class: "key" }, key);
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value);
    const kind = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    return h("details", { open: depth < 1 },
      h("summary", {}, label, label ? " " : "", h("span", { class: "muted" }, kind)),
      entries.map(([k, v]) => tree(v, k, depth + 1)));
  }
  const cls = typeof value === "string" ? "str" : "num";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return h("div", { class: "leaf" }, label, label ? " = " : "", h("span", { class: cls }, text));
}

// -- views ----------------------------------------------------------------------------------------

function viewProcesses(doc) {
  return [
    h("h1", {}, "Processes"),
    doc.processes.length === 0
      ? h("p", { class: "muted", id: "no-processes" }, "No processes yet: spawn one with aoconnect or the form.")
      : h("table", { id: "processes" },
        h("tr", {}, ["name", "id", "profile", "owner", "messages", "errors"].map((c) => h("th", {}, c))),
        doc.processes.map((p) => h("tr", { "data-pid": p.id },
          h("td", {}, h("a", { href: `#/process/${p.id}` }, p.name)),
          h("td", { class: "mono" }, p.id),
          h("td", {}, p.profile),
          h("td", {}, who(p.owner)),
          h("td", { class: "count" }, p.messages),
          h("td", { class: p.errors ? "error" : "muted" }, p.errors)))),
  ];
}

function viewProcess(p) {
  selectProcess(p.id);
  return [
    h("h1", {}, p.name, " ", h("span", { class: "badge" }, p.profile)),
    h("p", { class: "mono small" }, p.id),
    h("p", {}, "owner ", who(p.owner), ` · ${p.messages} messages · `,
      h("span", { class: p.errors ? "error" : "" }, `${p.errors} errors`)),
    p.problem ? h("pre", { class: "error" }, p.problem) : null,
    h("div", { class: "cols" },
      h("section", { id: "handlers" }, h("h2", {}, "Handlers"),
        p.handlers.length === 0 ? h("p", { class: "muted" }, "none") :
          h("table", {}, h("tr", {}, h("th", {}, "name"), h("th", {}, "matches")),
            p.handlers.map((x) => h("tr", {}, h("td", { class: "mono" }, x.name), h("td", {}, x.matches))))),
      h("section", { id: "state", class: "tree" }, h("h2", {}, "State"),
        Object.keys(p.state).length === 0 ? h("p", { class: "muted" }, "no globals of its own")
          : Object.entries(p.state).map(([k, v]) => tree(v, k, 0)))),
    h("section", { id: "inbox" }, h("h2", {}, `Inbox (${p.inbox.length})`),
      p.inbox.length === 0 ? h("p", { class: "muted" }, "empty") : outboxList(p.inbox, true)),
    h("section", { id: "recent" }, h("h2", {}, "Recent messages"), messagesTable(p.recent, "none yet")),
  ];
}

function viewMessage(m) {
  const r = m.result;
  return [
    h("h1", {}, `#${m.seq} ${m.label}`),
    h("p", {}, who(m.from), " → ", who(m.process), " ", h("span", { class: "badge" }, m.kind),
      " · ", h("a", { href: `#/flow/${m.seq}`, id: "to-flow" }, "its flow")),
    m.id ? h("p", { class: "mono small" }, `Id ${m.id}`) : null,
    h("p", { class: "small muted" }, `Timestamp ${m.timestamp} · Block-Height ${m.block_height} · Nonce ${m.nonce}`),
    m.cause ? h("p", {}, "caused by ", h("a", { href: `#/message/${m.cause.seq}` }, `#${m.cause.seq} ${m.cause.label}`),
      " from ", who(m.cause.from)) : h("p", { class: "muted" }, "sent from outside the network"),
    h("h2", {}, "Tags"), tagsTable(m.tags),
    h("h2", {}, "Data"), h("pre", { id: "message-data" }, m.data || " "),
    h("h2", {}, "Result"),
    r === null ? h("p", { class: "muted" }, "delivered to a wallet (no result)") : h("div", { id: "result" },
      r.error !== null ? h("pre", { class: "error", id: "result-error" }, r.error) : h("p", { class: "muted" }, "no error"),
      h("h2", {}, "Output"), h("pre", { id: "result-output" }, r.output || " "),
      h("h2", {}, `Messages (${r.messages.length})`), r.messages.length ? outboxList(r.messages) : h("p", { class: "muted" }, "none"),
      h("h2", {}, `Spawns (${r.spawns.length})`), r.spawns.length ? outboxList(r.spawns) : h("p", { class: "muted" }, "none"),
      r.assignments.length ? [h("h2", {}, "Assignments"),
        h("ul", {}, r.assignments.map((a) => h("li", { class: "mono" }, `${a.message} → ${a.processes.join(", ")}`)))] : null),
  ];
}

function viewFlow(f) {
  const diagram = h("div", { class: "diagram", id: "flow-diagram" });
  diagram.innerHTML = f.svg; // drawn and escaped by harness/flow.py
  diagram.addEventListener("click", (ev) => {
    const step = ev.target.closest && ev.target.closest(".step");
    if (step) location.hash = `#/message/${step.getAttribute("data-seq")}`;
  });
  return [
    h("h1", {}, `Flow of #${f.root}`),
    h("p", {}, `${f.steps.length} deliveries · `,
      h("span", { class: f.errors ? "error" : "muted", id: "flow-errors" }, `${f.errors} errors`),
      " · lifelines: ", f.lifelines.map((l, i) => [i ? ", " : "", who(l)])),
    diagram,
    h("p", { class: "muted small" }, "Hover an arrow for its tags; click it for the message."),
    h("table", { id: "flow-steps" },
      h("tr", {}, ["#", "from", "to", "message", "result"].map((c) => h("th", {}, c))),
      f.steps.map((s) => h("tr", { class: s.error ? "error" : "" },
        h("td", {}, h("a", { href: `#/message/${s.seq}` }, `#${s.seq}`)),
        h("td", {}, s.from_name), h("td", {}, s.to_name), h("td", {}, s.label),
        h("td", { class: s.error ? "error" : "muted" }, s.error ? `✗ ${s.error.trim().split("\n").pop()}` : "ok")))),
  ];
}

// route -> [API path, view]
function route(parts) {
  const id = encodeURIComponent(parts[1] || "");
  if (parts[0] === "process" && id) return ["process", `/process/${id}`, viewProcess];
  if (parts[0] === "message" && id) return ["message", `/delivery/${id}`, viewMessage];
  if (parts[0] === "flow" && id) return ["flow", `/flow/${id}`, viewFlow];
  return ["processes", "/processes", viewProcesses];
}

let shown = null; // the route and document on screen: a redraw with the same document is skipped
let again = false;

async function render() {
  if (rendering) { again = true; return; }
  rendering = true;
  const main = document.getElementById("view");
  const [name, path, view] = route(location.hash.replace(/^#\/?/, "").split("/"));
  const scroll = window.scrollY;
  try {
    const doc = await api(path);
    const key = path + "\n" + JSON.stringify(doc);
    if (key === shown) return;
    const samePage = shown !== null && shown.startsWith(path + "\n");
    shown = key;
    const content = view(doc);
    // keep open/closed state tree nodes across a live redraw
    const open = new Set([...main.querySelectorAll("details")].map((d, i) => `${i}:${d.open}`));
    main.replaceChildren(...content.flat(Infinity).filter((x) => x));
    if (samePage) [...main.querySelectorAll("details")].forEach((d, i) => {
      if (open.has(`${i}:true`)) d.open = true; else if (open.has(`${i}:false`)) d.open = false;
    });
    main.setAttribute("data-view", name);
    window.scrollTo(0, scroll);
  } catch (err) {
    shown = null;
    main.replaceChildren(h("h1", {}, "Not found"), h("pre", { class: "error", id: "view-error" }, err.message));
    main.setAttribute("data-view", "error");
  } finally {
    rendering = false;
    if (again) { again = false; render(); }
  }
}

// -- the forms ------------------------------------------------------------------------------------

let processList = [];

function selectProcess(pid) {
  const sel = document.getElementById("send-process");
  if ([...sel.options].some((o) => o.value === pid)) sel.value = pid;
}

async function refreshProcesses() {
  const doc = await api("/processes");
  processList = doc.processes;
  document.getElementById("wallet-address").textContent = short(doc.wallet.address);
  document.getElementById("wallet-address").title = doc.wallet.address;
  const sel = document.getElementById("send-process");
  const keep = sel.value;
  sel.replaceChildren(...processList.map((p) => h("option", { value: p.id }, `${p.name} (${short(p.id)})`)));
  if (keep && processList.some((p) => p.id === keep)) sel.value = keep;
}

function parseTags(text) {
  const tags = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    if (at <= 0) throw new Error(`tag line ${JSON.stringify(line)} is not Name=Value`);
    tags.push({ name: line.slice(0, at).trim(), value: line.slice(at + 1) });
  }
  return tags;
}

async function post(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

async function onSend(ev) {
  ev.preventDefault();
  const out = document.getElementById("send-result");
  const button = document.getElementById("send-button");
  out.className = "small";
  out.textContent = "sending…";
  button.disabled = true;
  try {
    const action = document.getElementById("send-action").value.trim();
    const tags = (action ? [{ name: "Action", value: action }] : []).concat(parseTags(document.getElementById("send-tags").value));
    const doc = await post("/send", {
      process: document.getElementById("send-process").value, tags, data: document.getElementById("send-data").value,
    });
    const error = doc.result && doc.result.Error;
    out.className = error ? "small error" : "small";
    out.replaceChildren(error ? "✗ error: " : "sent ", h("a", { href: `#/flow/${doc.seq}`, id: "sent-link" }, short(doc.id)));
    if (doc.seq) location.hash = `#/flow/${doc.seq}`;
  } catch (err) {
    out.className = "small error";
    out.textContent = err.message;
  } finally {
    button.disabled = false;
  }
}

async function onSpawn(ev) {
  ev.preventDefault();
  const out = document.getElementById("spawn-result");
  out.className = "small";
  out.textContent = "spawning…";
  try {
    const doc = await post("/spawn", { name: document.getElementById("spawn-name").value.trim() });
    await refreshProcesses();
    out.replaceChildren("spawned ", h("a", { href: `#/process/${doc.id}` }, short(doc.id)));
    location.hash = `#/process/${doc.id}`;
  } catch (err) {
    out.className = "small error";
    out.textContent = err.message;
  }
}

async function poll() {
  try {
    const s = await api("/status");
    document.getElementById("status").textContent = `${s.processes} processes · ${s.deliveries} deliveries · clock ${s.clock}`;
    document.getElementById("status").setAttribute("data-deliveries", s.deliveries);
    if (s.deliveries !== lastDeliveries) {
      lastDeliveries = s.deliveries;
      await refreshProcesses();
      await render();
    }
  } catch (err) {
    document.getElementById("status").textContent = `offline: ${err.message}`;
  }
}

document.getElementById("send-form").addEventListener("submit", onSend);
document.getElementById("spawn-form").addEventListener("submit", onSpawn);
window.addEventListener("hashchange", render);
poll();
setInterval(poll, POLL_MS);
