import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const commands = vi.hoisted(() => ({
  machineSnapshots: vi.fn(),
  createSnapshot: vi.fn(),
  deleteSnapshot: vi.fn(),
  checkValue: vi.fn(),
}));
vi.mock("../lib/bindings", () => ({ commands }));
const channels = vi.hoisted(() => [] as { onmessage: ((m: unknown) => void) | null }[]);
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
    constructor() {
      channels.push(this);
    }
  },
}));

import SnapshotsPanel from "./SnapshotsPanel.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });
const snap = (id: string, name: string) => ({
  id,
  name,
  machineId: "500000001",
  createdAt: "2026-12-03T12:00:00Z",
  sizeGb: 2.36,
  regions: ["nyc3"],
  minDiskGb: 25,
  status: "available",
});
const rules = { namesMachine: true, regional: true };

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
  // The core's snapshot-name rule: a name with a tab is refused.
  commands.checkValue.mockImplementation(async (_rule: string, v: string) =>
    v.includes("\t") ? "a snapshot name cannot hold control characters (tabs, new lines)" : null,
  );
  channels.length = 0;
});

function show(onactivity = vi.fn(), providerName = "DigitalOcean") {
  render(SnapshotsPanel, { accountId: "demo-do", machineId: "500000001", machineName: "web-1", providerName, onactivity });
  return onactivity;
}

describe("the snapshots panel", () => {
  it("lists the machine's snapshots and takes one with a name, following its progress", async () => {
    commands.machineSnapshots.mockResolvedValueOnce(ok({ snapshots: [snap("11", "old")], machineKnown: true, rules }));
    const onactivity = show();
    const rows = await screen.findAllByTestId("snapshot-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.textContent).toContain("old");
    expect(rows[0]?.textContent).toContain("2.36 GB");
    expect(screen.queryByTestId("snapshots-account-wide")).toBeNull();
    // A name is suggested from the machine's; an empty one cannot be sent.
    const input = screen.getByTestId("snapshot-name") as HTMLInputElement;
    expect(input.value.startsWith("web-1-")).toBe(true);
    await fireEvent.input(input, { target: { value: "  " } });
    expect((screen.getByTestId("snapshot-take") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(input, { target: { value: "before-upgrade" } });

    let finish: (v: unknown) => void = () => {};
    commands.createSnapshot.mockReturnValue(new Promise((r) => (finish = r)));
    commands.machineSnapshots.mockResolvedValueOnce(
      ok({ snapshots: [snap("11", "old"), snap("12", "before-upgrade")], machineKnown: true, rules }),
    );
    await fireEvent.click(screen.getByTestId("snapshot-take"));
    expect(commands.createSnapshot).toHaveBeenCalledWith("demo-do", "500000001", "before-upgrade", expect.anything());
    channels[0]?.onmessage?.({ event: "waiting", elapsedMs: 3000 });
    await waitFor(() => expect(screen.getByTestId("snapshot-progress").textContent).toContain("3 s"));
    finish(ok({ machineId: "500000001", name: "before-upgrade", snapshot: snap("12", "before-upgrade"), available: true }));
    await waitFor(() => expect(screen.getAllByTestId("snapshot-row")).toHaveLength(2));
    expect(onactivity).toHaveBeenCalledWith("Snapshot", true, "Snapshot before-upgrade of web-1 is available (id 12).");
    expect(screen.queryByTestId("snapshot-progress")).toBeNull();
  });

  it("shows the core's refusal of a snapshot", async () => {
    commands.machineSnapshots.mockResolvedValue(ok({ snapshots: [], machineKnown: true, rules }));
    const onactivity = show();
    expect(await screen.findByTestId("snapshots-none")).toBeTruthy();
    commands.createSnapshot.mockResolvedValue({ status: "error", error: { kind: "notFound", message: "machine 500000001 does not exist" } });
    await fireEvent.click(screen.getByTestId("snapshot-take"));
    expect((await screen.findByTestId("snapshot-take-error")).textContent).toContain("does not exist");
    expect(onactivity).toHaveBeenCalledWith("Snapshot", false, "machine 500000001 does not exist");
  });

  it("checks the name with the core's rule before asking the provider", async () => {
    commands.machineSnapshots.mockResolvedValue(ok({ snapshots: [], machineKnown: true, rules }));
    show();
    await screen.findByTestId("snapshots-none");
    await fireEvent.input(screen.getByTestId("snapshot-name"), { target: { value: "a\tb" } });
    await fireEvent.click(screen.getByTestId("snapshot-take"));
    expect((await screen.findByTestId("snapshot-take-error")).textContent).toContain("control characters");
    expect(commands.checkValue).toHaveBeenCalledWith("snapshotName", "a\tb");
    expect(commands.createSnapshot).not.toHaveBeenCalled();
  });

  it("deletes a snapshot only after the confirmation", async () => {
    commands.machineSnapshots.mockResolvedValueOnce(ok({ snapshots: [snap("11", "old")], machineKnown: true, rules }));
    const onactivity = show();
    await fireEvent.click(await screen.findByTestId("snapshot-delete"));
    const dialog = screen.getByTestId("snapshot-delete-dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain("old");
    // Cancel deletes nothing.
    await fireEvent.click(screen.getByTestId("snapshot-delete-cancel"));
    expect(commands.deleteSnapshot).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("snapshot-delete"));
    commands.deleteSnapshot.mockResolvedValue(ok(snap("11", "old")));
    commands.machineSnapshots.mockResolvedValueOnce(ok({ snapshots: [], machineKnown: true, rules }));
    await fireEvent.click(screen.getByTestId("snapshot-delete-confirm"));
    expect(commands.deleteSnapshot).toHaveBeenCalledWith("demo-do", "11");
    await waitFor(() => expect(screen.getByTestId("snapshots-none")).toBeTruthy());
    expect(onactivity).toHaveBeenCalledWith("Delete snapshot", true, "Deleted snapshot old (id 11).");
  });

  it("says when the provider does not tell whose a snapshot is", async () => {
    commands.machineSnapshots.mockResolvedValue(
      ok({ snapshots: [{ ...snap("ab-cd", "other"), machineId: null, regions: [] }], machineKnown: false, rules: { namesMachine: false, regional: false } }),
    );
    show(vi.fn(), "Vultr");
    expect((await screen.findByTestId("snapshots-account-wide")).textContent).toContain("Vultr does not say");
    expect(screen.getByTestId("snapshot-row").textContent).toContain("any");
  });
});
