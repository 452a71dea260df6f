// The mock's dashboard. It reads and changes the server through the admin API a test uses
// (/__mock/requests, /__mock/state, /__mock/overrides, /__mock/chaos, /__mock/apis), same-origin.
// Everything shown comes from requests clients sent: it is only ever set as text (never as HTML).
"use strict";

(function () {
  const POLL_MS = 1000; // how often the journal is read again
  const app = document.getElementById("app");
  const page = JSON.parse(app.dataset.page || "{}");
  let apis = [];
  let entries = [];
  let selected = null; // the journal entry shown in the detail panel
  const keyOf = (e) => [e.time, e.method, e.path, e.query, e.ms, e.status].join("|");
  const filters = { api: page.api || "", operation: "", status: "", admin: false };

  // -- elements, made without HTML strings ------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function say(text, bad) {
    const line = document.getElementById("status-line");
    if (line) {
      line.textContent = text;
      line.className = bad ? "problem" : "muted";
    }
  }

  async function call(method, url, body) {
    const options = { method, cache: "no-store", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
    if (!response.ok) {
      const detail = data && data.detail ? data.detail : response.status + " " + response.statusText;
      throw new Error(method + " " + url + ": " + detail);
    }
    return data;
  }

  // -- the toolbar: journal, state, chaos -------------------------------------------------------
  function toolbar() {
    const rate = el("input", { id: "chaos-rate", type: "number", min: "0", max: "1", step: "0.05", value: "0", title: "share of answers that fail with a documented error" });
    const latency = el("input", { id: "chaos-latency", type: "text", size: "9", value: "0", placeholder: "100-400", title: "milliseconds added to every answer: 150 or 100-400" });
    return el("div", { class: "toolbar" },
      el("button", { id: "clear-journal", class: "danger", onclick: () => act("DELETE", "/__mock/requests", undefined, "Journal cleared") }, "Clear journal"),
      el("button", { id: "reset-state", class: "danger", onclick: () => act("DELETE", "/__mock/state", undefined, "State reset") }, "Reset state"),
      el("span", { class: "sep" }),
      el("label", {}, "Chaos rate", rate),
      el("label", {}, "Latency ms", latency),
      el("button", { id: "chaos-apply", onclick: applyChaos }, "Apply"),
      el("button", { id: "chaos-off", onclick: () => act("DELETE", "/__mock/chaos", undefined, "Chaos back to the server's options").then(showChaos) }, "Server's options"),
      el("span", { id: "chaos-now", class: "muted" }),
      el("span", { id: "status-line", class: "muted" }));
  }

  async function act(method, url, body, done) {
    try {
      const result = await call(method, url, body);
      if (page.api) await render(); // the API's overrides and state may have changed
      say(done);
      await refresh();
      return result;
    } catch (error) {
      say(error.message, true);
      return null;
    }
  }

  async function applyChaos() {
    const rate = Number(document.getElementById("chaos-rate").value || 0);
    const latency = document.getElementById("chaos-latency").value.trim() || "0";
    const shown = await act("PUT", "/__mock/chaos", { chaos: rate, latency_ms: latency }, "Chaos applied");
    if (shown) showChaos(shown);
  }

  function showChaos(settings) {
    const now = document.getElementById("chaos-now");
    if (!settings || !now) return;
    const [low, high] = settings.latency_ms;
    const latency = high === 0 ? "no latency" : (low === high ? low + " ms" : low + "-" + high + " ms");
    now.textContent = "now: chaos " + settings.chaos + ", " + latency + (settings.changed ? " (set here)" : " (server's options)");
    document.getElementById("chaos-rate").value = String(settings.chaos);
    document.getElementById("chaos-latency").value = low === high ? String(low) : low + "-" + high;
  }

  // -- the journal ------------------------------------------------------------------------------
  function apiOf(entry) {
    let best = null;
    for (const api of apis) {
      const mount = api.base_path;
      if ((entry.path === mount || entry.path.startsWith(mount.replace(/\/$/, "") + "/")) && (!best || mount.length > best.base_path.length)) best = api;
    }
    return best;
  }

  function statusMatches(status, wanted) {
    if (!wanted) return true;
    const text = status === null || status === undefined ? "-" : String(status);
    if (/^[1-5]xx$/i.test(wanted)) return text[0] === wanted[0];
    return text === wanted;
  }

  // The admin API's own requests (this page's among them) are hidden unless asked for.
  const traffic = () => (filters.admin ? entries : entries.filter((e) => !String(e.path).startsWith("/__mock")));

  function visible() {
    return traffic().filter((entry) => {
      const api = apiOf(entry);
      if (filters.api && (!api || api.name !== filters.api)) return false;
      if (filters.operation && !String(entry.operation || "").toLowerCase().includes(filters.operation.toLowerCase())) return false;
      return statusMatches(entry.status, filters.status);
    });
  }

  function markers(entry) {
    const found = [];
    if (entry.chaos) found.push(["chaos", "chaos " + entry.chaos]);
    if (entry.fault) found.push(["fault", "fault " + entry.fault]);
    if (entry.latency_ms) found.push(["latency", "+" + entry.latency_ms + " ms"]);
    if (entry.override) found.push(["override", "override #" + entry.override]);
    if (entry.rate_limited) found.push(["rate", "rate limited"]);
    if (entry.proxy) found.push(["override", "proxy " + entry.proxy]);
    return found.map(([kind, text]) => el("span", { class: "marker " + kind, text }));
  }

  // What was wrong with the exchange: the mock's answer (validation problems, unknown route, credentials) and,
  // behind `mockserver proxy`, the request's problems and the contract's violations.
  function problems(entry) {
    const found = entry.problem ? [entry.problem] : [];
    for (const text of Array.isArray(entry.request_problems) ? entry.request_problems : []) found.push("request: " + text);
    for (const v of Array.isArray(entry.violations) ? entry.violations : []) found.push("violation (" + v.check + "): " + v.title + (v.message ? ": " + v.message : ""));
    return found;
  }

  function journalTable() {
    const rows = visible().map((entry, index) => {
      const status = entry.status === null || entry.status === undefined ? "-" : String(entry.status);
      const klass = status === "-" ? "status-none" : "status-" + status[0];
      const target = entry.path + (entry.query ? "?" + entry.query : "");
      const row = el("tr", { class: "request" + (selected && keyOf(entry) === keyOf(selected) ? " selected" : ""), "data-index": String(index) },
        el("td", { class: "mono", text: (entry.time || "").replace("T", " ").replace("Z", "") }),
        el("td", { class: "mono method", text: entry.method }),
        el("td", { class: "mono path", text: target }),
        el("td", { class: "status " + klass, text: status }),
        el("td", { class: "mono", text: entry.ms === undefined ? "" : entry.ms + " ms" }),
        el("td", { class: "mono", text: entry.operation || "" }),
        el("td", {}, ...markers(entry), ...problems(entry).map((text) => el("div", { class: "problem", text }))));
      row.addEventListener("click", () => { selected = entry; renderJournal(); showDetail(); });
      return row;
    });
    const head = el("tr", {}, ...["time (UTC)", "method", "path", "status", "latency", "operation", "markers and problems"].map((t) => el("th", { text: t })));
    return el("table", { id: "journal" }, el("thead", {}, head), el("tbody", {}, ...rows));
  }

  function pretty(text) {
    if (!text) return "(none)";
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }

  function headerLines(headers) {
    return Object.entries(headers || {}).map(([k, v]) => k + ": " + v).join("\n") || "(none)";
  }

  function detail() {
    const box = el("div", { class: "detail", id: "detail" });
    if (!selected) {
      box.append(el("p", { class: "muted", text: "Click a request to see its headers and bodies as served (credentials masked)." }));
      return box;
    }
    const e = selected;
    const answer = e.response || {};
    box.append(...[
      el("h3", { text: e.method + " " + e.path + (e.query ? "?" + e.query : "") }),
      el("div", { class: "muted", text: "status " + (e.status ?? "-") + " · " + (e.ms ?? "?") + " ms" + (e.operation ? " · " + e.operation : "") }),
      ...problems(e).map((text) => el("div", { class: "problem", text })),
      el("h3", { text: "Request headers" }), el("pre", { id: "detail-request-headers", text: headerLines(e.headers) }),
      el("h3", { text: "Request body" }), el("pre", { id: "detail-request-body", text: pretty(e.body) }),
      el("h3", { text: "Response headers" }), el("pre", { id: "detail-response-headers", text: headerLines(answer.headers) }),
      el("h3", { text: "Response body" }), el("pre", { id: "detail-response-body", text: pretty(answer.body) }),
    ].filter(Boolean));
    return box;
  }

  function filterBar() {
    const apiSelect = el("select", { id: "filter-api", onchange: (ev) => { filters.api = ev.target.value; render(); } },
      el("option", { value: "", text: "every API" }), ...apis.map((a) => el("option", { value: a.name, text: a.name })));
    apiSelect.value = filters.api;
    const operation = el("input", { id: "filter-operation", type: "search", placeholder: "operationId", value: filters.operation });
    operation.addEventListener("input", (ev) => { filters.operation = ev.target.value; renderJournal(); });
    const status = el("input", { id: "filter-status", type: "search", size: "6", placeholder: "2xx, 404", value: filters.status });
    status.addEventListener("input", (ev) => { filters.status = ev.target.value.trim(); renderJournal(); });
    const admin = el("input", { id: "filter-admin", type: "checkbox" });
    admin.checked = filters.admin;
    admin.addEventListener("change", (ev) => { filters.admin = ev.target.checked; renderJournal(); });
    return el("div", { class: "toolbar" }, el("label", {}, "API", apiSelect), el("label", {}, "Operation", operation), el("label", {}, "Status", status),
      el("label", { title: "requests to /__mock/ (this page's own among them)" }, admin, "admin requests"),
      el("span", { id: "journal-count", class: "muted" }));
  }

  function renderJournal() {
    const old = document.getElementById("journal");
    if (!old) return;
    old.replaceWith(journalTable());
    const count = document.getElementById("journal-count");
    if (count) count.textContent = visible().length + " of " + traffic().length + " requests";
  }

  function showDetail() {
    const box = document.getElementById("detail");
    if (box) box.replaceWith(detail());
  }

  // -- one API's page ---------------------------------------------------------------------------
  function apiSection(api, overrides, state) {
    const ops = api.operations.map((op) => el("tr", {},
      el("td", { class: "mono", text: op.method }),
      el("td", { class: "mono path", text: op.path }),
      el("td", { class: "mono", text: op.operationId }),
      el("td", { text: op.statuses.join(", ") }),
      el("td", { text: op.security.map((alt) => alt.join(" + ")).join(" or ") || "none" }),
      el("td", { text: [...op.fixtures.map((f) => f + " (fixture)"), ...op.examples].join(", ") || "none" }),
      el("td", {}, op["x-mock"] ? el("pre", { text: JSON.stringify(op["x-mock"], null, 2) }) : el("span", { class: "muted", text: "none" }))));
    const head = el("tr", {}, ...["method", "path", "operationId", "documented statuses", "security", "fixtures and examples", "x-mock rules"].map((t) => el("th", { text: t })));
    const mine = overrides.filter((o) => o.api === null || o.api === api.name);
    const overrideList = mine.length
      ? el("ul", { id: "overrides" }, ...mine.map((o) => el("li", {},
          el("code", { text: "#" + o.id + " " + (o.operation || "every operation") + " used " + o.used + (o.times ? "/" + o.times : "") + " " + JSON.stringify(o.document) }),
          " ", el("button", { onclick: () => act("DELETE", "/__mock/overrides/" + o.id, undefined, "Override " + o.id + " deleted") }, "delete"))))
      : el("p", { id: "overrides", class: "muted", text: "No override in force (POST /__mock/overrides adds one)." });
    const collections = api.collections.length
      ? el("ul", { id: "collections" }, ...api.collections.map((c) => el("li", {}, el("a", { href: c.state, text: c.path }), " ", el("span", { class: "muted", text: "(its stored entities, JSON)" }))))
      : el("p", { class: "muted", text: "No collections kept (none inferred, or --stateless)." });
    return el("div", {},
      el("p", {}, el("a", { href: api.docs, text: "Swagger UI" }), " · ", el("a", { href: api.spec, text: "openapi.json" }), " · mounted at ", el("code", { text: api.base_path }), " · OpenAPI " + api.openapi),
      el("h2", { text: "Operations" }), el("table", { id: "operations" }, el("thead", {}, head), el("tbody", {}, ...ops)),
      el("h2", { text: "Overrides in force" }), overrideList,
      el("h2", { text: "State" }), el("pre", { id: "state-summary", text: JSON.stringify(state, null, 2) }), collections);
  }

  // -- the whole page ---------------------------------------------------------------------------
  async function render() {
    const api = page.api ? apis.find((a) => a.name === page.api) : null;
    const parts = [toolbar()];
    if (api) {
      const [overrides, state] = await Promise.all([call("GET", "/__mock/overrides"), call("GET", "/__mock/state")]);
      parts.push(apiSection(api, overrides.overrides, state));
    } else {
      parts.push(el("p", {}, "APIs: ", ...apis.flatMap((a, i) => [i ? " · " : "", el("a", { href: "/__mock/api/" + encodeURIComponent(a.name), text: a.title + " (" + a.name + ")" })])));
    }
    parts.push(el("h2", { text: "Requests (live)" }), filterBar(), el("div", { class: "layout" }, el("div", {}, el("table", { id: "journal" })), detail()));
    const status = document.getElementById("status-line");
    const kept = status ? status.textContent : "";
    app.replaceChildren(...parts);
    say(kept);
    renderJournal();
    call("GET", "/__mock/chaos").then(showChaos).catch((error) => say(error.message, true));
  }

  async function refresh() {
    try {
      entries = (await call("GET", "/__mock/requests")).requests || [];
      if (selected && !entries.some((e) => keyOf(e) === keyOf(selected))) {
        selected = null; // cleared from the journal
        showDetail();
      }
      renderJournal();
    } catch (error) {
      say(error.message, true);
    }
  }

  async function poll() {
    await refresh();
    setTimeout(poll, POLL_MS);
  }

  async function start() {
    try {
      apis = (await call("GET", "/__mock/apis")).apis;
    } catch (error) {
      app.replaceChildren(el("p", { class: "problem", text: error.message }));
      return;
    }
    await render();
    poll();
  }

  start();
})();
