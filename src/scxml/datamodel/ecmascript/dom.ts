/**
 * A small XML DOM for the ECMAScript data model (W3C B.2: XML content becomes a DOM; tests 557 and
 * 561 call getElementsByTagName and getAttribute).
 *
 * `createRealmDom` is never called in the host: sandbox.ts evaluates its source text inside the
 * document's vm context, so every node, array and function it makes belongs to the sandbox realm
 * (a host-realm node would hand scripts `constructor.constructor`, the host's Function). It must
 * therefore refer to nothing outside itself.
 */
import type { XmlElementDesc } from './xml.js';

export interface RealmDom {
  /** A Document node built from a parsed description. */
  build(desc: XmlElementDesc): object;
  /** XML text of a node (a Document serialises its document element). */
  serialize(node: object): string;
  isNode(v: unknown): boolean;
}

export function createRealmDom(): RealmDom {
  const StringC = String;
  const TypeErrorC = TypeError;
  const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const escAttr = (s: string): string => escText(s).replace(/"/g, '&quot;');

  class XNode {
    parentNode: XNode | null = null;
    readonly childNodes: XNode[] = [];
    constructor(readonly nodeType: number, readonly nodeName: string) {}
    get nodeValue(): string | null {
      return null;
    }
    get firstChild(): XNode | null {
      return this.childNodes[0] ?? null;
    }
    get lastChild(): XNode | null {
      return this.childNodes[this.childNodes.length - 1] ?? null;
    }
    get nextSibling(): XNode | null {
      const p = this.parentNode;
      return p ? p.childNodes[p.childNodes.indexOf(this) + 1] ?? null : null;
    }
    get previousSibling(): XNode | null {
      const p = this.parentNode;
      return p ? p.childNodes[p.childNodes.indexOf(this) - 1] ?? null : null;
    }
    get children(): XNode[] {
      return this.childNodes.filter((c) => c.nodeType === 1);
    }
    get textContent(): string {
      let s = '';
      for (const c of this.childNodes) s += c.textContent;
      return s;
    }
    hasChildNodes(): boolean {
      return this.childNodes.length > 0;
    }
    getElementsByTagName(name: string): XNode[] {
      const out: XNode[] = [];
      const visit = (n: XNode): void => {
        for (const c of n.childNodes) {
          if (c instanceof XElement && (name === '*' || c.tagName === name || c.localName === name)) out.push(c);
          visit(c);
        }
      };
      visit(this);
      return out;
    }
    appendChild(child: XNode): XNode {
      if (!(child instanceof XNode)) throw new TypeErrorC('appendChild: not a node');
      if (child.parentNode) child.parentNode.childNodes.splice(child.parentNode.childNodes.indexOf(child), 1);
      child.parentNode = this;
      this.childNodes.push(child);
      return child;
    }
    toString(): string {
      return serialize(this);
    }
  }

  class XAttr {
    readonly nodeType = 2;
    constructor(readonly name: string, public value: string) {}
    get nodeName(): string {
      return this.name;
    }
    get nodeValue(): string {
      return this.value;
    }
    get localName(): string {
      return this.name.slice(this.name.indexOf(':') + 1);
    }
  }

  class XElement extends XNode {
    readonly attributes: XAttr[] = [];
    constructor(readonly tagName: string, readonly namespaceURI: string) {
      super(1, tagName);
    }
    get localName(): string {
      return this.tagName.slice(this.tagName.indexOf(':') + 1);
    }
    getAttribute(name: string): string | null {
      for (const a of this.attributes) if (a.name === name) return a.value;
      return null;
    }
    hasAttribute(name: string): boolean {
      return this.getAttribute(name) !== null;
    }
    setAttribute(name: string, value: unknown): void {
      const v = StringC(value);
      for (const a of this.attributes) if (a.name === name) { a.value = v; return; }
      this.attributes.push(new XAttr(StringC(name), v));
    }
    removeAttribute(name: string): void {
      const i = this.attributes.findIndex((a) => a.name === name);
      if (i >= 0) this.attributes.splice(i, 1);
    }
  }

  class XText extends XNode {
    constructor(public data: string) {
      super(3, '#text');
    }
    override get nodeValue(): string {
      return this.data;
    }
    override get textContent(): string {
      return this.data;
    }
  }

  class XDocument extends XNode {
    constructor() {
      super(9, '#document');
    }
    get documentElement(): XNode | null {
      return this.childNodes.find((c) => c.nodeType === 1) ?? null;
    }
  }

  function element(desc: XmlElementDesc): XElement {
    const el = new XElement(StringC(desc.name), StringC(desc.ns));
    for (const [n, v] of desc.attrs) el.attributes.push(new XAttr(StringC(n), StringC(v)));
    for (const c of desc.children) el.appendChild(typeof c === 'string' ? new XText(StringC(c)) : element(c));
    return el;
  }

  function serialize(node: object): string {
    if (node instanceof XDocument) return node.documentElement ? serialize(node.documentElement) : '';
    if (node instanceof XText) return escText(node.data);
    if (node instanceof XElement) {
      let s = '<' + node.tagName;
      for (const a of node.attributes) s += ' ' + a.name + '="' + escAttr(a.value) + '"';
      if (node.childNodes.length === 0) return s + '/>';
      s += '>';
      for (const c of node.childNodes) s += serialize(c);
      return s + '</' + node.tagName + '>';
    }
    return '';
  }

  return {
    build(desc: XmlElementDesc): object {
      const doc = new XDocument();
      doc.appendChild(element(desc));
      return doc;
    },
    serialize,
    isNode: (v: unknown): boolean => v instanceof XNode,
  };
}
