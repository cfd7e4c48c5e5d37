/**
 * A light reading path for the users list of macvpn.yaml (issue 12): a site of 5,000 users is
 * 5,000 lines of one shape, `  - { name: "alice", ip: "10.0.0.5", email: "a@example.com" }`, as
 * renderSiteYaml and updateSiteYaml write them. Read through the `yaml` package's document model
 * (kept for comments, used when a file is written back) each line costs some forty objects; here it
 * costs a regular expression. Only lines whose meaning in YAML is beyond doubt are read this way:
 * double-quoted scalars without escapes, plain scalars that YAML's core schema resolves to strings.
 * Anything else (a comment after an item, another layout, a key after the list) returns undefined
 * and the whole file goes through `yaml`, so the result never differs from it
 * (test/site/users-fast.test.ts compares both on the same files).
 */

/** One user as written, before validation: each field's text, and the 1-based line. */
export interface RawUser {
  line: number;
  fields: Array<{ key: string; value: string; line?: number }>;
  /** `disabled: true` (a paused user). */
  disabled?: boolean;
  /** Keys present without a usable value, with their line (from the full YAML reader). */
  missing?: Partial<Record<string, number | undefined>>;
}

export const QUOTED = String.raw`"[^"\\\x00-\x1f\x7f]*"`;
/** Plain scalars that resolve to strings: a letter first, no YAML indicator, not true/false/null. */
export const PLAIN = String.raw`[A-Za-z][A-Za-z0-9._@+-]*|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;
const FIELD = new RegExp(String.raw`^(name|ip|email): (${QUOTED}|${PLAIN})$`);
const ITEM = /^ {2}- \{ ?(.*?) ?\}$/;
const SKIP = /^[ \t]*(#.*)?$/;
export const RESERVED = /^(true|false|null)$/i;

function field(part: string): { key: string; value: string } | undefined {
  const m = FIELD.exec(part);
  if (!m) return undefined;
  const raw = m[2]!;
  if (raw.startsWith('"')) return { key: m[1]!, value: raw.slice(1, -1) };
  return RESERVED.test(raw) ? undefined : { key: m[1]!, value: raw };
}

/**
 * Splits `text` into everything before the users list and the users, when the list is the last
 * key and every item has the one-line shape above; else undefined.
 */
export function splitUsers(text: string): { head: string; users: RawUser[] } | undefined {
  const start = text.startsWith('users:\n') ? 0 : text.indexOf('\nusers:\n') + 1;
  if (start === 0 && !text.startsWith('users:\n')) return undefined;
  const bodyStart = start + 'users:\n'.length;
  let line = text.slice(0, bodyStart).split('\n').length;
  const users: RawUser[] = [];
  const body = text.slice(bodyStart);
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) {
    const m = ITEM.exec(l);
    if (m) {
      const fields: RawUser['fields'] = [];
      let disabled: boolean | undefined;
      for (const part of m[1]!.split(', ')) {
        if (part === 'disabled: true' || part === 'disabled: false') {
          if (disabled !== undefined) return undefined;
          disabled = part === 'disabled: true';
          continue;
        }
        const f = field(part);
        if (!f || fields.some((x) => x.key === f.key)) return undefined;
        fields.push(f);
      }
      users.push({ line, fields, ...(disabled === true && { disabled }) });
    } else if (!SKIP.test(l)) return undefined;
    line++;
  }
  if (users.length === 0) return undefined;
  return { head: text.slice(0, start), users };
}
