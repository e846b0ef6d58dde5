import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const checkValue = vi.fn();
vi.mock("./bindings", () => ({ commands: { checkValue: (r: string, v: string) => checkValue(r, v) } }));

import { byField, checker, checkRule, formMessage } from "./validation";

describe("asking the core", () => {
  beforeEach(() => checkValue.mockReset());

  it("asks check_value with the rule, and words its answer for a form", async () => {
    checkValue.mockResolvedValueOnce("`web_1` is not a valid hostname").mockResolvedValueOnce(null);
    expect(await checkRule("machineName", "web_1")).toBe("“web_1” is not a valid hostname");
    expect(checkValue).toHaveBeenCalledWith("machineName", "web_1");
    expect(await checkRule("tag", "prod")).toBeNull();
    expect(checkValue).toHaveBeenLastCalledWith("tag", "prod");
  });

  it("words messages and keeps the first problem of each field", () => {
    expect(formMessage("the user name is empty")).toBe("The user name is empty");
    expect(byField([
      { field: "name", message: "first" },
      { field: "name", message: "second" },
      { field: "data", message: "`x` is bad" },
    ])).toEqual({ name: "First", data: "“x” is bad" });
  });
});

describe("checker", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks once typing pauses, with the last value only", async () => {
    const check = vi.fn(async (v: string) => (v === "bad" ? "no" : null));
    const apply = vi.fn();
    const c = checker(check, apply, null, 250);
    c.schedule("b");
    c.schedule("ba");
    c.schedule("bad");
    await vi.advanceTimersByTimeAsync(249);
    expect(check).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(check).toHaveBeenCalledTimes(1);
    expect(check).toHaveBeenCalledWith("bad");
    expect(apply).toHaveBeenCalledWith("no", "bad");
  });

  it("checks at once before submitting, and drops an older answer still on its way", async () => {
    let finishOld!: (v: string | null) => void;
    const check = vi
      .fn<(v: string) => Promise<string | null>>()
      .mockImplementationOnce(() => new Promise((r) => (finishOld = r)))
      .mockResolvedValueOnce(null);
    const apply = vi.fn();
    const c = checker(check, apply, null, 250);
    c.schedule("old");
    await vi.advanceTimersByTimeAsync(250);
    expect(await c.now("new")).toBeNull();
    finishOld("stale verdict");
    await vi.advanceTimersByTimeAsync(0);
    expect(apply.mock.calls).toEqual([[null, "new"]]);
  });

  it("counts a check that cannot be asked as unknown", async () => {
    const c = checker(async () => Promise.reject(new Error("ipc closed")), vi.fn(), [] as string[], 250);
    expect(await c.now("x")).toEqual([]);
  });
});
