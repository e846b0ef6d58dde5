import { describe, expect, it } from "vitest";
import { FULL_WIDTH, GIVE_WAY, fitColumns } from "./tableColumns";

const keys = (width: number) => fitColumns(width).map((c) => c.key);
const total = (width: number) => fitColumns(width).reduce((sum, c) => sum + c.px, 0);

describe("fitColumns", () => {
  it("shows every column when there is room, and shares the rest", () => {
    expect(keys(FULL_WIDTH)).toHaveLength(12);
    expect(keys(1700)).toHaveLength(12);
    expect(total(1700)).toBeLessThanOrEqual(1700);
    expect(total(1700)).toBeGreaterThan(1690);
    // The checkbox and the actions keep their width.
    const wide = fitColumns(1700);
    expect(wide.find((c) => c.key === "actions")?.px).toBe(fitColumns(FULL_WIDTH).find((c) => c.key === "actions")?.px);
  });

  it("hides columns in the give-way order, never more than needed", () => {
    expect(keys(FULL_WIDTH - 1)).not.toContain("region");
    expect(keys(FULL_WIDTH - 1)).toContain("type");
    const narrow = keys(760);
    for (const essential of ["select", "name", "ip", "status", "actions"]) expect(narrow).toContain(essential);
    // Whatever is hidden at a width is a prefix of the give-way order.
    for (const width of [600, 760, 900, 1024, 1200]) {
      const hidden = GIVE_WAY.filter((k) => !keys(width).includes(k));
      expect(hidden).toEqual(GIVE_WAY.slice(0, hidden.length));
      expect(total(width)).toBeLessThanOrEqual(Math.max(width, total(0)));
    }
  });

  it("fits the table of a 1280 px window without cutting the account, plan or tags", () => {
    // 1280 − the sidebar (200) − the page's padding (2 × 28).
    const shown = keys(1024);
    for (const k of ["account", "plan", "tags", "check"]) expect(shown).toContain(k);
  });
});
