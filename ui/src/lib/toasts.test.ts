import { afterEach, describe, expect, it, vi } from "vitest";
import { dismiss, errorText, toast, toasts } from "./toasts.svelte";

describe("toasts", () => {
  afterEach(() => {
    toasts.splice(0, toasts.length);
    vi.useRealTimers();
  });

  it("keeps errors until dismissed and lets successes fade", () => {
    vi.useFakeTimers();
    const ok = toast("ok", "Saved");
    const bad = toast("bad", "Rejected");
    expect(toasts.map((t) => t.text)).toEqual(["Saved", "Rejected"]);
    vi.advanceTimersByTime(5000);
    expect(toasts.map((t) => t.id)).toEqual([bad]);
    dismiss(bad);
    expect(toasts).toHaveLength(0);
    expect(ok).not.toBe(bad);
  });

  it("reads the words of typed errors and thrown values", () => {
    expect(errorText({ kind: "auth", message: "The token was rejected" })).toBe("The token was rejected");
    expect(errorText(new Error("boom"))).toBe("boom");
    expect(errorText("plain")).toBe("plain");
  });
});
