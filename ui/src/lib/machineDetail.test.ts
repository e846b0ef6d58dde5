import { describe, expect, it } from "vitest";
import { activityOf, duration, hourly, memory, money, record } from "./machineDetail";

describe("detail wording", () => {
  it("words money, hours and memory", () => {
    expect(money(0)).toBe("$0.00");
    expect(money(null)).toBe("—");
    expect(hourly(null)).toBe("—");
    expect(duration(null)).toBe("—");
    expect(money(0.004)).toBe("< $0.01");
    expect(money(12.345)).toBe("$12.35");
    expect(hourly(0.00893)).toBe("$0.0089/h");
    expect(hourly(0.5)).toBe("$0.500/h");
    expect(duration(0.25)).toBe("15 min");
    expect(duration(7.4)).toBe("7 h");
    expect(duration(24 * 12)).toBe("12 days");
    expect(memory(512)).toBe("512 MB");
    expect(memory(2048)).toBe("2 GB");
    expect(memory(1536)).toBe("1.5 GB");
  });

  it("keeps each machine's activity apart, newest first", () => {
    record("a/1", { atMs: 1, action: "Rename", ok: true, text: "web-1 → web-2" });
    record("a/2", { atMs: 2, action: "Reboot", ok: false, text: "refused" });
    record("a/1", { atMs: 3, action: "Protect", ok: true, text: "on" });
    expect(activityOf("a/1").map((e) => e.action)).toEqual(["Protect", "Rename"]);
    expect(activityOf("a/2").map((e) => e.ok)).toEqual([false]);
    expect(activityOf("b/9")).toEqual([]);
  });
});
