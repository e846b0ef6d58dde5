import { describe, expect, it } from "vitest";
import { sessionIdError } from "./session";

describe("session id", () => {
  it("is 8 lowercase hex characters", () => {
    expect(sessionIdError("0123abcd")).toBeNull();
    expect(sessionIdError(" 0123abcd ")).toBeNull();
    expect(sessionIdError("")).toMatch(/required/);
    for (const bad of ["0123abc", "0123abcde", "0123ABCD", "demo0001", "0123-bcd"]) expect(sessionIdError(bad)).toMatch(/8 lowercase hex/);
  });
});
