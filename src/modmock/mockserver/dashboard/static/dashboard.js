// The modmock dashboard: reads the admin API, follows the journal live (server-sent events).
// Every value a client sent is shown as text (textContent), never as markup.
"use strict";

const API = "/__admin";
const KEEP = 1000; // journal entries the page holds
// entries: what the feed brought (the newest KEEP); found: what the server matched for the filters.
const state = { entries: new Map(), found: new Map(), latest: 0, selected: null, tab: "requests", summary: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    node.append(child instanceof Node ? child : document.createTextNode(child == null ? "" : String(child)));
  }
  return node;
}

const pretty = (value) => el("pre", {}, JSON.stringify(value, null, 2));
const clockOf = (iso) => (iso || "").slice(11, 23);

async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const answer = await fetch(API + path, options);
  const data = await answer.json();
  if (!answer.ok) throw new Error(data.error || answer.statusText);
  return data;
}

function remember(entries) {
  for (const entry of entries) {
    state.entries.set(entry.id, entry);
    state.latest = Math.max(state.latest, entry.id);
  }
  if (state.entries.size > KEEP) {
    const ids = [...state.entries.keys()].sort((a, b) => a - b);
    for (const id of ids.slice(0, state.entries.size - KEEP)) state.entries.delete(id);
  }
}

function filtered() {
  const vendor = document.getElementById("filter-vendor").value;
  const endpoint = document.getElementById("filter-endpoint").value;
  const valid = document.getElementById("filter-valid").value;
  const all = new Map([...state.found, ...state.entries]);
  return [...all.values()]
    .filter((e) => (!vendor || e.vendor === vendor) && (!endpoint || e.endpoint === endpoint)
      && (!valid || String(e.valid) === valid))
    .sort((a, b) => b.id - a.id);
}

function fillSelect(id, values) {
  const select = document.getElementById(id);
  const known = new Set([...select.options].map((o) => o.value));
  for (const value of values) if (!known.has(value)) select.append(el("option", { value }, value));
}

const rowsById = new Map(); // the table's rows, kept (a row under the pointer is never rebuilt)

function rowOf(e) {
  let row = rowsById.get(e.id);
  if (!row) {
    // Chosen on press: rows arriving above it move it before the button comes up, and a click needs both on one row.
    row = el("tr", { "data-id": e.id, class: e.valid ? "" : "invalid",
      onmousedown: (event) => { if (event.button === 0) select(e.id); } },
      el("td", {}, e.id), el("td", { title: `${e.wall_time_iso} (mock ${e.time_iso})` }, clockOf(e.wall_time_iso)),
      el("td", {}, `${e.method} ${e.path}`), el("td", {}, `${e.vendor}:${e.endpoint}`),
      el("td", {}, `${e.status} ${e.code ?? ""}`), el("td", {}, e.valid ? "✓" : "✗"));
    rowsById.set(e.id, row);
  }
  row.classList.toggle("selected", e.id === state.selected);
  return row;
}

function drawRequests() {
  const body = document.querySelector("#requests tbody");
  const wanted = filtered().slice(0, 300);
  const keep = new Set(wanted.map((e) => e.id));
  for (const [id, row] of rowsById) if (!keep.has(id)) { row.remove(); rowsById.delete(id); }
  let cursor = body.firstChild; // rows in place stay put; new ones go where they belong (newest first)
  for (const e of wanted) {
    const row = rowOf(e);
    if (row === cursor) cursor = cursor.nextSibling;
    else body.insertBefore(row, cursor);
  }
  document.getElementById("count-requests").textContent = `(${state.entries.size})`;
  fillSelect("filter-vendor", [...new Set([...state.entries.values()].map((e) => e.vendor))]);
  fillSelect("filter-endpoint", [...new Set([...state.entries.values()].map((e) => e.endpoint))]);
}

async function refilter() {
  // The page holds only what the feed brought: ask the server for the filter's matches too.
  const query = ["vendor", "endpoint", "valid"].map((name) => [name, document.getElementById(`filter-${name}`).value])
    .filter(([, value]) => value).map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  state.found = new Map();
  if (query.length) {
    for (const entry of (await call(`/requests?limit=300&${query.join("&")}`)).requests) state.found.set(entry.id, entry);
  }
  drawRequests();
}

function problemTable(title, problems, kind) {
  if (!problems.length) return [];
  return [el("h3", { class: kind }, title), el("table", {}, el("thead", {}, el("tr", {},
    ...["field", "rule", "sent", "expected", "nearest valid"].map((h) => el("th", {}, h)))),
  el("tbody", {}, problems.map((p) => el("tr", { class: kind },
    el("td", {}, p.field), el("td", {}, p.rule + (p.inferred ? " (inferred)" : "")),
    el("td", {}, JSON.stringify(p.sent)), el("td", {}, p.expected),
    el("td", {}, p.suggestion == null ? "" : JSON.stringify(p.suggestion))))))];
}

async function select(id) {
  state.selected = id;
  for (const [rowId, row] of rowsById) row.classList.toggle("selected", rowId === id);
  const detail = document.getElementById("detail");
  let e;
  try {
    e = (await call(`/requests/${id}`)).request; // the whole entry (the feed sends rows only)
  } catch (error) {
    if (state.selected === id) detail.replaceChildren(el("p", { class: "hint" }, `#${id}: ${error.message}`));
    return;
  }
  if (state.selected !== id) return; // another row was chosen meanwhile
  detail.replaceChildren(
    el("h2", {}, `#${e.id} ${e.method} ${e.path}`),
    el("p", {}, `${e.vendor}:${e.endpoint} → ${e.status} ${e.code ?? ""} · ${e.valid ? "valid" : "invalid"}`
      + (e.disconnected ? " · client disconnected" : "") + (e.internal_error ? " · internal error" : "")),
    el("p", { class: "hint" }, `received ${e.wall_time_iso} · mock time ${e.time_iso} (${e.time})`
      + (e.request_id ? ` · requestId ${e.request_id}` : "")),
    ...problemTable("Problems", e.problems, "problem"),
    ...problemTable("Warnings", e.warnings, "warning"),
    ...(e.notes.length ? [el("h3", {}, "Notes"), el("ul", {}, e.notes.map((n) => el("li", {}, n)))] : []),
    el("h3", {}, "Request body"), pretty(e.body),
    el("h3", {}, "Answer"), pretty(e.response),
  );
}

function forget() {
  // The journal was cleared (a reset here or anywhere): drop what the page holds.
  state.entries.clear(); state.found.clear(); state.selected = null;
  for (const row of rowsById.values()) row.remove();
  rowsById.clear();
  document.getElementById("detail").replaceChildren(el("p", { class: "hint" }, "The journal was cleared."));
}

function drawSummary(summary) {
  state.summary = summary;
  const clock = document.getElementById("clock-time");
  clock.textContent = summary.time_iso;
  clock.dataset.time = summary.time;
  document.getElementById("clock-mode").textContent = summary.manual_clock ? "(manual)" : "";
  document.getElementById("pending").textContent = summary.pending_timers;
  document.getElementById("vendors").textContent = summary.vendors.join(", ")
    + (summary.scenario ? ` · scenario ${summary.scenario}` : "");
  document.getElementById("count-callbacks").textContent = `(${summary.totals.callbacks.submitted})`;
  document.getElementById("count-tasks").textContent = `(${summary.totals.tasks.started})`;
  document.getElementById("count-armed").textContent = `(${summary.rules + summary.faults})`;
}

async function drawCallbacks() {
  const { callbacks } = await call("/callbacks");
  document.getElementById("callbacks").replaceChildren(...callbacks.slice(-300).reverse().map((d) => el("div", { class: "card" },
    el("strong", { class: d.state }, `#${d.id} ${d.state}`), ` ${d.vendor}:${d.endpoint} → ${d.url}`,
    d.request_id ? ` (requestId ${d.request_id})` : "",
    el("ol", { class: "timeline" }, d.attempts.map((a) => el("li", { class: a.outcome },
      `${a.number}. mock ${a.time_iso}: ${a.outcome}${a.status ? " " + a.status : ""}${a.error ? " — " + a.error : ""}`)),
    d.next_attempt_iso ? el("li", { class: "pending" }, `next attempt at mock ${d.next_attempt_iso}`) : []),
    el("details", {}, el("summary", {}, "body"), pretty(d.body)))));
}

async function drawTasks() {
  const { tasks } = await call("/tasks");
  document.getElementById("tasks").replaceChildren(...tasks.slice(-300).reverse().map((t) => el("div", { class: "card" },
    el("strong", {}, `${t.id} ${t.status}`), ` ${t.vendor}:${t.endpoint}`,
    el("ol", { class: "timeline" }, t.history.map((h) => el("li", {}, `mock ${h.time_iso}: ${h.status}`))))));
}

async function drawArmed() {
  const [{ rules }, { faults }] = await Promise.all([call("/rules"), call("/faults")]);
  const scenario = state.summary && state.summary.scenario;
  document.getElementById("armed").replaceChildren(
    el("p", {}, scenario ? `scenario: ${scenario}` : "no scenario loaded"),
    el("h3", {}, `Rules (${rules.length})`), pretty(rules), el("h3", {}, `Faults (${faults.length})`), pretty(faults));
}

const COVERAGE_TITLES = { endpoints: "Endpoints", codes: "Codes answered", task_statuses: "Task statuses",
  callbacks: "Callback outcomes", faults: "Faults" };

async function drawCoverage() {
  const { coverage } = await call("/coverage");
  document.getElementById("coverage").replaceChildren(
    el("p", {}, "What the requests since the start exercised of each vendor, and what they never did (kept across resets)."),
    ...Object.entries(coverage).map(([vendor, dims]) => el("div", { class: "card coverage", "data-vendor": vendor },
      el("h3", {}, vendor),
      el("table", {}, Object.entries(COVERAGE_TITLES).filter(([key]) => dims[key].never.length || Object.keys(dims[key].exercised).length)
        .map(([key, title]) => el("tr", {},
          el("th", {}, title),
          el("td", { class: "exercised" }, Object.entries(dims[key].exercised).map(([name, n]) => `${name} ×${n}`).join(", ") || "—"),
          el("td", { class: "never" }, dims[key].never.length ? `never: ${dims[key].never.join(", ")}` : "all exercised")))),
      Object.keys(dims.inferred_rules_hit).length
        ? el("p", {}, `inferred rules hit: ${Object.entries(dims.inferred_rules_hit).map(([r, n]) => `${r} ×${n}`).join("; ")}`) : [])));
}

const drawTab = { requests: async () => drawRequests(), callbacks: drawCallbacks, tasks: drawTasks, armed: drawArmed,
  coverage: drawCoverage };

function showTab(name) {
  state.tab = name;
  for (const button of document.querySelectorAll("nav button")) button.classList.toggle("active", button.dataset.tab === name);
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
  drawTab[name]().catch(report);
}

function report(error) { document.getElementById("live").textContent = `error: ${error.message}`; }

let redraw = 0;
function follow() {
  const source = new EventSource(`${API}/events?since=${state.latest}`);
  const live = document.getElementById("live");
  source.onopen = () => { live.textContent = "live"; live.classList.add("on"); };
  source.onerror = () => { live.textContent = "reconnecting…"; live.classList.remove("on"); };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (state.generation !== undefined && event.generation !== state.generation) forget(); // cleared elsewhere
    state.generation = event.generation;
    remember(event.requests);
    drawSummary(event.summary);
    document.getElementById("skipped").textContent = event.skipped ? `${event.skipped} more arrived too fast to show` : "";
    if (state.tab === "requests") drawRequests();
    else if (Date.now() - redraw > 1000) { redraw = Date.now(); drawTab[state.tab]().catch(report); }
  };
}

async function start() {
  for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => showTab(button.dataset.tab));
  for (const id of ["filter-vendor", "filter-endpoint", "filter-valid"]) {
    document.getElementById(id).addEventListener("change", () => refilter().catch(report));
  }
  document.getElementById("advance").addEventListener("click", () => {
    const seconds = Number(document.getElementById("advance-seconds").value);
    call("/clock/advance", { seconds }).then(refresh).catch(report);
  });
  document.getElementById("run-idle").addEventListener("click", () => call("/clock/run", {}).then(refresh).catch(report));
  document.getElementById("reset").addEventListener("click", () => {
    if (!window.confirm("Reset the mock: cancel scheduled work, clear the journal, rules and faults?")) return;
    call("/reset", {}).then(() => { forget(); return refresh(); }).catch(report);
  });
  const { requests, generation } = await call("/requests?limit=200");
  state.generation = generation; // which clear of the journal the page has seen
  remember(requests);
  await refresh();
  follow();
}

async function refresh() {
  drawSummary(await call("/health"));
  await drawTab[state.tab]();
}

document.addEventListener("DOMContentLoaded", () => start().catch(report));
