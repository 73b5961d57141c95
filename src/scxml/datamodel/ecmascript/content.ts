/**
 * `<data>` and `<content>` children, and fetched `src` bodies, as portable values (W3C B.2.2):
 * JSON when the text parses as JSON, XML markup as an XmlValue (a DOM once imported), otherwise a
 * space-normalised string. W3C tests 558 (`<data>`) and 562 (`<content>` in `<send>`) both expect
 * "this  is \n a string" to arrive as 'this is a string', so the rule is the same for both kinds;
 * they differ only for empty text: an empty `<data>` is undefined, an empty `<content>` is ''.
 */
import type { PortableValue, XmlValue } from '../types.js';
import { tryParseXml } from './xml.js';

export function parseContent(text: string, kind: 'data' | 'content'): PortableValue {
  const t = text.trim();
  if (t === '') return kind === 'data' ? undefined : '';
  const first = t.charCodeAt(0);
  // Only text that can start a JSON value is tried (a cheap test before the parser throws).
  if (first === 0x7b || first === 0x5b || first === 0x22 || first === 0x2d || (first >= 0x30 && first <= 0x39) || /^(true|false|null)$/.test(t)) {
    try {
      return JSON.parse(t) as PortableValue;
    } catch {
      // not JSON: fall through to XML and text
    }
  }
  if (tryParseXml(t) !== undefined) {
    const xml: XmlValue = { $xml: t };
    return xml;
  }
  return t.replace(/\s+/g, ' ');
}
