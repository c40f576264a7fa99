/* The capture explorer's page script. The URL's query string is the whole state (tab, filters,
   sort, page), so a link reproduces the view; every filter is applied by the server in SQL. */
(function () {
  "use strict";
  const { esc, num, bytes, table, chart, charts, bar, pie } = window.nvp;
  const FILTERS = ["from", "to", "ip", "port", "proto", "app", "action", "rule", "country", "q", "capture", "run"];
  const form = document.getElementById("filters");
  const state = () => new URLSearchParams(location.search);
  const tab = () => state().get("tab") || "flows";

  function filterQuery(extra) {
    const s = state(), out = new URLSearchParams();
    for (const k of FILTERS) if (s.get(k)) out.set(k, s.get(k));
    for (const [k, v] of Object.entries(extra || {})) if (v !== undefined && v !== null && v !== "") out.set(k, String(v));
    return out.toString();
  }
  function go(changes, replace) {
    const s = state();
    for (const [k, v] of Object.entries(changes)) (v === undefined || v === null || v === "" ? s.delete(k) : s.set(k, String(v)));
    history[replace ? "replaceState" : "pushState"](null, "", "?" + s.toString());
    render();
  }
  async function api(path) {
    const r = await fetch(path, { credentials: "same-origin" });
    const body = await r.json();
    if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { field: body.field });
    return body;
  }
  function showFilterError(e) {
    const p = document.getElementById("filter-error");
    p.hidden = !e;
    p.textContent = e ? e.message : "";
  }
  function resetCharts() { while (charts.length) charts.pop().dispose(); }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const changes = { page: "" };
    for (const k of FILTERS) if (form.elements[k]) changes[k] = form.elements[k].value.trim();
    go(changes);
  });
  document.getElementById("clear").addEventListener("click", () => go(Object.fromEntries([...FILTERS, "page"].map((k) => [k, ""]))));
  document.getElementById("tabs").addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-tab]");
    if (!a) return;
    ev.preventDefault();
    go({ tab: a.dataset.tab });
  });
  window.addEventListener("popstate", render);
  document.getElementById("prev").addEventListener("click", () => go({ page: Math.max(0, Number(state().get("page") || 0) - 1) }));
  document.getElementById("next").addEventListener("click", () => go({ page: Number(state().get("page") || 0) + 1 }));

  async function render() {
    const s = state(), t = tab();
    for (const k of FILTERS) if (form.elements[k]) form.elements[k].value = s.get(k) || "";
    document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("on", a.dataset.tab === t));
    document.querySelectorAll(".view").forEach((v) => (v.hidden = v.id !== "view-" + t));
    document.getElementById("filter-box").hidden = t === "report" || t === "captures";
    resetCharts();
    document.body.dataset.ready = "0";
    showFilterError(null);
    try {
      await VIEWS[t]();
    } catch (e) {
      showFilterError(e);
    }
    document.body.dataset.ready = "1";
  }

  const FLOW_COLS = [
    { key: "first", label: "First packet", sort: "first" }, { key: "duration_ms", label: "ms", num: true, sort: "duration", fmt: num },
    { key: "proto", label: "Proto", sort: "proto" }, { key: "src_ip", label: "Source", sort: "src", fmt: (v, r) => ep(v, r.src_port, r.src_name, r.src_country) },
    { key: "dst_ip", label: "Destination", sort: "dst", fmt: (v, r) => ep(v, r.dst_port, r.dst_name, r.dst_country) },
    { key: "app", label: "Application", sort: "app" }, { key: "action", label: "Verdict", sort: "action" }, { key: "rule", label: "Rule", num: true, sort: "rule" },
    { key: "packets", label: "Packets", num: true, sort: "packets", fmt: num }, { key: "bytes", label: "Bytes", num: true, sort: "bytes", fmt: num },
    { key: "capture", label: "Capture", sort: "capture" },
  ];
  function ep(ip, port, name, country) {
    return `${esc(ip)}${port !== null && port !== undefined ? ":" + esc(port) : ""}${name ? `<br><small>${esc(name)}</small>` : ""}${country ? ` <small class="cc">${esc(country)}</small>` : ""}`;
  }

  const VIEWS = {
    async flows() {
      const s = state();
      const sort = s.get("sort") || "first", dir = s.get("dir") || "asc", page = Number(s.get("page") || 0);
      const d = await api("api/flows?" + filterQuery({ sort, dir, page, size: 50 }));
      const box = document.getElementById("flows-table");
      box.innerHTML = "";
      const t = table(d.rows, FLOW_COLS, { id: "flows", serverSort: true, empty: "no flow matches the filters" });
      t.querySelectorAll("th").forEach((th, i) => {
        const c = FLOW_COLS[i];
        if (c.sort === sort) th.setAttribute("aria-sort", dir === "desc" ? "descending" : "ascending");
        th.addEventListener("click", () => go({ sort: c.sort, dir: c.sort === sort && dir === "asc" ? "desc" : "asc", page: "" }));
      });
      box.appendChild(t);
      const pages = Math.max(1, Math.ceil(d.total / d.size));
      document.getElementById("page-info").textContent = `${num(d.total)} flows · page ${d.page + 1} of ${num(pages)}`;
      document.getElementById("page-info").dataset.total = String(d.total);
      document.getElementById("prev").disabled = d.page === 0;
      document.getElementById("next").disabled = d.page + 1 >= pages;
    },
    async overview() {
      const d = await api("api/overview?" + filterQuery());
      chart(document.getElementById("chart-timeline"), {
        tooltip: { trigger: "axis" }, grid: { left: 70, right: 70, top: 30, bottom: 40 }, legend: { top: 0 },
        xAxis: { type: "time" }, yAxis: [{ type: "value", name: "bytes" }, { type: "value", name: "flows" }],
        series: [{ name: "bytes", type: "bar", data: d.timeline.map((r) => [r.t, r.bytes]) }, { name: "flows", type: "line", yAxisIndex: 1, data: d.timeline.map((r) => [r.t, r.flows]) }],
      });
      chart(document.getElementById("chart-protocols"), pie(d.protocols.map((r) => [r.proto, r.flows])));
      chart(document.getElementById("chart-apps"), bar(d.apps.map((r) => r.app), d.apps.map((r) => r.flows), { name: "flows" }));
      chart(document.getElementById("chart-actions"), pie(d.actions.map((r) => [r.action, r.flows])));
      chart(document.getElementById("chart-countries"), bar(d.countries.map((r) => r.country), d.countries.map((r) => r.bytes), { name: "bytes" }));
    },
    async stats() {
      const d = await api("api/stats?" + filterQuery());
      const side = (rows, id, tid) => {
        chart(document.getElementById(id), {
          tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 120, right: 20, top: 30, bottom: 30 }, xAxis: { type: "value" },
          yAxis: { type: "category", inverse: true, data: rows.map((r) => r.ip) },
          series: [{ name: "sent", type: "bar", stack: "b", data: rows.map((r) => r.sent) }, { name: "received", type: "bar", stack: "b", data: rows.map((r) => r.received) }],
        });
        const box = document.getElementById(tid);
        box.innerHTML = "";
        box.appendChild(table(rows, [{ key: "ip", label: "IP" }, { key: "name", label: "Name" }, { key: "flows", label: "Flows", num: true, fmt: num }, { key: "sent", label: "Sent", num: true, fmt: bytes }, { key: "received", label: "Received", num: true, fmt: bytes }]));
      };
      side(d.sources, "chart-src", "src-table");
      side(d.destinations, "chart-dst", "dst-table");
      chart(document.getElementById("chart-proto-flows"), bar(d.protocols.map((r) => r.proto), d.protocols.map((r) => r.flows), { name: "flows" }));
      chart(document.getElementById("chart-durations"), {
        tooltip: { trigger: "axis" }, grid: { left: 60, right: 20, top: 20, bottom: 30 }, xAxis: { type: "category", data: d.durations.map((r) => r.bucket) },
        yAxis: { type: "value" }, series: [{ name: "flows", type: "bar", data: d.durations.map((r) => r.flows) }],
      });
    },
    async geo() {
      const [d, world] = await Promise.all([api("api/geo?" + filterQuery()), worldMap()]);
      document.getElementById("geo-licence").textContent = d.licence;
      const byNumeric = new Map(d.countries.map((r) => [String(Number(r.numeric)), r]));
      const data = world.features.map((f) => {
        const r = byNumeric.get(String(Number(f.id)));
        return { name: f.properties.name, value: r ? r.bytes : null, code: r ? r.country : null };
      });
      const max = Math.max(1, ...d.countries.map((r) => r.bytes));
      const c = chart(document.getElementById("chart-map"), {
        tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}${p.data && p.data.code ? ` (${esc(p.data.code)})` : ""}: ${p.value ? bytes(p.value) : "no traffic"}` },
        visualMap: { min: 0, max, left: 10, bottom: 10, text: ["more bytes", "fewer"], calculable: true, inRange: { color: ["#d6e6f5", "#12355b"] } },
        series: [{ type: "map", map: "world", roam: true, data, emphasis: { label: { show: false } } }],
      });
      document.getElementById("chart-map").dataset.points = String(d.countries.length);
      c.on("click", (p) => { if (p.data && p.data.code) go({ country: p.data.code, tab: "flows", page: "" }); });
      const box = document.getElementById("geo-table");
      box.innerHTML = "";
      box.appendChild(table(d.countries, [{ key: "country", label: "Country" }, { key: "flows", label: "Flows", num: true, fmt: num }, { key: "sent", label: "Sent from there", num: true, fmt: bytes }, { key: "received", label: "Received there", num: true, fmt: bytes }], { id: "geo-countries" }));
    },
    async report() {
      const f = document.getElementById("report-frame");
      if (!f.src) f.src = "report";
    },
    async captures() {
      const info = await api("api/info");
      document.getElementById("upload").hidden = !info.canReplay;
      if (!info.canReplay) showUploadError("This explorer was started without --module: it can show the store but not replay captures.");
      const d = await api("api/captures");
      const files = document.getElementById("files-table");
      files.innerHTML = "";
      const ft = table(d.files, [{ key: "name", label: "File" }, { key: "bytes", label: "Size", num: true, fmt: bytes }, { key: "name", label: "", fmt: (v) => (info.canReplay ? `<button data-replay="${esc(v)}">replay</button>` : "") }], { id: "files", empty: "no capture in the folder yet" });
      ft.addEventListener("click", (ev) => { const b = ev.target.closest("button[data-replay]"); if (b) startJob(fetch("api/replay", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: b.dataset.replay }) })); });
      files.appendChild(ft);
      const stored = document.getElementById("stored-table");
      stored.innerHTML = "";
      stored.appendChild(table(d.stored, [{ key: "run_id", label: "Run", num: true }, { key: "kind", label: "Kind" }, { key: "started", label: "Stored" }, { key: "capture", label: "Capture", fmt: (v, r) => `<a href="?tab=flows&run=${esc(r.run_id)}&capture=${encodeURIComponent(v)}">${esc(v)}</a>` }, { key: "packets", label: "Packets", num: true, fmt: num }, { key: "flows", label: "Flows", num: true, fmt: num }, { key: "error", label: "Note" }], { id: "stored" }));
    },
  };

  let worldPromise;
  function worldMap() {
    worldPromise = worldPromise || fetch("assets/countries-110m.json").then((r) => r.json()).then((topo) => {
      const geo = window.topojson.feature(topo, topo.objects.countries);
      window.echarts.registerMap("world", geo);
      return geo;
    });
    return worldPromise;
  }

  function showUploadError(msg) {
    const p = document.getElementById("upload-error");
    p.hidden = !msg;
    p.textContent = msg || "";
  }
  const bar0 = document.getElementById("progress"), barText = document.getElementById("progress-text");
  function progress(frac, text) { bar0.hidden = false; bar0.value = frac; barText.textContent = text; }

  document.getElementById("upload").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const file = document.getElementById("upload-file").files[0];
    if (!file) return showUploadError("choose a capture file first");
    showUploadError(null);
    const body = new FormData();
    body.append("capture", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "api/upload");
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(0.5 * (e.loaded / e.total), `uploading ${bytes(e.loaded)} of ${bytes(e.total)}`);
    xhr.onload = () => startJob(Promise.resolve(new Response(xhr.responseText, { status: xhr.status })));
    xhr.onerror = () => showUploadError("the upload failed (connection closed)");
    xhr.send(body);
  });

  async function startJob(request) {
    const r = await request;
    const body = await r.json();
    if (!r.ok) return showUploadError(body.error);
    poll(body.job.id);
  }
  async function poll(id) {
    const j = await api("api/jobs/" + id);
    const frac = j.totalBytes ? j.bytesRead / j.totalBytes : 0;
    if (j.state === "error") {
      bar0.hidden = true;
      barText.textContent = "";
      return showUploadError(`${j.error.code ? j.error.code + ": " : ""}${j.error.message}${j.error.help ? " — " + j.error.help : ""}`);
    }
    if (j.state === "done") {
      progress(1, `stored run ${j.result.runId}: ${num(j.result.flows)} flows, ${num(j.result.events)} events, ${num(j.result.threats)} threats`);
      document.getElementById("progress").dataset.done = String(j.result.runId);
      return VIEWS.captures();
    }
    progress(0.5 + 0.5 * frac, `replaying ${j.capture}: ${num(j.packets)} packets`);
    setTimeout(() => poll(id), 300);
  }

  api("api/overview?").then((d) => { document.getElementById("summary").textContent = `${num(d.totals.flows)} flows, ${bytes(d.totals.bytes)} in the store`; }).catch(() => undefined);
  render();
})();
