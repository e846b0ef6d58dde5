import { describe, expect, it } from "vitest";
import { applyTheme, rememberedTheme } from "./theme";

describe("theme", () => {
  it("sets data-theme for light and dark and removes it for system", () => {
    const root = document.createElement("html");
    applyTheme("dark", root);
    expect(root.dataset.theme).toBe("dark");
    expect(rememberedTheme()).toBe("dark");
    applyTheme("light", root);
    expect(root.dataset.theme).toBe("light");
    applyTheme("system", root);
    expect(root.dataset.theme).toBeUndefined();
    expect(rememberedTheme()).toBe("system");
  });
});
