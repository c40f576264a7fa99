/* The Security Event and Risk Report (seed 002), rendered from window.NVP_REPORT, the data the
   report command inlined. Sections network data cannot fill say so in one line. */
(function () {
  "use strict";
  const { esc, num, bytes, table, chart, bar, pie } = window.nvp;
  const d = window.NVP_REPORT;
  const root = document.getElementById("report");
  const sec = (id, title, intro) => {
    const s = document.createElement("section");
    s.id = id;
    s.innerHTML = `<h2>${esc(title)}</h2>${intro ? `<p class="intro">${esc(intro)}</p>` : ""}`;
    root.appendChild(s);
    return s;
  };
  const note = (s, text) => { const p = document.createElement("p"); p.className = "na"; p.textContent = text; s.appendChild(p); };
  const chartBox = (s, id, option, empty) => {
    const has = (option.series || []).some((x) => (x.data || []).length);
    if (!has) return note(s, empty);
    const el = document.createElement("div");
    el.className = "chart";
    el.id = id;
    s.appendChild(el);
    chart(el, option);
  };
  const vulnCell = (v, r) => (r.vulns ? `High:${num(r.vulns.high)} Medium:${num(r.vulns.medium)}` : d.hasVulns ? "High:0 Medium:0" : "");

  const t = d.totals;
  document.getElementById("summary").innerHTML =
    `${num(t.flows)} flows, ${bytes(t.bytes)}, ${num(t.threats)} threats, ${num(t.violations)} violations and denies, from ${num(t.runs)} run(s). Generated ${esc(d.generated)}.`;

  const exposureCols = [
    { key: "service", label: "Service" }, { key: "pods", label: "Pods", num: true },
    { key: "vulns", label: "Vulnerabilities", fmt: vulnCell }, { key: "mode", label: "Policy Mode" },
    { key: "host", label: "External Host (IP)" }, { key: "fqdn", label: "External Host (FQDN)" },
    { key: "sessions", label: "Sessions", num: true, fmt: num }, { key: "applications", label: "Applications" },
    { key: "bytes", label: "Bytes", num: true, fmt: bytes }, { key: "action", label: "Action", fmt: (v) => `<span class="act act-${esc(String(v).toLowerCase())}">${esc(v)}</span>` },
  ];
  const exp = sec("exposure", "Ingress and Egress Exposure",
    "External connections of the cluster: ingress by application protocol from outside into pods, egress from pods to any destination outside the cluster. Mode is the service's protection mode; Action is Allow when a rule allows it, Alert for a violation, Deny when it was blocked.");
  const exposure = (title, rows, id, empty) => {
    const of = rows.length ? rows[0].of_rows : 0;
    exp.insertAdjacentHTML("beforeend", `<h3>${esc(title)}</h3>${of > rows.length ? `<p class="intro">The ${rows.length} of ${num(of)} service and host pairs with a deny or alert first, then the most sessions.</p>` : ""}`);
    const box = document.createElement("div");
    box.className = "scroll";
    box.appendChild(table(rows, exposureCols, { id, empty }));
    exp.appendChild(box);
  };
  exposure("Ingress", d.ingress, "ingress", "no connections from outside the cluster into pods");
  exposure("Egress", d.egress, "egress", "no connections from pods to outside the cluster");

  const crit = sec("critical", "Critical Run-Time Security Events", "Threats by severity; only critical ones are listed. High volumes could indicate an attack or a misconfigured service.");
  chartBox(crit, "chart-severity", pie(d.severities.map((r) => [r.severity, r.n])), "No threat events in the store.");
  crit.appendChild(table(d.critical, [
    { key: "threat", label: "Threat" }, { key: "n", label: "Events", num: true, fmt: num }, { key: "actions", label: "Action" },
    { key: "sources", label: "Sources" }, { key: "destinations", label: "Destinations" }, { key: "first", label: "First" }, { key: "last", label: "Last" },
  ], { id: "critical-table", empty: "no critical events" }));
  note(crit, "Process and file-system events need process or file data, which network captures do not carry.");

  const top = sec("top", "Top Security Events", "Pods (or addresses outside the cluster) with the most network security events — threats, rule violations and denies — as source and as destination.");
  const stack = (rows) => ({
    grid: { left: 160, right: 20, top: 30, bottom: 30 }, legend: { top: 0 }, tooltip: { trigger: "axis" },
    xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: rows.map((r) => r.who), axisLabel: { width: 150, overflow: "truncate" } },
    series: ["threats", "violations", "denies"].map((k) => ({ name: k, type: "bar", stack: "e", data: rows.map((r) => r[k]) })),
  });
  top.insertAdjacentHTML("beforeend", "<h3>Source</h3>");
  chartBox(top, "chart-top-src", rows0(d.topSources) ? stack(d.topSources) : {}, "No security events by source.");
  top.insertAdjacentHTML("beforeend", "<h3>Destination</h3>");
  chartBox(top, "chart-top-dst", rows0(d.topDestinations) ? stack(d.topDestinations) : {}, "No security events by destination.");
  function rows0(r) { return r && r.length > 0; }

  const vul = sec("vulnerabilities", "Top Vulnerabilities", "");
  if (d.hasVulns) {
    vul.appendChild(table(d.vulns, [{ key: "service", label: "Service" }, { key: "images", label: "Images" }, { key: "critical", label: "Critical", num: true }, { key: "high", label: "High", num: true }, { key: "medium", label: "Medium", num: true }, { key: "low", label: "Low", num: true }], { id: "vulns-table" }));
  } else note(vul, "No scanner output given: pass Trivy JSON with --vulns to count vulnerabilities per service.");
  note(vul, "Top incidents by pods and by nodes need process or file data, which network captures do not carry.");

  const modes = sec("modes", "Policy Mode of Services and Pods", "Services in Discover mode are still learning and have no network segmentation: move them to Monitor or Protect once their rules are reviewed.");
  if (d.hasPolicy) {
    const ratio = (rows) => { const all = rows.reduce((n, r) => n + r.n, 0); return rows.map((r) => ({ ...r, ratio: all ? ((100 * r.n) / all).toFixed(1) + " %" : "" })); };
    modes.insertAdjacentHTML("beforeend", '<div class="pair"><div><h3>Service view</h3></div><div><h3>Pod view</h3></div></div>');
    const [a, b] = modes.querySelectorAll(".pair > div");
    chartBox(a, "chart-mode-services", pie(d.serviceModes.map((r) => [r.mode, r.n])), "No services in the policy.");
    a.appendChild(table(ratio(d.serviceModes), [{ key: "mode", label: "Mode" }, { key: "n", label: "Services", num: true }, { key: "ratio", label: "Ratio" }]));
    chartBox(b, "chart-mode-pods", pie(d.podModes.map((r) => [r.mode, r.n])), d.hasInventory ? "No pod belongs to a policy service." : "No inventory in the store: pods cannot be counted.");
    b.appendChild(table(ratio(d.podModes), [{ key: "mode", label: "Mode" }, { key: "n", label: "Pods", num: true }, { key: "ratio", label: "Ratio" }]));
  } else note(modes, "No policy metadata in the store: replay with --store, or ingest with --module, to count services by mode.");

  const apps = sec("applications", "Application Protocols", "Conversations (flows) and volume (bytes, both directions) per application protocol the packet path identified; Others are flows no known protocol matched.");
  apps.insertAdjacentHTML("beforeend", '<div class="pair"><div><h3>Application Conversations</h3></div><div><h3>Application Volume</h3></div></div>');
  const [c1, c2] = apps.querySelectorAll(".pair > div");
  chartBox(c1, "chart-app-conversations", pie(d.appConversations.map((r) => [r.app, r.n])), "No flows in the store.");
  chartBox(c2, "chart-app-volume", bar(d.appVolume.map((r) => r.app), d.appVolume.map((r) => r.bytes), { name: "bytes" }), "No flows in the store.");

  const cap = sec("captures", "Captures and runs", "");
  cap.appendChild(table(d.captures, [{ key: "run_id", label: "Run", num: true }, { key: "kind", label: "Kind" }, { key: "policy", label: "Policy" }, { key: "capture", label: "Capture" }, { key: "packets", label: "Packets", num: true, fmt: num }, { key: "flows", label: "Flows", num: true, fmt: num }, { key: "events", label: "Events", num: true, fmt: num }, { key: "error", label: "Error" }], { id: "captures-table" }));
  document.body.dataset.ready = "1";
})();
