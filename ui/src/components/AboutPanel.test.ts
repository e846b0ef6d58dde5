import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const appInfo = vi.fn();
vi.mock("../lib/bindings", () => ({ commands: { appInfo: () => appInfo() } }));

import AboutPanel from "./AboutPanel.svelte";

describe("AboutPanel", () => {
  beforeEach(() => {
    appInfo.mockReset();
  });

  it("shows the version and platform the backend reports", async () => {
    appInfo.mockResolvedValue({
      name: "Hangar",
      version: "1.2.3",
      os: "linux",
      arch: "x86_64",
      profile: "release",
    });
    render(AboutPanel);
    expect(await screen.findByTestId("about-version")).toHaveProperty("textContent", "1.2.3");
    expect(screen.getByTestId("about-platform").textContent).toBe("Linux (x86_64)");
  });

  it("says so when the backend cannot be reached", async () => {
    appInfo.mockRejectedValue(new Error("ipc closed"));
    render(AboutPanel);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not read the build information");
    expect(alert.textContent).toContain("ipc closed");
  });
});
