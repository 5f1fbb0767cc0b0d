/**
 * The browser side of the run report: its CSS and the script that draws the
 * charts with d3 (inlined by runReport.ts) from the JSON in #report-data.
 * Plain ES2017 in a string, so the page needs no build step and no network.
 * Every chart is drawn inside guard(): missing data or an exception hides the
 * chart behind a note instead of throwing.
 */

export const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1150px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1em; }
.note { color: #555; font-style: italic; }
.missing { color: #a33; background: #fee; padding: .5em; }
.chart svg { display: block; overflow: visible; }
.axis text, .lbl { font-size: 11px; }
.legend { font-size: 12px; margin: .3em 0; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; } th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
#tooltip { position: fixed; pointer-events: none; background: rgba(255,255,255,.95); border: 1px solid #999; padding: 4px 6px; font-size: 12px; display: none; z-index: 10; white-space: pre; }
`;

/**
 * Browser helpers both report pages share: the inlined data, the tooltip,
 * number formatting, notes, the guard that draws a chart or explains why not,
 * and legends.
 */
export const PAGE_HELPERS_JS = String.raw`
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var tip = document.getElementById("tooltip");
  function showTip(ev, text) { tip.textContent = text; tip.style.display = "block"; tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px"; }
  function hideTip() { tip.style.display = "none"; }
  function fmt(x) { if (x === null || x === undefined || !isFinite(x)) return "n/a"; var a = Math.abs(x); return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toExponential(3) : d3.format(",.4~r")(x); }
  // Tick labels as plain numbers with thousands separators, or in scientific notation for very large or small
  // values; never SI prefixes, which read as units ("150m" Pt is not 150 metres, nor obviously 0.15).
  function numTicks(scale, count) {
    var m = d3.max(scale.domain(), function (v) { return Math.abs(v); });
    return m >= 1e6 || (m > 0 && m < 1e-3) ? scale.tickFormat(count, "~e") : scale.tickFormat(count, ",~f");
  }
  function note(el, text, cls) { var p = document.createElement("p"); p.className = cls || "missing"; p.textContent = text; el.appendChild(p); }
  function guard(id, available, missing, draw) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!available) { note(el, missing); return; }
    try { draw(d3.select(el)); }
    catch (e) { d3.select(el).selectAll("svg").remove(); note(el, "This chart could not be drawn: " + (e && e.message ? e.message : String(e))); }
  }
  function legend(sel, items) {
    var l = sel.append("div").attr("class", "legend");
    items.forEach(function (it) {
      var s = l.append("span");
      s.append("i").style("background", it.color).style("border", it.border || "none").style("border-radius", it.round ? "50%" : "0");
      s.append("span").text(it.label);
    });
  }
`;

export const PAGE_JS = String.raw`
(function () {
  "use strict";
${PAGE_HELPERS_JS}
  // Ticks at round numbers of the display unit (days, hours), not of seconds.
  function timeTicks(x, unit) { return x.copy().domain(x.domain().map(function (v) { return v / unit.div; })).ticks(10).map(function (v) { return v * unit.div; }); }
  function pct(x) { return isFinite(x) ? (100 * x).toFixed(1) + " %" : "n/a"; }
  function timeUnit(maxS) { return maxS > 3 * 86400 ? { div: 86400, name: "days" } : maxS > 3 * 3600 ? { div: 3600, name: "hours" } : { div: 60, name: "minutes" }; }
  function yAxis(g, scale, label, h, right, w) {
    var ax = (right ? d3.axisRight(scale) : d3.axisLeft(scale)).ticks(4).tickFormat(numTicks(scale, 4));
    var a = g.append("g").attr("class", "axis").attr("transform", right ? "translate(" + w + ",0)" : null).call(ax);
    a.append("text").attr("fill", "#222").attr("text-anchor", "middle").attr("transform", "rotate(-90)").attr("x", -h / 2).attr("y", right ? 42 : -42).text(label);
  }

  // (a) Power, grid intensity and utilisation per site.
  guard("chart-power", DATA.sites && DATA.sites.length > 0, "sites.csv is missing or empty: no power chart.", function (root) {
    var W = 1000, M = { l: 60, r: 20, t: 10, b: 40 }, w = W - M.l - M.r, hp = 160, hc = 70, hu = 70, gap = 18;
    // One intensity scale for every site, so a cleaner grid looks cleaner.
    var ccMax = d3.max(DATA.sites, function (site) { return d3.max(site.bins.cc); }) || 1;
    DATA.sites.forEach(function (site) {
      var b = site.bins, n = b.t0.length;
      if (n === 0) return;
      var unit = timeUnit(d3.max(b.t1));
      var div = root.append("div").attr("class", "site-power");
      div.append("h3").text("Site " + site.id + " (" + site.nodes + " nodes, PUE " + fmt(site.pue) + ")" + (site.aggregated > 1 ? ", every " + site.aggregated + " bins averaged" : ""));
      legend(div, [{ color: "#1f77b4", label: "IT power (kW)" }, { color: "#d62728", label: "facility power (kW)" }, { color: "#2ca02c", label: "grid CC intensity (g CO2 eq/kWh)" }, { color: "#9467bd", label: "utilisation: busy / nodes (%)" }]);
      var H = hp + hc + hu + 2 * gap;
      var svg = div.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
      var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
      var x = d3.scaleLinear().domain([d3.min(b.t0), d3.max(b.t1)]).range([0, w]);
      var mid = function (i) { return x((b.t0[i] + b.t1[i]) / 2); };
      var idx = d3.range(n);
      // Power panel.
      var yp = d3.scaleLinear().domain([0, (d3.max(b.fac) || 1) / 1000 * 1.05]).nice().range([hp, 0]);
      var pp = g.append("g");
      yAxis(pp, yp, "power (kW)", hp);
      pp.append("path").datum(idx).attr("fill", "none").attr("stroke", "#1f77b4").attr("stroke-width", 1.2).attr("class", "mark").attr("d", d3.line().x(mid).y(function (i) { return yp(b.it[i] / 1000); })).append("title").text("IT power of " + site.id + " (kW)");
      pp.append("path").datum(idx).attr("fill", "none").attr("stroke", "#d62728").attr("stroke-width", 1.2).attr("class", "mark").attr("d", d3.line().x(mid).y(function (i) { return yp(b.fac[i] / 1000); })).append("title").text("facility power of " + site.id + " (kW)");
      // Intensity panel, aligned underneath.
      var pc = g.append("g").attr("transform", "translate(0," + (hp + gap) + ")");
      var yc = d3.scaleLinear().domain([0, ccMax * 1.05]).nice().range([hc, 0]);
      pc.attr("class", "intensity").attr("data-domain", yc.domain().join(","));
      yAxis(pc, yc, "g CO2 eq/kWh", hc);
      pc.append("path").datum(idx).attr("fill", "#2ca02c").attr("fill-opacity", 0.35).attr("stroke", "#2ca02c").attr("class", "mark").attr("d", d3.area().x(mid).y0(hc).y1(function (i) { return yc(b.cc[i]); })).append("title").text("grid climate-change intensity at " + site.id + " (g CO2 eq/kWh)");
      // Utilisation panel.
      var pu = g.append("g").attr("transform", "translate(0," + (hp + hc + 2 * gap) + ")");
      var yu = d3.scaleLinear().domain([0, 100]).range([hu, 0]);
      yAxis(pu, yu, "busy / nodes (%)", hu);
      pu.append("path").datum(idx).attr("fill", "#9467bd").attr("fill-opacity", 0.35).attr("stroke", "#9467bd").attr("class", "mark").attr("d", d3.area().x(mid).y0(hu).y1(function (i) { return yu(b.nodes[i] > 0 ? 100 * b.busy[i] / b.nodes[i] : 0); })).append("title").text("utilisation of " + site.id + ": busy nodes / nodes (%)");
      g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).tickValues(timeTicks(x, unit)).tickFormat(function (s) { return d3.format("~g")(s / unit.div); })).append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 34).attr("text-anchor", "middle").text("simulated time (" + unit.name + ")");
      // Hover read-out.
      var cursor = g.append("line").attr("y1", 0).attr("y2", H).attr("stroke", "#888").style("display", "none");
      var bis = d3.bisector(function (i) { return b.t1[i]; }).left;
      g.append("rect").attr("width", w).attr("height", H).attr("fill", "transparent")
        .on("mousemove", function (ev) {
          var t = x.invert(d3.pointer(ev)[0]), i = Math.min(n - 1, bis(idx, t));
          cursor.style("display", null).attr("x1", mid(i)).attr("x2", mid(i));
          showTip(ev, site.id + "  " + fmt(b.t0[i] / unit.div) + "–" + fmt(b.t1[i] / unit.div) + " " + unit.name + "\nIT " + fmt(b.it[i] / 1000) + " kW, facility " + fmt(b.fac[i] / 1000) + " kW\nCC intensity " + fmt(b.cc[i]) + " g CO2 eq/kWh\nbusy " + fmt(b.busy[i]) + " / " + b.nodes[i] + " nodes");
        })
        .on("mouseleave", function () { cursor.style("display", "none"); hideTip(); });
    });
  });

  // (b) Gantt of jobs and workflow tasks.
  guard("chart-gantt", DATA.gantt && DATA.gantt.jobs.length > 0, "jobs.csv is missing or empty: no Gantt chart.", function (root) {
    var G = DATA.gantt, jobs = G.jobs; // [id, start, end, site, device, nodes, status, project, workflow, task, lane]
    var by = G.colourBy === "site" ? 3 : 4;
    var keys = Array.from(new Set(jobs.map(function (j) { return j[by]; }))).sort();
    var colour = d3.scaleOrdinal(keys, d3.schemeTableau10);
    legend(root, keys.map(function (k) { return { color: colour(k), label: G.colourBy + " " + k }; }).concat([{ color: "#fff", border: "2px solid #000", label: "workflow task (black outline)" }, { color: "#fff", border: "2px solid #e00", label: "killed at walltime (red outline)" }]));
    var W = 1000, M = { l: 60, r: 20, t: 10, b: 40 }, w = W - M.l - M.r;
    var laneH = Math.max(1, Math.min(12, Math.floor(700 / Math.max(1, G.totalLanes))));
    var H = G.totalLanes * laneH + (G.sites.length - 1) * 10;
    var svg = root.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    var t0 = d3.min(jobs, function (j) { return j[1]; }), t1 = d3.max(jobs, function (j) { return j[2]; });
    var unit = timeUnit(t1);
    var x = d3.scaleLinear().domain([Math.min(0, t0), t1 > t0 ? t1 : t0 + 1]).range([0, w]);
    var offset = {}, y0 = 0;
    G.sites.forEach(function (s) {
      offset[s.id] = y0;
      g.append("text").attr("class", "lbl").attr("x", -6).attr("y", y0 + Math.min(s.lanes * laneH, 14) / 2 + 4).attr("text-anchor", "end").text(s.id);
      g.append("line").attr("x1", 0).attr("x2", w).attr("y1", y0 + s.lanes * laneH + 5).attr("y2", y0 + s.lanes * laneH + 5).attr("stroke", "#eee");
      y0 += s.lanes * laneH + 10;
    });
    g.selectAll("rect.job").data(jobs).join("rect").attr("class", "job mark")
      .attr("x", function (j) { return x(j[1]); })
      .attr("width", function (j) { return Math.max(0.5, x(j[2]) - x(j[1])); })
      .attr("y", function (j) { return offset[j[3]] + j[10] * laneH; })
      .attr("height", Math.max(1, laneH - 1))
      .attr("fill", function (j) { return colour(j[by]); })
      .attr("stroke", function (j) { return j[6] === "killed" ? "#e00" : j[8] !== "" ? "#000" : "none"; })
      .attr("stroke-width", 0.8)
      .append("title").text(function (j) {
        return "job " + j[0] + " (" + j[6] + ")\nproject " + j[7] + ", site " + j[3] + ", device " + j[4] + ", " + j[5] + " node(s)\n" + fmt(j[1] / unit.div) + "–" + fmt(j[2] / unit.div) + " " + unit.name + (j[8] !== "" ? "\nworkflow " + j[8] + ", task " + j[9] : "");
      });
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).tickValues(timeTicks(x, unit)).tickFormat(function (s) { return d3.format("~g")(s / unit.div); })).append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 34).attr("text-anchor", "middle").text("simulated time (" + unit.name + ")");
  });

  // (c) Impacts by EF 3.1 category and life-cycle phase.
  guard("chart-impacts", DATA.impacts && DATA.impacts.categories.length > 0, "summary.json is missing or has no impacts: no impact chart.", function (root) {
    var I = DATA.impacts, cats = I.categories, phases = I.phases;
    var colour = d3.scaleOrdinal(phases, ["#8c564b", "#bcbd22", "#1f77b4", "#7f7f7f"]);
    legend(root, phases.map(function (p) { return { color: colour(p), label: p }; }).concat([{ color: "#ff7f0e", label: "share of the single score (" + (I.method || "n/a") + ")" }]));
    var W = 1000, M = { l: 280, r: 20, t: 24, b: 40 }, wl = 400, gapX = 90, wr = W - M.l - M.r - wl - gapX, rowH = 22;
    var H = cats.length * rowH;
    var svg = root.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    var y = d3.scaleBand(cats.map(function (c) { return c.id; }), [0, H]).padding(0.2);
    var x = d3.scaleLinear([0, 1], [0, wl]);
    g.append("text").attr("class", "lbl").attr("x", wl / 2).attr("y", -8).attr("text-anchor", "middle").text("phase split of each category (100 %, by absolute value)");
    cats.forEach(function (c) {
      var abs = phases.map(function (p) { return Math.abs(c.by_phase[p] || 0); }), s = d3.sum(abs), acc = 0;
      var row = g.append("g").attr("transform", "translate(0," + y(c.id) + ")");
      row.append("text").attr("class", "lbl").attr("x", -6).attr("y", y.bandwidth() / 2 + 4).attr("text-anchor", "end")
        .text((c.proxy_share > 0.1 ? "⚠ " : "") + c.name + (c.missing_phases.length ? " *" : ""))
        .append("title").text(c.name + " (" + c.unit + "): total " + fmt(c.total) + "\nresting on proxies: " + pct(c.proxy_share) + (c.missing_phases.length ? "\nmissing figures (counted as 0): " + c.missing_phases.join(", ") : ""));
      phases.forEach(function (p, k) {
        var share = s > 0 ? abs[k] / s : 0;
        if (share > 0) row.append("rect").attr("class", "mark").attr("x", x(acc)).attr("width", x(share)).attr("height", y.bandwidth()).attr("fill", colour(p)).attr("fill-opacity", c.proxy_share > 0.1 ? 0.55 : 1)
          .append("title").text(c.name + ", " + p + ": " + fmt(c.by_phase[p]) + " " + c.unit + " (" + pct(share) + ")" + (c.by_phase[p] < 0 ? ", negative (a credit)" : ""));
        acc += share;
      });
      if (c.proxy_share > 0) row.append("text").attr("class", "lbl").attr("x", wl + 4).attr("y", y.bandwidth() / 2 + 4).attr("fill", "#a50").text("proxy " + (100 * c.proxy_share).toFixed(0) + " %");
    });
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).ticks(5).tickFormat(d3.format(".0%"))).append("text").attr("fill", "#222").attr("x", wl / 2).attr("y", 34).attr("text-anchor", "middle").text("share of the category's total (%)");
    var gr = g.append("g").attr("transform", "translate(" + (wl + gapX) + ",0)");
    var shares = cats.map(function (c) { return c.score_share; }).filter(function (v) { return v !== null && isFinite(v); });
    if (shares.length === 0) { gr.append("text").attr("class", "lbl").attr("y", H / 2).text("single-score factors not available"); return; }
    gr.append("text").attr("class", "lbl").attr("x", wr / 2).attr("y", -8).attr("text-anchor", "middle").text("normalised and weighted: share of the single score");
    var xr = d3.scaleLinear([Math.min(0, d3.min(shares)), Math.max(0, d3.max(shares))], [0, wr]).nice();
    cats.forEach(function (c) {
      if (c.score_share === null || !isFinite(c.score_share)) return;
      var credit = c.score_share < 0;
      gr.append("rect").attr("class", "mark" + (credit ? " credit" : "")).attr("x", xr(Math.min(0, c.score_share))).attr("y", y(c.id)).attr("width", Math.max(0.5, Math.abs(xr(c.score_share) - xr(0)))).attr("height", y.bandwidth()).attr("fill", credit ? "#fff" : "#ff7f0e").attr("stroke", credit ? "#ff7f0e" : "none").attr("stroke-dasharray", credit ? "3,2" : null)
        .append("title").text(c.name + ": " + pct(c.score_share) + " of the single score (" + fmt(c.score_pt) + " Pt)" + (credit ? ": a credit (negative figure), see the note below the chart" : ""));
      if (credit) gr.append("text").attr("class", "lbl credit-label").attr("x", xr(0) + 4).attr("y", y(c.id) + y.bandwidth() / 2 + 4).attr("fill", "#a50").text("credit " + (c.score_share > -0.0005 ? "under 0.1 %" : pct(c.score_share)));
    });
    if (shares.some(function (v) { return v < 0; })) gr.append("line").attr("x1", xr(0)).attr("x2", xr(0)).attr("y1", 0).attr("y2", H).attr("stroke", "#999");
    gr.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(xr).ticks(4).tickFormat(d3.format(".0%"))).append("text").attr("fill", "#222").attr("x", wr / 2).attr("y", 34).attr("text-anchor", "middle").text("share of " + fmt(I.score_total) + " Pt (%)");
  });

  // (d) Energy and impacts by project (top 15), or by user when there is one project.
  guard("chart-projects", DATA.projects && DATA.projects.rows.length > 0, "summary.json has no projects: no project chart.", function (root) {
    var P = DATA.projects.rows, by = DATA.projects.by || "project";
    var metrics = [
      { key: "energy_kwh", label: "facility energy (kWh)", color: "#d62728" },
      { key: "cc_kgco2eq", label: "climate change (kg CO2 eq)", color: "#2ca02c" },
      { key: "single_score_pt", label: "single score (Pt)", color: "#ff7f0e" },
    ];
    legend(root, metrics.map(function (m) { return { color: m.color, label: m.label }; }));
    var W = 1000, M = { l: 120, r: 20, t: 10, b: 40 }, gapX = 40, pw = (W - M.l - M.r - 2 * gapX) / 3, rowH = 20, H = P.length * rowH;
    var svg = root.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    var y = d3.scaleBand(P.map(function (p) { return p.name; }), [0, H]).padding(0.2);
    g.append("g").attr("class", "axis band").call(d3.axisLeft(y));
    metrics.forEach(function (m, k) {
      var panel = g.append("g").attr("transform", "translate(" + k * (pw + gapX) + ",0)");
      var x = d3.scaleLinear([Math.min(0, d3.min(P, function (p) { return p[m.key]; })), Math.max(0, d3.max(P, function (p) { return p[m.key]; }))], [0, pw]).nice();
      panel.selectAll("rect").data(P).join("rect").attr("class", "mark").attr("x", function (p) { return x(Math.min(0, p[m.key])); }).attr("y", function (p) { return y(p.name); })
        .attr("width", function (p) { return Math.max(0.5, Math.abs(x(p[m.key]) - x(0))); }).attr("height", y.bandwidth()).attr("fill", m.color)
        .append("title").text(function (p) { return (by === "user" ? "" : "project ") + p.name + " (" + p.jobs + " jobs): " + fmt(p[m.key]) + " " + m.label; });
      panel.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).ticks(4).tickFormat(numTicks(x, 4))).append("text").attr("fill", "#222").attr("x", pw / 2).attr("y", 34).attr("text-anchor", "middle").text(m.label);
    });
  });
})();
`;
