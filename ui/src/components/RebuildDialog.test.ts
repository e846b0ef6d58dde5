import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const commands = vi.hoisted(() => ({
  createFormData: vi.fn(),
  rebuildRules: vi.fn(),
  rebuildMachine: vi.fn(),
  listSnapshots: vi.fn(),
}));
vi.mock("../lib/bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

import RebuildDialog from "./RebuildDialog.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });
const images = [
  { id: "ubuntu-24-04-x64", distribution: "Ubuntu", name: "24.04 (LTS) x64" },
  { id: "debian-12-x64", distribution: "Debian", name: "12 x64" },
];

beforeAll(() => {
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
  commands.createFormData.mockResolvedValue(ok({ images }));
  commands.rebuildRules.mockResolvedValue(ok({ keepsIp: true, fromSnapshot: true }));
  const snapshot = (id: string, name: string, regions: string[], status: unknown = "available") => ({
    id,
    name,
    machineId: "500000001",
    createdAt: "2026-12-02T10:00:00Z",
    sizeGb: 2.4,
    regions,
    minDiskGb: 25,
    status,
  });
  commands.listSnapshots.mockResolvedValue(
    ok([
      snapshot("900", "elsewhere", ["sfo3"]),
      snapshot("901", "still-taking", ["nyc3"], "pending"),
      snapshot("777", "before-upgrade", ["nyc3"]),
    ]),
  );
});

function open(ondone = vi.fn()) {
  render(RebuildDialog, {
    accountId: "demo-do",
    machineId: "500000001",
    machineName: "web-1",
    currentImage: "ubuntu-24-04-x64",
    ipv4: "192.0.2.10",
    region: "nyc3",
    providerName: "DigitalOcean",
    ondone,
    onclose: () => {},
  });
  return ondone;
}

describe("the rebuild dialog", () => {
  it("says what is erased and kept, and waits for the machine's name typed out", async () => {
    const ondone = open();
    const warning = await screen.findByTestId("rebuild-warning");
    expect(warning.textContent).toContain("erases everything on the disk");
    expect(warning.textContent).toContain("its IP address 192.0.2.10");
    // Another image than the current one is picked first.
    expect((screen.getByTestId("rebuild-image") as HTMLSelectElement).value).toBe("debian-12-x64");
    const confirm = screen.getByTestId("rebuild-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("rebuild-typed"), { target: { value: "web-" } });
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("rebuild-typed"), { target: { value: "web-1" } });
    expect(confirm.disabled).toBe(false);
    commands.rebuildMachine.mockResolvedValue(
      ok({ machine: { machine: { name: "web-1", image: "debian-12-x64", imageName: "12 x64" } }, from: "ubuntu-24-04-x64", keptIp: true }),
    );
    await fireEvent.click(confirm);
    expect(commands.rebuildMachine).toHaveBeenCalledWith("demo-do", "500000001", { image: "debian-12-x64" }, expect.anything());
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(true, "Rebuilt web-1 from 12 x64; it kept its IP address."));
  });

  it("rebuilds from an available snapshot of the machine's region where the provider can", async () => {
    open();
    await fireEvent.click(await screen.findByTestId("rebuild-source-snapshot"));
    const select = (await screen.findByTestId("rebuild-snapshot")) as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["777"]);
    expect(select.options[0]?.textContent).toContain("before-upgrade");
    await fireEvent.input(screen.getByTestId("rebuild-typed"), { target: { value: "web-1" } });
    commands.rebuildMachine.mockResolvedValue({ status: "error", error: { kind: "validation", message: "snapshot 777 does not exist" } });
    await fireEvent.click(screen.getByTestId("rebuild-confirm"));
    expect(commands.rebuildMachine).toHaveBeenCalledWith("demo-do", "500000001", { snapshot: "777" }, expect.anything());
    expect((await screen.findByTestId("rebuild-error")).textContent).toContain("snapshot 777 does not exist");
  });

  it("offers no snapshot where the provider rebuilds from images only", async () => {
    commands.rebuildRules.mockResolvedValue(ok({ keepsIp: true, fromSnapshot: false }));
    open();
    expect((await screen.findByTestId("rebuild-warning")).textContent).toContain("erases");
    expect(screen.queryByTestId("rebuild-source-snapshot")).toBeNull();
    expect(commands.listSnapshots).not.toHaveBeenCalled();
  });
});
