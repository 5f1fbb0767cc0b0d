/**
 * A very small DOM, just enough for d3's selection, axis and shape code and
 * the report's page script to run under Node, so the drawing code is
 * exercised even where no browser is installed. Not a browser: no layout,
 * no CSS, selectors limited to "tag", ".class", "tag.class" and "#id".
 */
export class FakeElement {
  readonly childNodes: FakeElement[] = [];
  parentNode: FakeElement | null = null;
  readonly attributes = new Map<string, string>();
  private text = "";
  readonly style: { setProperty(k: string, v: string): void; removeProperty(k: string): void; getPropertyValue(k: string): string; props: Map<string, string> };
  readonly listeners = new Map<string, unknown>();

  constructor(
    readonly ownerDocument: FakeDocument,
    readonly tagName: string,
    readonly namespaceURI: string | null,
  ) {
    const props = new Map<string, string>();
    this.style = {
      props,
      setProperty: (k, v) => void props.set(k, String(v)),
      removeProperty: (k) => void props.delete(k),
      getPropertyValue: (k) => props.get(k) ?? "",
    };
  }
  get children(): FakeElement[] {
    return this.childNodes;
  }
  get firstChild(): FakeElement | null {
    return this.childNodes[0] ?? null;
  }
  get nextSibling(): FakeElement | null {
    const p = this.parentNode;
    if (!p) return null;
    return p.childNodes[p.childNodes.indexOf(this) + 1] ?? null;
  }
  get id(): string {
    return this.attributes.get("id") ?? "";
  }
  get className(): string {
    return this.attributes.get("class") ?? "";
  }
  set className(v: string) {
    this.attributes.set("class", v);
  }
  get textContent(): string {
    return this.text + this.childNodes.map((c) => c.textContent).join("");
  }
  set textContent(v: string) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes.length = 0;
    this.text = v ?? "";
  }
  setAttribute(k: string, v: unknown): void {
    this.attributes.set(k, String(v));
  }
  setAttributeNS(_ns: string, k: string, v: unknown): void {
    this.setAttribute(k, v);
  }
  getAttribute(k: string): string | null {
    return this.attributes.get(k) ?? null;
  }
  removeAttribute(k: string): void {
    this.attributes.delete(k);
  }
  removeAttributeNS(_ns: string, k: string): void {
    this.removeAttribute(k);
  }
  appendChild(c: FakeElement): FakeElement {
    return this.insertBefore(c, null);
  }
  insertBefore(c: FakeElement, ref: FakeElement | null): FakeElement {
    if (c.parentNode) c.parentNode.removeChild(c);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i < 0) this.childNodes.push(c);
    else this.childNodes.splice(i, 0, c);
    c.parentNode = this;
    return c;
  }
  removeChild(c: FakeElement): FakeElement {
    const i = this.childNodes.indexOf(c);
    if (i >= 0) this.childNodes.splice(i, 1);
    c.parentNode = null;
    return c;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  compareDocumentPosition(other: FakeElement): number {
    const p = this.parentNode;
    if (p && p === other.parentNode) return p.childNodes.indexOf(other) > p.childNodes.indexOf(this) ? 4 : 2;
    return 4;
  }
  addEventListener(type: string, f: unknown): void {
    this.listeners.set(type, f);
  }
  removeEventListener(type: string): void {
    this.listeners.delete(type);
  }
  matches(selector: string): boolean {
    if (selector === "*") return true;
    if (selector.startsWith("#")) return this.id === selector.slice(1);
    const [tag, ...classes] = selector.split(".");
    if (tag && tag.toLowerCase() !== this.tagName.toLowerCase()) return false;
    const mine = this.className.split(/\s+/);
    return classes.every((c) => mine.includes(c));
  }
  querySelectorAll(selector: string): FakeElement[] {
    const out: FakeElement[] = [];
    const walk = (e: FakeElement) => {
      for (const c of e.childNodes) {
        if (c.matches(selector)) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  querySelector(selector: string): FakeElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
}

export class FakeDocument {
  readonly documentElement: FakeElement;
  readonly body: FakeElement;
  constructor() {
    this.documentElement = new FakeElement(this, "html", "http://www.w3.org/1999/xhtml");
    this.body = this.createElement("body");
    this.documentElement.appendChild(this.body);
  }
  createElement(tag: string): FakeElement {
    return new FakeElement(this, tag, "http://www.w3.org/1999/xhtml");
  }
  createElementNS(ns: string, tag: string): FakeElement {
    return new FakeElement(this, tag, ns);
  }
  getElementById(id: string): FakeElement | null {
    return this.documentElement.querySelector(`#${id}`);
  }
  querySelectorAll(selector: string): FakeElement[] {
    return this.documentElement.querySelectorAll(selector);
  }
  querySelector(selector: string): FakeElement | null {
    return this.documentElement.querySelector(selector);
  }
}
