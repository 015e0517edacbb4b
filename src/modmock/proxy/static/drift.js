"use strict";
// The proxy's page: the drift report and the last exchanges, read from the admin API every second.
// Every value is written as text (what a vendor sends never becomes markup).

const REFRESH_MS = 1000;

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tbody, rows, render) {
  const fresh = document.createDocumentFragment();
  for (const item of rows) {
    const tr = document.createElement("tr");
    render(tr, item);
    fresh.appendChild(tr);
  }
  tbody.replaceChildren(fresh);
}

async function load(path) {
  const answer = await fetch(path, {headers: {Accept: "application/json"}});
  if (!answer.ok) throw new Error(path + ": HTTP " + answer.status);
  return answer.json();
}

async function refresh() {
  const live = document.getElementById("live");
  try {
    const [health, report, exchanges] = await Promise.all(
      [load("/__admin/health"), load("/__admin/drift"), load("/__admin/exchanges")]);
    document.getElementById("target").textContent = health.vendor + " → " + health.upstream;
    const checked = report.checked;
    document.getElementById("checked").textContent =
      "checked " + checked.request + " requests, " + checked.response + " answers, " + checked.callback + " callbacks";
    document.getElementById("count").textContent = "(" + report.differences.length + ")";
    document.getElementById("empty").hidden = report.differences.length > 0;
    fill(document.querySelector("#drift tbody"), report.differences, (tr, d) => {
      tr.className = d.inferred ? "drift inferred" : "drift";
      cell(tr, d.endpoint || "(none)");
      cell(tr, d.side);
      cell(tr, d.kind, "kind");
      cell(tr, d.field, "field");
      cell(tr, d.count);
      cell(tr, d.detail);
      cell(tr, d.schema, "schema");
      cell(tr, (d.inferred ? "[inferred] " : "") + (d["x-source"] || ""));
    });
    fill(document.querySelector("#exchanges tbody"), exchanges.exchanges.slice().reverse(), (tr, e) => {
      cell(tr, e.endpoint || "(none)");
      cell(tr, e.kind);
      cell(tr, e.method);
      cell(tr, e.path);
      cell(tr, e.status);
    });
    live.textContent = "live";
    live.className = "badge on";
  } catch (error) {
    live.textContent = "disconnected";
    live.className = "badge off";
  }
}

document.getElementById("clear").addEventListener("click", async () => {
  await fetch("/__admin/drift", {method: "DELETE"});
  refresh();
});
refresh();
setInterval(refresh, REFRESH_MS);
