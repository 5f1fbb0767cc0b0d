// The floor of any run on an SWF trace, as a whole process: gunzip the trace
// and turn every job line into its 18 numbers (into one Float64Array), and
// nothing else. bench/run.ts measures it beside `impactsim run --summary-only`.
// Usage: node bench/floor.mjs TRACE.swf[.gz]   (prints the jobs read)
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const raw = readFileSync(process.argv[2]);
const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
const FIELDS = 18;
let lines = 1;
for (let i = 0; i < text.length; i++) if (text[i] === 10) lines++;
const out = new Float64Array(lines * FIELDS);
let jobs = 0;
let i = 0;
while (i < text.length) {
  // A comment line (header) or a blank one: skipped.
  let c = text[i];
  while (c === 32 || c === 9) c = text[++i];
  if (c === 59 || c === 10 || c === 13 || i >= text.length) {
    while (i < text.length && text[i] !== 10) i++;
    i++;
    continue;
  }
  let f = 0;
  while (i < text.length && text[i] !== 10) {
    c = text[i];
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    // One number: sign, digits, fraction.
    let sign = 1;
    if (c === 45) {
      sign = -1;
      c = text[++i];
    }
    let v = 0;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = text[++i];
    }
    if (c === 46) {
      let scale = 0.1;
      c = text[++i];
      while (c >= 48 && c <= 57) {
        v += (c - 48) * scale;
        scale /= 10;
        c = text[++i];
      }
    }
    if (f < FIELDS) out[jobs * FIELDS + f] = sign * v;
    f++;
    if (!(c === 32 || c === 9 || c === 10 || c === 13) && i < text.length) i++; // anything else ends the field
  }
  i++;
  jobs++;
}
process.stdout.write(`${jobs}\n`);
