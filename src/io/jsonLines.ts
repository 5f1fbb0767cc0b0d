/** A buffered writer of JSON lines (one object per line), for streamed records such as decisions; numbers must be finite. */
import { BufferedLineWriter } from "./bufferedWriter.js";
import { finiteJson } from "./finiteJson.js";

export class JsonLinesWriter extends BufferedLineWriter {
  /** Name the records report under (the file's final name when it is written under a temporary one). */
  name = this.path;

  write(record: unknown): void {
    this.line(finiteJson(record, `${this.name}: line ${this.lines + 1}`));
  }
}
