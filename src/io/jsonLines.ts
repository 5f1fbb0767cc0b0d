/** A buffered writer of JSON lines (one object per line), for streamed records such as decisions. */
import { BufferedLineWriter } from "./bufferedWriter.js";

export class JsonLinesWriter extends BufferedLineWriter {
  write(record: unknown): void {
    this.line(JSON.stringify(record));
  }
}
