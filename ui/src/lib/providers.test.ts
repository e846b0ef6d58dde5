import { beforeEach, describe, expect, it, vi } from "vitest";

const providerList = vi.fn();
vi.mock("./bindings", () => ({ commands: { providerList: () => providerList() } }));

import { loadProviders, providerName, providerNames, providers, resetProviders } from "./providers.svelte";

const entry = (kind: "digitalocean" | "vultr", displayName: string) => ({
  kind,
  displayName,
  configSection: kind,
  configKey: "access-token",
  accessUrl: `https://${kind}.example/tokens`,
  accessHelp: "Create a token.",
  projects: false,
});

describe("providers", () => {
  beforeEach(() => {
    providerList.mockReset();
    resetProviders();
  });

  it("asks the core once and names the providers from its answer", async () => {
    providerList.mockResolvedValue([entry("digitalocean", "DigitalOcean"), entry("vultr", "Vultr")]);
    expect(providerName("vultr")).toBe("vultr");
    await Promise.all([loadProviders(), loadProviders()]);
    await loadProviders();
    expect(providerList).toHaveBeenCalledTimes(1);
    expect(providers.map((p) => p.kind)).toEqual(["digitalocean", "vultr"]);
    expect(providerName("vultr")).toBe("Vultr");
    expect(providerNames("or")).toBe("DigitalOcean or Vultr");
    expect(providerNames("and")).toBe("DigitalOcean and Vultr");
  });

  it("falls back to the slugs when the list cannot be read, and asks again later", async () => {
    providerList.mockRejectedValueOnce(new Error("ipc closed")).mockResolvedValue([entry("vultr", "Vultr")]);
    expect(await loadProviders()).toEqual([]);
    expect(providerName("digitalocean")).toBe("digitalocean");
    await loadProviders();
    expect(providerName("vultr")).toBe("Vultr");
  });
});
