/**
 * The factor table's hand CSV reader against csv-parse (an independent,
 * widely used parser): the same records and line numbers on the shipped table
 * and on awkward texts, and both refuse the same malformed texts.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/core/errors.ts";
import { csvRecords } from "../../../src/io/electricityFactors.ts";

const TABLE = fileURLToPath(new URL("../../../platforms/electricity/electricity_factors_by_zone.csv", import.meta.url));

function reference(text: string): { record: string[]; line: number }[] {
  const rows = parse(text, { info: true, bom: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
  return rows.map((r) => ({ record: r.record, line: r.info.lines }));
}

describe("csvRecords", () => {
  it("csvRecords(shipped factor table) gives csv-parse's records and lines (2,409 rows, quoted country names)", () => {
    const text = readFileSync(TABLE, "utf8");
    const mine = csvRecords(text, "t.csv");
    expect(mine.length).toBe(2410);
    expect(mine).toEqual(reference(text));
  });

  it.each([
    ["plain", "a,b,c\n1,2,3\n"],
    ["no final newline", "a,b\n1,2"],
    ["CRLF", "a,b\r\n1,2\r\n3,4\r\n"],
    ["BOM", "\ufeffa,b\n1,2\n"],
    ["empty lines skipped", "a,b\n\n1,2\n\n3,4\n\n"],
    ["empty CRLF lines skipped", "a,b\r\n\r\n1,2\r\n\r\n"],
    ["quoted comma and doubled quote", 'a,b\n"x, y","say ""hi"""\n'],
    ["quoted newline counts lines", 'a,b\n"two\nlines",2\n3,4\n'],
    ["empty fields", "a,b,c\n,,\n\"\",x,\n"],
    ["trailing comma", "a,b,\n1,2,\n"],
    ["quotes on a later line only", 'a,b\n1,2\n3,"4"\n5,6\n'],
    ["spaces kept", "a , b\n 1,2 \n"],
  ])("csvRecords(%s) equals csv-parse", (_name, text) => {
    expect(csvRecords(text, "t.csv")).toEqual(reference(text));
  });

  it("csvRecords keeps a CRLF inside quotes and counts it as one line (csv-parse counts it as two: line 4)", () => {
    expect(csvRecords('a,b\r\n"x\r\ny",2\r\n3,4\r\n', "t.csv")).toEqual([
      { record: ["a", "b"], line: 1 },
      { record: ["x\r\ny", "2"], line: 3 },
      { record: ["3", "4"], line: 4 },
    ]);
  });

  it.each([
    ["unclosed quote", 'a,b\n"x,2\n', 2],
    ["quote inside an unquoted field", 'a,b\nx"y,2\n', 2],
    ["text after a closing quote", 'a,b\n"x"y,2\n', 2],
    ["too few fields", "a,b\n1\n", 2],
    ["too many fields", "a,b\n1,2\n1,2,3\n", 3],
  ])("csvRecords(%s) is refused, as csv-parse refuses it, naming the line", (_name, text, line) => {
    expect(() => reference(text)).toThrow();
    let err: unknown;
    try {
      csvRecords(text, "t.csv");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issue = (err as InputError).issues[0];
    expect(issue.code).toBe("parse_error");
    expect(issue.file).toBe("t.csv");
    expect(issue.line).toBe(line);
  });
});
