import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CreateFormData_Serialize } from "../lib/bindings";

const createFormData = vi.fn();
const saveAccountDefaults = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    createFormData: (id: string) => createFormData(id),
    saveAccountDefaults: (...a: unknown[]) => saveAccountDefaults(...a),
  },
}));

import AccountDefaultsEditor from "./AccountDefaultsEditor.svelte";
import { toasts } from "../lib/toasts.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

const data: CreateFormData_Serialize = {
  accountId: "work",
  provider: "digitalocean",
  simulated: false,
  regions: [
    { slug: "nyc3", name: "New York 3", available: true },
    { slug: "lon1", name: "London 1", available: true },
  ],
  sizes: [
    { slug: "s-1vcpu-512mb-10gb", vcpus: 1, memoryMb: 512, diskGb: 10, priceMonthly: 4, regions: ["nyc3"] },
    { slug: "s-1vcpu-1gb", vcpus: 1, memoryMb: 1024, diskGb: 25, priceMonthly: 6, regions: ["nyc3", "lon1"] },
  ],
  images: [{ id: "debian-12-x64", distribution: "Debian", name: "12 x64" }],
  sshKeys: [{ id: "1", name: "laptop", fingerprint: null, publicKey: "ssh-ed25519 AAAA" }],
  zones: [{ name: "example.com" }],
  machineTypes: [],
  defaults: { region: "nyc3", size: "s-1vcpu-512mb-10gb", project: "Web" },
};

const options = (id: string) => [...screen.getByTestId<HTMLSelectElement>(id).options].map((o) => o.value);

describe("AccountDefaultsEditor", () => {
  beforeEach(() => {
    createFormData.mockReset();
    saveAccountDefaults.mockReset();
    createFormData.mockResolvedValue(ok(data));
    toasts.splice(0);
  });

  it("preselects the saved defaults and offers only the plans of the chosen region", async () => {
    render(AccountDefaultsEditor, { accountId: "work", label: "Work" });
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("defaults-region").value).toBe("nyc3"));
    expect(screen.getByTestId<HTMLSelectElement>("defaults-plan").value).toBe("s-1vcpu-512mb-10gb");
    expect(options("defaults-plan")).toEqual(["", "s-1vcpu-512mb-10gb", "s-1vcpu-1gb"]);
    await fireEvent.change(screen.getByTestId("defaults-region"), { target: { value: "lon1" } });
    await waitFor(() => expect(options("defaults-plan")).toEqual(["", "s-1vcpu-1gb"]));
    // The old plan is not offered in London: no default plan any more.
    expect(screen.getByTestId<HTMLSelectElement>("defaults-plan").value).toBe("");
  });

  it("saves what was picked and reports it", async () => {
    saveAccountDefaults.mockResolvedValue(ok({}));
    const onclose = vi.fn();
    render(AccountDefaultsEditor, { accountId: "work", label: "Work", onclose });
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("defaults-region").value).toBe("nyc3"));
    await fireEvent.change(screen.getByTestId("defaults-image"), { target: { value: "debian-12-x64" } });
    await fireEvent.click(screen.getByTestId("defaults-key-laptop"));
    await fireEvent.change(screen.getByTestId("defaults-zone"), { target: { value: "example.com" } });
    await fireEvent.submit(screen.getByTestId("defaults-editor"));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(saveAccountDefaults).toHaveBeenCalledWith("work", {
      region: "nyc3",
      size: "s-1vcpu-512mb-10gb",
      image: "debian-12-x64",
      ssh_keys: ["laptop"],
      dns_zone: "example.com",
    });
    expect(toasts.at(-1)).toMatchObject({ tone: "ok" });
  });

  it("shows why the defaults were refused, in place", async () => {
    saveAccountDefaults.mockResolvedValue({
      status: "error",
      error: { kind: "validation", message: "Not saved: DNS zone `example.org` is not hosted by this account." },
    });
    render(AccountDefaultsEditor, { accountId: "work", label: "Work" });
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("defaults-region").value).toBe("nyc3"));
    await fireEvent.submit(screen.getByTestId("defaults-editor"));
    await waitFor(() => expect(screen.getByTestId("defaults-error").textContent).toContain("not hosted"));
    expect(toasts.at(-1)).toMatchObject({ tone: "bad" });
    expect(screen.getByTestId<HTMLButtonElement>("defaults-save").disabled).toBe(false);
  });
});
