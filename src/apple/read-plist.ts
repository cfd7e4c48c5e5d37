/**
 * An XML plist reader that keeps plist types (integer vs real, data vs string), which plain
 * `plist.parse` loses: Apple rejects `<true/>` or `<real>` where the schema says `<integer>`
 * (com.apple.vpn.managed.yaml IPv4.OverridePrimary; halo/macosvpn#43). Pure.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';

export type TypedValue =
  | { type: 'string'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'real'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'date'; value: string }
  | { type: 'data'; value: Buffer }
  | { type: 'array'; value: TypedValue[] }
  | { type: 'dictionary'; value: Map<string, TypedValue> };

function elements(node: Element): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function readValue(el: Element): TypedValue {
  const text = el.textContent ?? '';
  switch (el.tagName) {
    case 'string':
      return { type: 'string', value: text };
    case 'integer':
      if (!/^\s*-?\d+\s*$/.test(text)) throw new Error(`<integer> holds ${JSON.stringify(text.slice(0, 20))}`);
      return { type: 'integer', value: Number(text) };
    case 'real':
      return { type: 'real', value: Number(text) };
    case 'true':
    case 'false':
      return { type: 'boolean', value: el.tagName === 'true' };
    case 'date':
      return { type: 'date', value: text };
    case 'data':
      return { type: 'data', value: Buffer.from(text.replace(/\s+/g, ''), 'base64') };
    case 'array':
      return { type: 'array', value: elements(el).map(readValue) };
    case 'dict': {
      const map = new Map<string, TypedValue>();
      const kids = elements(el);
      for (let i = 0; i < kids.length; i += 2) {
        const k = kids[i]!;
        const v = kids[i + 1];
        if (k.tagName !== 'key' || !v) throw new Error('<dict> must alternate <key> and a value');
        const key = k.textContent ?? '';
        if (map.has(key)) throw new Error(`duplicate key ${JSON.stringify(key)}`);
        map.set(key, readValue(v));
      }
      return { type: 'dictionary', value: map };
    }
    default:
      throw new Error(`unknown plist element <${el.tagName}>`);
  }
}

/** Parses XML plist bytes; throws Error with a short reason when it is not a well-formed plist. */
export function readTypedPlist(bytes: Uint8Array): TypedValue {
  const text = Buffer.from(bytes).toString('utf8');
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && problems.push(msg)) }).parseFromString(text, 'text/xml');
  if (problems.length > 0) throw new Error(`not well-formed XML: ${problems[0]!.split('\n')[0]}`);
  const root = doc.documentElement;
  if (!root || root.tagName !== 'plist') throw new Error('the root element is not <plist>');
  const [top, ...rest] = elements(root);
  if (!top || rest.length > 0) throw new Error('<plist> must hold exactly one value');
  return readValue(top);
}
