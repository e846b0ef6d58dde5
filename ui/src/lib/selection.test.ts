import { describe, expect, it } from "vitest";
import { allState, clickRow, noSelection, prune, targetsOf, toggleAll } from "./selection";

const shown = ["a/1", "a/2", "a/3", "b/1", "b/2"];

describe("selection", () => {
  it("a click toggles one row", () => {
    let s = clickRow(noSelection, shown, "a/2", false);
    expect(s.keys).toEqual(["a/2"]);
    s = clickRow(s, shown, "b/1", false);
    expect(s.keys).toEqual(["a/2", "b/1"]);
    s = clickRow(s, shown, "a/2", false);
    expect(s.keys).toEqual(["b/1"]);
  });

  it("a shift-click selects the range from the last clicked row, either way", () => {
    let s = clickRow(noSelection, shown, "a/2", false);
    s = clickRow(s, shown, "b/2", true);
    expect([...s.keys].sort()).toEqual(["a/2", "a/3", "b/1", "b/2"]);
    const up = clickRow(clickRow(noSelection, shown, "b/1", false), shown, "a/1", true);
    expect([...up.keys].sort()).toEqual(["a/1", "a/2", "a/3", "b/1"]);
  });

  it("a shift-click from an unselected row clears the range", () => {
    let s = toggleAll(noSelection, shown);
    s = clickRow(s, shown, "a/2", false); // a/2 off, anchor a/2
    s = clickRow(s, shown, "b/1", true);
    expect(s.keys).toEqual(["a/1", "b/2"]);
  });

  it("a shift-click without an anchor is a plain click", () => {
    expect(clickRow(noSelection, shown, "a/3", true).keys).toEqual(["a/3"]);
  });

  it("the header selects every shown row, then none, and says which", () => {
    const filtered = ["a/1", "a/3"];
    let s = clickRow(noSelection, shown, "b/2", false);
    expect(allState(s, filtered)).toBe("none");
    s = toggleAll(s, filtered);
    expect(s.keys).toEqual(["b/2", "a/1", "a/3"]);
    expect(allState(s, filtered)).toBe("all");
    expect(allState(s, shown)).toBe("some");
    s = toggleAll(s, filtered);
    expect(s.keys).toEqual(["b/2"]);
    expect(allState(toggleAll(noSelection, []), [])).toBe("none");
  });

  it("rows that are gone drop out of the selection", () => {
    const s = toggleAll(noSelection, shown);
    expect(prune(s, ["a/1", "b/2"]).keys).toEqual(["a/1", "b/2"]);
    expect(prune(s, shown)).toBe(s);
  });

  it("targets group the machines by account", () => {
    const rows = [
      { accountId: "a", machine: { id: "1" } },
      { accountId: "b", machine: { id: "7" } },
      { accountId: "a", machine: { id: "2" } },
    ];
    expect(targetsOf(rows)).toEqual([
      { accountId: "a", ids: ["1", "2"] },
      { accountId: "b", ids: ["7"] },
    ]);
  });
});
