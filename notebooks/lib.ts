/**
 * Shared bits of the notebooks: where they write, the self-contained page
 * (the run report's CSS, d3 inlined from node_modules, data as JSON in the
 * page, no network) and a small stacked horizontal bar chart drawn in the
 * browser from that JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { d3MinSource } from "../src/report/runReport.js";
import { PAGE_CSS } from "../src/report/page.js";

/** results/notebooks of the repository, whatever the working directory. */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL("../results/notebooks/", import.meta.url));

/** True when the module at `moduleUrl` is the script node/tsx was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A number for tables: 4 significant digits, thousands separated. */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString("en-GB", { maximumFractionDigits: 10 });
}

export const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "n/a");

/** An HTML table; cells are escaped text. */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number, tag: string) => `<${tag}>${esc(typeof v === "number" ? num(v) : v)}</${tag}>`;
  return `<table><thead><tr>${head.map((h) => cell(h, "th")).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => cell(v, "td")).join("")}</tr>`)
    .join("\n")}</tbody></table>`;
}

/**
 * Browser side: NB.stacked(id, spec) draws horizontal stacked bars, one per
 * row, from spec = {rows: [{label, values: {key: number}}], keys, colors,
 * labels, unit, marker?: {value, label}}. Hover shows values.
 */
const NB_JS = String.raw`
var NB = (function () {
  "use strict";
  var tip = document.getElementById("tooltip");
  function fmt(x) { if (x === null || x === undefined || !isFinite(x)) return "n/a"; var a = Math.abs(x); return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toExponential(3) : d3.format(",.4~r")(x); }
  function stacked(id, spec) {
    var el = document.getElementById(id);
    if (!el) return;
    var root = d3.select(el);
    try {
      var rowH = 22, M = { l: 230, r: 30, t: 8, b: 42 }, W = 900, w = W - M.l - M.r, h = spec.rows.length * rowH;
      var max = d3.max(spec.rows, function (r) { return d3.sum(spec.keys, function (k) { return Math.max(0, r.values[k] || 0); }); }) || 1;
      if (spec.marker && spec.marker.value > max) max = spec.marker.value;
      var x = d3.scaleLinear().domain([0, max]).nice().range([0, w]);
      var y = d3.scaleBand().domain(spec.rows.map(function (r) { return r.label; })).range([0, h]).padding(0.2);
      var leg = root.append("div").attr("class", "legend");
      spec.keys.forEach(function (k) { var s = leg.append("span"); s.append("i").style("background", spec.colors[k]); s.append("span").text(spec.labels[k]); });
      var svg = root.append("svg").attr("width", W).attr("height", h + M.t + M.b);
      var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
      spec.rows.forEach(function (r) {
        var x0 = 0;
        spec.keys.forEach(function (k) {
          var v = Math.max(0, r.values[k] || 0);
          g.append("rect").attr("class", "bar").attr("x", x(x0)).attr("y", y(r.label)).attr("width", Math.max(0, x(x0 + v) - x(x0))).attr("height", y.bandwidth()).attr("fill", spec.colors[k])
            .on("mousemove", function (ev) {
              var lines = [r.label].concat(spec.keys.map(function (kk) { return spec.labels[kk] + ": " + fmt(r.values[kk]) + " " + spec.unit; }));
              if (r.note) lines.push(r.note);
              tip.textContent = lines.join("\n"); tip.style.display = "block"; tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px";
            })
            .on("mouseleave", function () { tip.style.display = "none"; });
          x0 += v;
        });
        if (r.note) g.append("text").attr("class", "lbl").attr("x", x(x0) + 4).attr("y", y(r.label) + y.bandwidth() / 2 + 4).text(r.note);
      });
      if (spec.marker) {
        g.append("line").attr("x1", x(spec.marker.value)).attr("x2", x(spec.marker.value)).attr("y1", 0).attr("y2", h).attr("stroke", "#222").attr("stroke-dasharray", "4,3");
        g.append("text").attr("class", "lbl").attr("x", x(spec.marker.value) + 3).attr("y", 10).text(spec.marker.label);
      }
      g.append("g").attr("class", "axis").call(d3.axisLeft(y));
      var ax = g.append("g").attr("class", "axis").attr("transform", "translate(0," + h + ")").call(d3.axisBottom(x).ticks(8));
      ax.append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 34).attr("text-anchor", "middle").text(spec.axis);
    } catch (e) {
      root.selectAll("svg").remove();
      var p = document.createElement("p"); p.className = "missing"; p.textContent = "This chart could not be drawn: " + (e && e.message ? e.message : String(e)); el.appendChild(p);
    }
  }
  return { stacked: stacked, data: JSON.parse(document.getElementById("nb-data").textContent) };
})();
`;

/** JSON safe inside a script element. */
function scriptJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, "\\u003c");
}

/** A self-contained page: body HTML, data as JSON, d3 and the chart helper inlined, then `script` (uses NB). */
export function page(title: string, body: string, data: unknown, script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${PAGE_CSS}</style></head><body>
<h1>${esc(title)}</h1>
${body}
<div id="tooltip"></div>
<script type="application/json" id="nb-data">${scriptJson(data)}</script>
<script>${d3MinSource().replace(/<\/script/gi, "<\\/script")}</script>
<script>${NB_JS}</script>
<script>${script}</script>
</body></html>
`;
}

/** Writes `<name>.html` and `<name>.json` into outDir; returns their paths. */
export function writeOutputs(outDir: string, name: string, html: string, json: unknown): { html: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const paths = { html: join(outDir, `${name}.html`), json: join(outDir, `${name}.json`) };
  writeFileSync(paths.html, html);
  writeFileSync(paths.json, JSON.stringify(json, null, 2) + "\n");
  return paths;
}
