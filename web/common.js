/* Shared by the report and the explorer (plain browser script, no build step): formatting,
   escaping, sortable tables and ECharts helpers. Everything is attached to window.nvp. */
(function () {
  "use strict";
  const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const num = (n) => (n === null || n === undefined || n === "" ? "" : Number(n).toLocaleString("en-US"));
  function bytes(n) {
    n = Number(n || 0);
    const u = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + u[i];
  }

  /* A table from rows: columns [{key, label, fmt?, num?}]. Clicking a header sorts by it (again: reverse). */
  function table(rows, columns, opts) {
    opts = opts || {};
    const t = document.createElement("table");
    t.className = "data sortable";
    if (opts.id) t.id = opts.id;
    const head = columns.map((c, i) => `<th data-col="${i}" data-num="${c.num ? 1 : 0}" tabindex="0">${esc(c.label)}</th>`).join("");
    t.innerHTML = `<thead><tr>${head}</tr></thead><tbody></tbody>`;
    const body = t.tBodies[0];
    const fill = (list) => {
      body.innerHTML = list.length
        ? list.map((r) => `<tr>${columns.map((c) => `<td${c.num ? ' class="num"' : ""} data-v="${esc(r[c.key])}">${c.fmt ? c.fmt(r[c.key], r) : esc(r[c.key])}</td>`).join("")}</tr>`).join("")
        : `<tr><td colspan="${columns.length}" class="empty">${esc(opts.empty || "none")}</td></tr>`;
    };
    fill(rows);
    if (!opts.serverSort) {
      let by = -1, dir = 1;
      t.tHead.addEventListener("click", (ev) => {
        const th = ev.target.closest("th");
        if (!th) return;
        const i = Number(th.dataset.col);
        dir = by === i ? -dir : 1;
        by = i;
        const c = columns[i];
        const key = (r) => (c.num ? Number(r[c.key] ?? -Infinity) : String(r[c.key] ?? ""));
        fill([...rows].sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0)));
        t.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      });
    }
    return t;
  }

  /* One ECharts chart in `el`; charts are kept so tests and resizes can find them. */
  const charts = [];
  function chart(el, option) {
    const c = window.echarts.init(el, null, { renderer: "canvas" });
    c.setOption(Object.assign({ animation: false, tooltip: { trigger: "item" } }, option));
    el.dataset.points = String(countPoints(option));
    charts.push(c);
    return c;
  }
  function countPoints(option) {
    return (option.series || []).reduce((n, s) => n + (Array.isArray(s.data) ? s.data.length : 0), 0);
  }
  const bar = (names, values, opts) => ({
    grid: { left: 140, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 130, overflow: "truncate" } },
    tooltip: { trigger: "axis" },
    series: [{ type: "bar", data: values, name: (opts && opts.name) || "" }],
  });
  const pie = (pairs) => ({
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: pairs.map(([name, value]) => ({ name, value })), label: { formatter: "{b}\n{d}%" } }],
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  window.nvp = { esc, num, bytes, table, chart, charts, bar, pie };
})();
