// Which columns of the machine table fit in the width it has, and how wide each is. Each
// column has the width below which its text is cut; when they do not all fit, columns give
// way in a fixed order (the least needed first), so the name, address, status and actions
// are always there. The space left over is shared in proportion to those widths. What a
// hidden column said is in the name's tooltip, and in the machine's details one click away.

export type ColumnKey =
  | "select"
  | "name"
  | "account"
  | "region"
  | "plan"
  | "ip"
  | "status"
  | "type"
  | "tags"
  | "created"
  | "check"
  | "actions";

/** In table order: the width (px) each column needs, and whether it grows with the table. */
const COLUMNS: { key: ColumnKey; min: number; grows: boolean }[] = [
  { key: "select", min: 34, grows: false },
  { key: "name", min: 130, grows: true },
  { key: "account", min: 160, grows: true },
  { key: "region", min: 62, grows: true },
  { key: "plan", min: 118, grows: true },
  { key: "ip", min: 112, grows: true },
  { key: "status", min: 84, grows: true },
  { key: "type", min: 70, grows: true },
  { key: "tags", min: 120, grows: true },
  { key: "created", min: 86, grows: true },
  { key: "check", min: 76, grows: true },
  { key: "actions", min: 128, grows: false },
];

/** The order in which columns give way: the first is hidden first. */
export const GIVE_WAY: readonly ColumnKey[] = ["region", "type", "created", "check", "tags", "account", "plan"];

/** The columns shown at `width` px, in table order, each with its width in px. */
export function fitColumns(width: number): { key: ColumnKey; px: number }[] {
  const hidden = new Set<ColumnKey>();
  const need = () => COLUMNS.filter((c) => !hidden.has(c.key)).reduce((sum, c) => sum + c.min, 0);
  for (const key of GIVE_WAY) {
    if (need() <= width) break;
    hidden.add(key);
  }
  const shown = COLUMNS.filter((c) => !hidden.has(c.key));
  const growing = shown.filter((c) => c.grows).reduce((sum, c) => sum + c.min, 0);
  const spare = Math.max(0, width - need());
  return shown.map((c) => ({ key: c.key, px: Math.floor(c.min + (c.grows ? (spare * c.min) / growing : 0)) }));
}

/** The least width at which every column shows. */
export const FULL_WIDTH = COLUMNS.reduce((sum, c) => sum + c.min, 0);
