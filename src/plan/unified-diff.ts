/**
 * A unified diff of two line arrays (the `diff -u` format), with the text of each line given by
 * the caller, so secret values can be shown masked while the comparison uses the real bytes. Pure.
 */

type Op = { kind: ' ' | '-' | '+'; old: number; new: number };

/** Longest common subsequence on the part between the common head and tail; beyond `limit` cells, all changed. */
function edits(a: readonly string[], b: readonly string[], limit = 4_000_000): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: ' ', old: i, new: i });
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if (n * m > limit) {
    for (let i = 0; i < n; i++) ops.push({ kind: '-', old: head + i, new: -1 });
    for (let j = 0; j < m; j++) ops.push({ kind: '+', old: -1, new: head + j });
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..]
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) ops.push({ kind: ' ', old: head + i++, new: head + j++ });
      // Removals before additions, as diff -u prints them.
      else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', old: head + i++, new: -1 });
      else ops.push({ kind: '+', old: -1, new: head + j++ });
    }
  }
  for (let t = 0; t < tail; t++) ops.push({ kind: ' ', old: a.length - tail + t, new: b.length - tail + t });
  return ops;
}

export interface DiffText {
  old: (i: number) => string;
  new: (j: number) => string;
}

/** `--- a` / `+++ b` and the hunks; empty when the lines are equal. */
export function unifiedDiff(a: readonly string[], b: readonly string[], labels: [string, string], text: DiffText, context = 3): string[] {
  const ops = edits(a, b);
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return [];
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]!;
    while (k < changed.length && changed[k]! - end <= 2 * context) end = changed[k++]!;
    const last = Math.min(ops.length - 1, end + context);
    const slice = ops.slice(start, last + 1);
    const firstOld = slice.find((o) => o.old >= 0)?.old ?? 0;
    const firstNew = slice.find((o) => o.new >= 0)?.new ?? 0;
    const oldCount = slice.filter((o) => o.kind !== '+').length;
    const newCount = slice.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldCount === 0 ? firstOld : firstOld + 1},${oldCount} +${newCount === 0 ? firstNew : firstNew + 1},${newCount} @@`);
    for (const o of slice) out.push(o.kind === '-' ? `-${text.old(o.old)}` : o.kind === '+' ? `+${text.new(o.new)}` : ` ${text.new(o.new)}`);
  }
  return out;
}
