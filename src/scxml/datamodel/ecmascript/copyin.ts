/**
 * Copy-in: builds realm values from portable host values (event data, `<data>` values, extras,
 * `_ioprocessors`), so that nothing the host owns becomes reachable from document code.
 *
 * Like createRealmRuntime, `createImporter` is only evaluated from its source text inside the vm
 * context (strict mode), before the intrinsics are frozen: every object it makes is a realm object,
 * and it captures the builtins it uses, so a document cannot change how values are copied in. The
 * XML parser is a host function kept in its closure and called inside try/catch.
 *
 * Cost: ~1 µs per property for a large object (docs/datamodel.md, "Large event data"): most of it
 * is V8 making an object with that many properties, which no other way of copying avoids.
 */
import type { RealmDom } from './dom.js';
import type { XmlElementDesc } from './xml.js';

export function createImporter(dom: RealmDom, parseXml: (text: string) => XmlElementDesc): (v: unknown) => unknown {
  const ErrorC = Error;
  const DateC = Date;
  const O = Object;
  const keys = O.keys;
  const defineProperty = O.defineProperty;
  const isArray = Array.isArray;
  const call = Function.prototype.call;
  const toStringTag = call.bind(O.prototype.toString) as (o: object) => string;
  const getTime = call.bind(DateC.prototype.getTime) as (d: object) => number;

  function xml(text: string): object {
    let desc: XmlElementDesc;
    try {
      desc = parseXml(text);
    } catch {
      throw new ErrorC('invalid XML content');
    }
    return dom.build(desc);
  }

  function imp(v: unknown): unknown {
    if (typeof v !== 'object' || v === null) return typeof v === 'function' ? undefined : v;
    if (isArray(v)) {
      const a: unknown[] = [];
      for (let i = 0; i < v.length; i++) a[i] = imp(v[i]);
      return a;
    }
    const rec = v as Record<string, unknown>;
    if (typeof rec.$xml === 'string' && keys(rec).length === 1) return xml(rec.$xml);
    if (toStringTag(v) === '[object Date]') return new DateC(getTime(v));
    const o: Record<string, unknown> = {};
    // Index loops, not for-of: the array iterator is a builtin the document may have replaced.
    const ks = keys(rec);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i]!;
      // A `__proto__` key is data (JSON.parse makes it an own property too), never the prototype.
      if (k === '__proto__') defineProperty(o, k, { value: imp(rec[k]), writable: true, enumerable: true, configurable: true });
      else o[k] = imp(rec[k]);
    }
    return o;
  }
  return imp;
}
