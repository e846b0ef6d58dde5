import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { MachineDetail_Serialize as MachineDetail, MachineView_Serialize, Machine_Serialize } from "../lib/bindings";

const commands = vi.hoisted(() => ({
  machineDetail: vi.fn(),
  renameMachine: vi.fn(),
  changeTags: vi.fn(),
  setProtection: vi.fn(),
  powerMachine: vi.fn(),
  sshTarget: vi.fn(),
  checkValue: vi.fn(async (): Promise<string | null> => null),
  previewDestroy: vi.fn(),
  destroyMachines: vi.fn(),
  providerList: vi.fn(async () => []),
}));
vi.mock("../lib/bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

import MachineDetailScreen from "./MachineDetailScreen.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

function machine(over: Partial<Machine_Serialize> = {}): Machine_Serialize {
  return {
    id: "500000001",
    name: "web-1",
    tags: ["machine:created", "machine:session:de300001", "machine:type:web", "team-a"],
    region: "nyc3",
    ipv4: "192.0.2.10",
    ipv6: null,
    privateIpv4: "10.10.0.5",
    status: "active",
    size: "s-1vcpu-1gb",
    image: "ubuntu-24-04-x64",
    imageName: null,
    createdAt: new Date(Date.now() - 10 * 3600_000).toISOString(),
    priceMonthly: 6,
    ...over,
  };
}

function view(m: Machine_Serialize, protectedOn = false): MachineView_Serialize {
  return {
    machine: m,
    createdByHangar: true,
    machineType: "web",
    session: "de300001",
    inSession: true,
    userTags: m.tags.filter((t) => !t.startsWith("machine:")),
    protected: protectedOn,
  };
}

function detail(m: Machine_Serialize, protectedOn = false): MachineDetail {
  const record = (name: string, type: string, data: string) => ({
    zone: "example.com",
    fqdn: `${name}.example.com`,
    recordId: `r-${name}`,
    recordType: type,
    name,
    data,
  });
  return {
    accountId: "demo-do",
    accountLabel: "Demo DigitalOcean",
    provider: "digitalocean",
    simulated: true,
    view: view(m, protectedOn),
    capabilities: { projects: true, firewall: true, resize: true, rebuild: true, snapshots: true },
    plan: {
      plan: { slug: "s-1vcpu-1gb", vcpus: 1, memoryMb: 1024, diskGb: 25, priceMonthly: 6, regions: ["nyc3"] },
      cost: { monthly: 6, hourly: 6 / 672, hoursSoFar: 10, estimateSoFar: 60 / 672 },
      cloudInit: "done",
      imageName: "Ubuntu 24.04 (LTS) x64",
    },
    records: [
      { accountId: "demo-do", accountLabel: "Demo DigitalOcean", record: record(m.name, "A", "192.0.2.10"), own: true },
      { accountId: "demo-do", accountLabel: "Demo DigitalOcean", record: record("blog", "CNAME", `${m.name}.example.com.`), own: false },
    ],
    problems: [],
  };
}

beforeAll(() => {
  // jsdom has no modal dialogs.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
    this.dispatchEvent(new Event("close"));
  };
});

beforeEach(() => {
  for (const f of Object.values(commands)) f.mockReset();
  commands.checkValue.mockResolvedValue(null);
  commands.providerList.mockResolvedValue([]);
  commands.machineDetail.mockResolvedValue(ok(detail(machine())));
});

describe("the machine detail view", () => {
  it("shows the machine, its network, cost and the records pointing at it", async () => {
    render(MachineDetailScreen, { accountId: "demo-do", machineId: "500000001" });
    expect((await screen.findByTestId("detail-name")).textContent).toContain("web-1");
    expect(commands.machineDetail).toHaveBeenCalledWith("demo-do", "500000001");
    expect((screen.getByTestId("detail-private")).textContent).toContain("10.10.0.5");
    expect((screen.getByTestId("detail-price")).textContent).toContain("$6.00/month");
    // The image by the name the core found for it, not its id.
    expect((screen.getByTestId("detail-image")).textContent).toBe("Ubuntu 24.04 (LTS) x64");
    expect((screen.getByTestId("detail-cost")).textContent).toContain("≈ $0.09 in 10 h (estimate; simulated");
    const records = screen.getAllByTestId("detail-record").map((r) => r.textContent ?? "");
    expect(records[0]).toContain("deleted with it");
    expect(records[1]).toContain("blog.example.com");
    expect(records[1]).toContain("left as it is");
    expect(screen.getAllByTestId("detail-tag").map((t) => t.textContent?.replace("×", "").trim())).toEqual(["team-a"]);
  });

  it("renames with its record, and asks again when the name is taken", async () => {
    render(MachineDetailScreen, { accountId: "demo-do", machineId: "500000001" });
    await fireEvent.click(await screen.findByTestId("detail-rename"));
    expect((screen.getByTestId("rename-records") as HTMLInputElement).checked).toBe(true);
    await fireEvent.input(screen.getByTestId("rename-name"), { target: { value: "web-2" } });
    commands.renameMachine.mockResolvedValueOnce({
      status: "error",
      error: { kind: "duplicate", message: "a machine named `web-2` already exists (id 7)" },
    });
    await fireEvent.click(screen.getByTestId("rename-confirm"));
    expect((await screen.findByTestId("rename-error")).textContent).toContain("already exists");
    expect(commands.renameMachine).toHaveBeenLastCalledWith("demo-do", "500000001", "web-2", true, false);
    // Taken: the confirm waits for the acknowledgement.
    expect((screen.getByTestId("rename-confirm") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("rename-allow-duplicate"));
    const renamed = machine({ name: "web-2" });
    commands.renameMachine.mockResolvedValueOnce(ok({ machine: view(renamed), records: [] }));
    commands.machineDetail.mockResolvedValue(ok(detail(renamed)));
    await fireEvent.click(screen.getByTestId("rename-confirm"));
    await waitFor(() => expect((screen.getByTestId("detail-name")).textContent).toContain("web-2"));
    expect(commands.renameMachine).toHaveBeenLastCalledWith("demo-do", "500000001", "web-2", true, true);
    expect((screen.getByTestId("detail-activity-entry")).textContent).toContain("Renamed web-1 to web-2");
  });

  it("protects the machine and then refuses its destroy button", async () => {
    render(MachineDetailScreen, { accountId: "demo-do", machineId: "500000001" });
    expect((await screen.findByTestId("detail-destroy") as HTMLButtonElement).disabled).toBe(false);
    commands.setProtection.mockResolvedValueOnce(ok(view(machine(), true)));
    commands.machineDetail.mockResolvedValue(ok(detail(machine(), true)));
    await fireEvent.click(screen.getByTestId("detail-protect"));
    expect((await screen.findByTestId("detail-protected")).textContent).toContain("Protected");
    expect(commands.setProtection).toHaveBeenCalledWith("demo-do", "500000001", true);
    expect((screen.getByTestId("detail-destroy") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("detail-protect")).textContent).toContain("Remove protection");
  });

  it("checks a tag with the core's rule before sending it", async () => {
    commands.checkValue.mockResolvedValueOnce("tag `machine:x` starts with `machine:`, which Hangar reserves for its own tags");
    render(MachineDetailScreen, { accountId: "demo-do", machineId: "500000001" });
    await fireEvent.input(await screen.findByTestId("detail-tag-input"), { target: { value: "machine:x" } });
    await fireEvent.click(screen.getByTestId("detail-tag-add"));
    expect((await screen.findByTestId("detail-tag-error")).textContent).toContain("reserves for its own tags");
    expect(commands.changeTags).not.toHaveBeenCalled();
  });

  it("keeps the actions a provider lacks in place, disabled, saying why", async () => {
    const none = { projects: false, firewall: false, resize: false, rebuild: false, snapshots: false };
    commands.machineDetail.mockResolvedValue(ok({ ...detail(machine()), capabilities: none }));
    render(MachineDetailScreen, { accountId: "demo-do", machineId: "500000001" });
    await screen.findByTestId("detail-name");
    for (const id of ["detail-resize", "detail-rebuild", "detail-firewall"]) {
      const button = screen.getByTestId(id) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toMatch(/offers no .* through its API/);
    }
    expect(screen.getByTestId("detail-no-snapshots").textContent).toContain("offers no snapshots");
    expect((screen.getByTestId("detail-rename") as HTMLButtonElement).disabled).toBe(false);
  });

  it("says when the machine no longer exists", async () => {
    commands.machineDetail.mockResolvedValue({ status: "error", error: { kind: "notFound", message: "machine 9 does not exist" } });
    render(MachineDetailScreen, { accountId: "demo-do", machineId: "9" });
    expect((await screen.findByTestId("detail-error")).textContent).toContain("This machine no longer exists");
  });
});
