import { describe, expect, it } from "vitest";
import { durationChoices, timeLeft } from "./firewall";

describe("firewall wording", () => {
  it("offers only the durations the core allows", () => {
    expect(durationChoices(1, 10080).map((c) => c.minutes)).toEqual([1, 5, 15, 30, 60, 120, 240, 480, 1440, 4320, 10080]);
    expect(durationChoices(15, 10080)[0]?.label).toBe("15 minutes");
    expect(durationChoices(60, 240).map((c) => c.label)).toEqual(["1 hour", "2 hours", "4 hours"]);
  });

  it("counts the time left down to expiry", () => {
    const now = 1_800_000_000_000;
    expect(timeLeft(1_800_000_000 + 3900, now)).toBe("1h 05m left");
    expect(timeLeft(1_800_000_000 + 250, now)).toBe("4m 10s left");
    expect(timeLeft(1_800_000_000 + 2 * 86400 + 7200, now)).toBe("2d 2h left");
    expect(timeLeft(1_800_000_000, now)).toBe("expired, removed at the next sweep");
    expect(timeLeft(1_799_999_000, now)).toBe("expired, removed at the next sweep");
  });
});
