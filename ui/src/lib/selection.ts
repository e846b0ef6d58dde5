// Which machines of the table are selected for a bulk action: a click toggles one row, a
// shift-click extends from the last clicked row to this one, and the header selects every
// row the filters show. Keys are the rows' `account/id` keys.

export type Selection = {
  keys: string[];
  /** The row a shift-click extends from. */
  anchor: string | null;
};

export const noSelection: Selection = { keys: [], anchor: null };

/** The selection after a click on the checkbox of `key`, with the rows in their shown order. */
export function clickRow(sel: Selection, shown: string[], key: string, shift: boolean): Selection {
  const from = sel.anchor === null ? -1 : shown.indexOf(sel.anchor);
  const to = shown.indexOf(key);
  if (shift && from >= 0 && to >= 0) {
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    // The range takes the state of the anchor row.
    const on = sel.keys.includes(shown[from] ?? "");
    const range = new Set(shown.slice(lo, hi + 1));
    const keys = on
      ? [...sel.keys, ...shown.slice(lo, hi + 1).filter((k) => !sel.keys.includes(k))]
      : sel.keys.filter((k) => !range.has(k));
    return { keys, anchor: key };
  }
  const keys = sel.keys.includes(key) ? sel.keys.filter((k) => k !== key) : [...sel.keys, key];
  return { keys, anchor: key };
}

/** Every shown row selected, or (when they all are) none of them. */
export function toggleAll(sel: Selection, shown: string[]): Selection {
  const all = shown.length > 0 && shown.every((k) => sel.keys.includes(k));
  if (all) return { keys: sel.keys.filter((k) => !shown.includes(k)), anchor: null };
  return { keys: [...sel.keys, ...shown.filter((k) => !sel.keys.includes(k))], anchor: null };
}

/** The header checkbox: all shown rows selected, some, or none. */
export function allState(sel: Selection, shown: string[]): "all" | "some" | "none" {
  const n = shown.filter((k) => sel.keys.includes(k)).length;
  if (n === 0) return "none";
  return n === shown.length ? "all" : "some";
}

/** Only the keys that still name a row (machines destroyed or gone drop out). */
export function prune(sel: Selection, existing: string[]): Selection {
  const keys = sel.keys.filter((k) => existing.includes(k));
  if (keys.length === sel.keys.length) return sel;
  return { keys, anchor: sel.anchor !== null && existing.includes(sel.anchor) ? sel.anchor : null };
}

/** The selected rows' machines grouped by account, as the shell's commands take them. */
export function targetsOf(rows: { accountId: string; machine: { id: string } }[]): { accountId: string; ids: string[] }[] {
  const out: { accountId: string; ids: string[] }[] = [];
  for (const r of rows) {
    const entry = out.find((t) => t.accountId === r.accountId);
    if (entry) entry.ids.push(r.machine.id);
    else out.push({ accountId: r.accountId, ids: [r.machine.id] });
  }
  return out;
}
