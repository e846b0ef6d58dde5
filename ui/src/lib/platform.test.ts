import { describe, expect, it } from "vitest";
import { describePlatform } from "./platform";

describe("describePlatform", () => {
  it("names the known operating systems", () => {
    expect(describePlatform({ os: "linux", arch: "x86_64" })).toBe("Linux (x86_64)");
    expect(describePlatform({ os: "macos", arch: "aarch64" })).toBe("macOS (aarch64)");
    expect(describePlatform({ os: "windows", arch: "x86_64" })).toBe("Windows (x86_64)");
  });

  it("passes an unknown OS through unchanged", () => {
    expect(describePlatform({ os: "freebsd", arch: "x86_64" })).toBe("freebsd (x86_64)");
  });
});
