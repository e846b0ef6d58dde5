import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type {
  AccountList_Serialize,
  CreateFormData_Serialize,
  CreateOutcome_Serialize,
  CreateProgress,
} from "../lib/bindings";

const listAccounts = vi.fn();
const createFormData = vi.fn();
const checkValue = vi.fn();
const previewCloudConfig = vi.fn();
const createMachine = vi.fn();
const cancelCreate = vi.fn();
const cleanUpCreated = vi.fn();
const listSnapshots = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    listAccounts: () => listAccounts(),
    createFormData: (id: string) => createFormData(id),
    checkValue: (rule: string, v: string) => checkValue(rule, v),
    previewCloudConfig: (...a: unknown[]) => previewCloudConfig(...a),
    createMachine: (...a: unknown[]) => createMachine(...a),
    cancelCreate: (id: string) => cancelCreate(id),
    cleanUpCreated: (...a: unknown[]) => cleanUpCreated(...a),
    listSnapshots: (id: string) => listSnapshots(id),
  },
}));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: (e: unknown) => void = () => {};
  },
}));

import CreateMachineScreen from "./CreateMachineScreen.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

const accounts: AccountList_Serialize = {
  accounts: [
    { id: "demo-do", label: "Demo DigitalOcean", provider: "digitalocean", simulated: true, key: null, baseUrl: null, error: null, importedTypes: [] },
  ],
  problem: null,
};

const formData: CreateFormData_Serialize = {
  accountId: "demo-do",
  provider: "digitalocean",
  simulated: true,
  regions: [
    { slug: "nyc3", name: "New York 3", available: true },
    { slug: "lon1", name: "London 1", available: true },
  ],
  sizes: [
    { slug: "s-1vcpu-512mb-10gb", vcpus: 1, memoryMb: 512, diskGb: 10, priceMonthly: 4, regions: ["nyc3"] },
    { slug: "s-1vcpu-1gb", vcpus: 1, memoryMb: 1024, diskGb: 25, priceMonthly: 6, regions: ["nyc3", "lon1"] },
    { slug: "s-2vcpu-4gb", vcpus: 2, memoryMb: 4096, diskGb: 80, priceMonthly: 24, regions: ["lon1"] },
  ],
  images: [
    { id: "ubuntu-24-04-x64", distribution: "Ubuntu", name: "24.04 (LTS) x64" },
    { id: "debian-12-x64", distribution: "Debian", name: "12 x64" },
  ],
  sshKeys: [
    { id: "1", name: "hangar-demo", fingerprint: "aa:bb", publicKey: "ssh-ed25519 AAAA demo" },
    { id: "2", name: "laptop", fingerprint: null, publicKey: "ssh-ed25519 BBBB laptop" },
  ],
  zones: [{ name: "example.com" }],
  machineTypes: ["web"],
  defaults: { region: "nyc3", size: "s-1vcpu-1gb", image: "ubuntu-24-04-x64", ssh_keys: ["hangar-demo"], dns_zone: "example.com" },
};

function result(over: Partial<CreateOutcome_Serialize> = {}): CreateOutcome_Serialize {
  return {
    machine: { id: "501", name: "web-3", tags: [], region: "nyc3", ip: "192.0.2.50", type: "web" },
    ip: "192.0.2.50",
    dnsRecord: { zone: "example.com", fqdn: "web-3.example.com", recordId: "9" },
    project: null,
    problems: [],
    cloudInit: { state: "unconfirmed", lastStatus: "UNKNOWN", message: "Not confirmed after 180 s." },
    cancelled: false,
    ...over,
  };
}

async function renderLoaded() {
  render(CreateMachineScreen);
  await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("create-region").value).toBe("nyc3"));
}

function options(testId: string): string[] {
  return [...screen.getByTestId<HTMLSelectElement>(testId).options].map((o) => o.value);
}

async function typeName(value: string) {
  const input = screen.getByTestId<HTMLInputElement>("create-name");
  await fireEvent.input(input, { target: { value } });
}

describe("CreateMachineScreen", () => {
  beforeEach(() => {
    for (const f of [listAccounts, createFormData, checkValue, previewCloudConfig, createMachine, cancelCreate, cleanUpCreated]) {
      f.mockReset();
    }
    listAccounts.mockResolvedValue(ok(accounts));
    createFormData.mockResolvedValue(ok(formData));
    // The core's verdicts for the values these tests type.
    checkValue.mockImplementation(async (rule: string, v: string) => {
      if (rule === "machineName") return v === "web_3" ? `\`${v}\` is not a valid hostname` : null;
      if (rule === "tag") return v === "a.b" ? `tag \`${v}\` must be 1 to 255 letters, digits, \`_\`, \`-\` or \`:\`` : null;
      throw new Error(`unexpected rule ${rule}`);
    });
  });

  it("loads the catalogs once and preselects the account defaults", async () => {
    await renderLoaded();
    expect(createFormData).toHaveBeenCalledTimes(1);
    expect(createFormData).toHaveBeenCalledWith("demo-do");
    expect(screen.getByTestId<HTMLSelectElement>("create-plan").value).toBe("s-1vcpu-1gb");
    expect(screen.getByTestId<HTMLSelectElement>("create-image").value).toBe("ubuntu-24-04-x64");
    expect(screen.getByTestId<HTMLInputElement>("create-key-hangar-demo").checked).toBe(true);
    expect(screen.getByTestId<HTMLInputElement>("create-key-laptop").checked).toBe(false);
    expect(screen.getByTestId<HTMLInputElement>("create-dns").checked).toBe(true);
    // Regions by readable name, images grouped by distribution.
    expect(screen.getByRole("option", { name: "New York 3 (nyc3)" })).toBeTruthy();
    const groups = [...document.querySelectorAll("#create-image optgroup")].map((g) => g.getAttribute("label"));
    expect(groups).toEqual(["Debian", "Ubuntu"]);
  });

  it("asks the core about the name once typing pauses, and shows why it is invalid", async () => {
    await renderLoaded();
    await typeName("web_");
    await typeName("web_3");
    await waitFor(() => expect(screen.getByTestId("create-name-error").textContent).toContain("“web_3” is not a valid hostname"));
    // One question for the pause, about what was typed last.
    expect(checkValue.mock.calls).toEqual([["machineName", "web_3"]]);
    // No FQDN is shown for a name that cannot be one.
    expect(screen.getByTestId("create-fqdn").textContent).not.toContain("web_3");
    expect(screen.getByTestId<HTMLInputElement>("create-name").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(true);
    expect(screen.getByTestId("create-missing").textContent).toContain("a valid name");
    await typeName("web-3");
    await waitFor(() => expect(checkValue).toHaveBeenLastCalledWith("machineName", "web-3"));
    expect(screen.queryByTestId("create-name-error")).toBeNull();
    expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(false);
  });

  it("asks the core about the extra tag, and again before creating", async () => {
    createMachine.mockResolvedValue(ok(result()));
    await renderLoaded();
    await typeName("web-3");
    await fireEvent.input(screen.getByTestId("create-tag"), { target: { value: "a.b" } });
    await waitFor(() => expect(screen.getByTestId("create-tag-error").textContent).toContain("Tag “a.b” must be 1 to 255 letters"));
    expect(checkValue).toHaveBeenCalledWith("tag", "a.b");
    expect(screen.getByTestId("create-missing").textContent).toContain("a valid tag");
    // Submitted before the pause: the core is asked at once, and refuses.
    await fireEvent.input(screen.getByTestId("create-tag"), { target: { value: "ok-tag" } });
    checkValue.mockImplementationOnce(async () => "`web-3` is taken");
    await fireEvent.submit(screen.getByTestId("create-form"));
    await waitFor(() => expect(screen.getByTestId("create-name-error").textContent).toContain("“web-3” is taken"));
    expect(createMachine).not.toHaveBeenCalled();
    // The refused name keeps the form from being submitted until it is changed.
    expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(true);
    await typeName("web-4");
    await fireEvent.submit(screen.getByTestId("create-form"));
    await waitFor(() => expect(createMachine).toHaveBeenCalled());
    expect(createMachine.mock.calls[0]![1]).toMatchObject({ name: "web-4", extraTag: "ok-tag" });
    expect(checkValue).toHaveBeenCalledWith("machineName", "web-4");
    expect(checkValue).toHaveBeenCalledWith("tag", "ok-tag");
  });

  it("creates from a snapshot available in the region, picked as the image source", async () => {
    const snap = (id: string, regions: string[], status: unknown = "available") => ({
      id,
      name: `snap-${id}`,
      machineId: "500000001",
      createdAt: `2026-12-0${id}T12:00:00Z`,
      sizeGb: 2.36,
      regions,
      minDiskGb: 25,
      status,
    });
    listSnapshots.mockResolvedValue(ok([snap("1", ["lon1"]), snap("2", ["nyc3"]), snap("3", ["nyc3"], "pending")]));
    createMachine.mockResolvedValue(ok(result()));
    await renderLoaded();
    await typeName("web-5");
    expect(listSnapshots).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("create-source-snapshot"));
    await waitFor(() => expect(options("create-snapshot")).toEqual(["", "2"]));
    expect(listSnapshots).toHaveBeenCalledWith("demo-do");
    expect(screen.getByTestId<HTMLSelectElement>("create-snapshot").value).toBe("2");
    expect(screen.queryByTestId("create-image")).toBeNull();
    await fireEvent.submit(screen.getByTestId("create-form"));
    await waitFor(() => expect(createMachine).toHaveBeenCalled());
    expect(createMachine.mock.calls[0]![1]).toMatchObject({ name: "web-5", image: "", snapshot: "2" });
  });

  it("lists only the plans of the selected region, with CPU, RAM, disk and price", async () => {
    await renderLoaded();
    expect(options("create-plan")).toEqual(["s-1vcpu-512mb-10gb", "s-1vcpu-1gb"]);
    expect(screen.getByRole("option", { name: /s-1vcpu-1gb · 1 vCPU · 1 GB RAM · 25 GB disk · \$6\/mo/ })).toBeTruthy();
    const region = screen.getByTestId<HTMLSelectElement>("create-region");
    await fireEvent.change(region, { target: { value: "lon1" } });
    await waitFor(() => expect(options("create-plan")).toEqual(["s-1vcpu-1gb", "s-2vcpu-4gb"]));
    // The chosen plan is offered in London too, so it stays.
    expect(screen.getByTestId<HTMLSelectElement>("create-plan").value).toBe("s-1vcpu-1gb");
  });

  it("shows the resulting FQDN and no FQDN with DNS off", async () => {
    await renderLoaded();
    await typeName("web-3");
    await waitFor(() => expect(screen.getByTestId("create-fqdn").textContent).toContain("web-3.example.com"));
    await fireEvent.click(screen.getByTestId("create-dns"));
    await waitFor(() => expect(screen.getByTestId("create-fqdn").textContent).toContain("No DNS record"));
  });

  it("disables submit while running, streams the timeline, then offers View in Machines", async () => {
    let channel: { onmessage: (e: CreateProgress) => void } | null = null;
    let finish: (v: unknown) => void = () => {};
    createMachine.mockImplementation((_op: string, _req: unknown, ch: { onmessage: (e: CreateProgress) => void }) => {
      channel = ch;
      return new Promise((resolve) => (finish = resolve));
    });
    const onviewmachines = vi.fn();
    render(CreateMachineScreen, { onviewmachines });
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("create-region").value).toBe("nyc3"));
    await typeName("web-3");
    await fireEvent.change(screen.getByTestId("create-type"), { target: { value: "web" } });
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(false));
    await fireEvent.submit(screen.getByTestId("create-form"));

    await waitFor(() => expect(createMachine).toHaveBeenCalled());
    expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(true);
    expect(screen.getByTestId("create-submit").textContent).toContain("Creating");
    const [op, request] = createMachine.mock.calls[0] as [string, Record<string, unknown>];
    expect(op).toBeTruthy();
    expect(request).toMatchObject({
      accountId: "demo-do",
      name: "web-3",
      region: "nyc3",
      size: "s-1vcpu-1gb",
      image: "ubuntu-24-04-x64",
      sshKeys: ["hangar-demo"],
      machineType: "web",
      dnsZone: "example.com",
      extraTag: null,
    });

    channel!.onmessage({ event: "created", id: "501", name: "web-3" });
    await waitFor(() => expect(screen.getByTestId("step-created").dataset.state).toBe("done"));
    expect(screen.getByTestId("step-ip").dataset.state).toBe("running");
    channel!.onmessage({ event: "waitingForIp", elapsedMs: 5000 });
    await waitFor(() => expect(screen.getByTestId("step-ip").textContent).toContain("5 s"));
    channel!.onmessage({ event: "ipAssigned", ip: "192.0.2.50" });
    channel!.onmessage({ event: "dnsRecordCreated", fqdn: "web-3.example.com", recordId: "9" });
    channel!.onmessage({ event: "cloudInitChecked", status: "UNKNOWN", elapsedMs: 4000 });
    await waitFor(() => expect(screen.getByTestId("step-dns").dataset.state).toBe("done"));
    expect(screen.getByTestId("step-ip").textContent).toContain("192.0.2.50");
    expect(screen.getByTestId("step-cloudInit").dataset.state).toBe("waiting");
    expect(screen.getByTestId("step-cloudInit").textContent).toContain("does not answer");

    // Only the cloud-init check is left: cancelling stops waiting, for the running operation.
    expect(screen.getByTestId("create-cancel").textContent).toContain("Stop waiting");
    await fireEvent.click(screen.getByTestId("create-cancel"));
    expect(cancelCreate).toHaveBeenCalledWith(op);

    finish(ok(result()));
    await waitFor(() => expect(screen.getByTestId("create-view-machines")).toBeTruthy());
    // UNKNOWN is never shown as done.
    expect(screen.getByTestId("step-cloudInit").dataset.state).toBe("waiting");
    expect(screen.queryByTestId("create-cleanup")).toBeNull();
    await fireEvent.click(screen.getByTestId("create-view-machines"));
    expect(onviewmachines).toHaveBeenCalled();
  });

  it("shows what exists after a partial failure and cleans it up", async () => {
    const partial = result({
      dnsRecord: null,
      problems: [{ kind: "provider", message: "no DNS record web-3.example.com was created: server error" }],
      cloudInit: { state: "notRequested" },
    });
    createMachine.mockResolvedValue(ok(partial));
    cleanUpCreated.mockResolvedValue(
      ok({ id: "501", name: "web-3", destroyed: true, dnsRecordsDeleted: [], problems: [] }),
    );
    await renderLoaded();
    await typeName("web-3");
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(false));
    await fireEvent.submit(screen.getByTestId("create-form"));
    await waitFor(() => expect(screen.getByTestId("create-exists")).toBeTruthy());
    expect(screen.getByTestId("step-dns").dataset.state).toBe("failed");
    expect(screen.getByTestId("step-dns").textContent).toContain("server error");
    expect(screen.getByTestId("create-exists").textContent).toContain("501");
    expect(screen.getByTestId("create-exists").textContent).toContain("192.0.2.50");
    await fireEvent.click(screen.getByTestId("create-cleanup"));
    await waitFor(() => expect(screen.getByTestId("create-cleaned").textContent).toContain("Destroyed web-3"));
    expect(cleanUpCreated).toHaveBeenCalledWith("demo-do", "501", "example.com");
  });

  it("shows a provider's validation error in place and keeps the form", async () => {
    createMachine.mockResolvedValue({
      status: "error",
      error: { kind: "validation", message: "size `s-1vcpu-1gb` is not offered in region `nyc3`" },
    });
    await renderLoaded();
    await typeName("web-3");
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(false));
    await fireEvent.submit(screen.getByTestId("create-form"));
    await waitFor(() => expect(screen.getByTestId("create-error").textContent).toContain("is not offered"));
    expect(screen.getByTestId("step-created").dataset.state).toBe("failed");
    expect(screen.getByTestId<HTMLInputElement>("create-name").value).toBe("web-3");
    expect(screen.getByTestId<HTMLButtonElement>("create-submit").disabled).toBe(false);
  });

  it("previews the cloud-config of the chosen type with the selected keys", async () => {
    previewCloudConfig.mockResolvedValue(ok("#cloud-config\nusers:\n- name: app\n"));
    await renderLoaded();
    await fireEvent.change(screen.getByTestId("create-type"), { target: { value: "web" } });
    const details = screen.getByTestId<HTMLDetailsElement>("create-preview");
    details.open = true;
    await fireEvent(details, new Event("toggle"));
    await waitFor(() => expect(screen.getByTestId("create-preview-text").textContent).toContain("#cloud-config"));
    expect(previewCloudConfig).toHaveBeenLastCalledWith("web", ["ssh-ed25519 AAAA demo"], null);
  });
});
