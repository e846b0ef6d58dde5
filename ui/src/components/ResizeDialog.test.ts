import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ResizeChoices_Serialize, ResizeRules, Size } from "../lib/bindings";

const commands = vi.hoisted(() => ({
  resizeOptions: vi.fn(),
  resizeMachine: vi.fn(),
}));
vi.mock("../lib/bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

import ResizeDialog from "./ResizeDialog.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

const size = (slug: string, vcpus: number, memoryMb: number, diskGb: number, priceMonthly: number): Size => ({
  slug,
  vcpus,
  memoryMb,
  diskGb,
  priceMonthly,
  regions: ["nyc3"],
});
const DO_RULES: ResizeRules = { needsPowerOff: true, diskResizeIrreversible: true, canKeepDisk: true, canDowngrade: true };

function choices(rules: ResizeRules = DO_RULES, status: "active" | "off" = "active"): ResizeChoices_Serialize {
  const current = size("s-1vcpu-1gb", 1, 1024, 25, 6);
  return {
    machine: {
      id: "500000001",
      name: "web-1",
      tags: [],
      region: "nyc3",
      ipv4: "192.0.2.10",
      ipv6: null,
      privateIpv4: null,
      status,
      size: "s-1vcpu-1gb",
      image: "ubuntu-24-04-x64",
      imageName: null,
      createdAt: "2026-12-01T00:00:00Z",
      priceMonthly: 6,
    },
    current,
    diskGb: 25,
    rules,
    options: [
      {
        size: size("s-1vcpu-512mb-10gb", 1, 512, 10, 4),
        priceDifferenceMonthly: -2,
        current: false,
        growsDisk: false,
        allowed: false,
        reason: "its disk (10 GB) is smaller than the machine's (25 GB), and a disk never shrinks",
      },
      { size: current, priceDifferenceMonthly: 0, current: true, growsDisk: false, allowed: false, reason: "this is the machine's plan now" },
      { size: size("s-1vcpu-2gb", 1, 2048, 50, 12), priceDifferenceMonthly: 6, current: false, growsDisk: true, allowed: true, reason: null },
    ],
  };
}

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
});

function open(props: Partial<{ ondone: (ok: boolean, text: string) => void; onclose: (c: boolean) => void }> = {}) {
  return render(ResizeDialog, {
    accountId: "demo-do",
    machineId: "500000001",
    machineName: "web-1",
    providerName: "DigitalOcean",
    ondone: props.ondone ?? (() => {}),
    onclose: props.onclose ?? (() => {}),
  });
}

describe("the resize dialog", () => {
  it("lists the plans with the price difference and why a plan is refused", async () => {
    commands.resizeOptions.mockResolvedValue(ok(choices()));
    open();
    const rows = await screen.findAllByTestId("resize-option");
    expect(commands.resizeOptions).toHaveBeenCalledWith("demo-do", "500000001");
    const diffs = screen.getAllByTestId("resize-diff").map((d) => d.textContent);
    expect(diffs).toEqual(["−$2.00/month", "current", "+$6.00/month"]);
    expect(rows[0]?.textContent).toContain("a disk never shrinks");
    expect((screen.getByTestId("resize-option-s-1vcpu-512mb-10gb") as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId("resize-option-s-1vcpu-1gb") as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId("resize-confirm") as HTMLButtonElement).disabled).toBe(true);
  });

  it("needs the power-off agreement, warns when the disk grows for good, and shows the progress", async () => {
    commands.resizeOptions.mockResolvedValue(ok(choices()));
    const ondone = vi.fn();
    const onclose = vi.fn();
    open({ ondone, onclose });
    await fireEvent.click(await screen.findByTestId("resize-option-s-1vcpu-2gb"));
    const confirm = screen.getByTestId("resize-confirm") as HTMLButtonElement;
    expect(confirm.textContent).toContain("Power off and resize");
    expect(confirm.disabled).toBe(true);
    // Without the disk: no warning; with it: the warning says it cannot be undone.
    expect(screen.queryByTestId("resize-irreversible")).toBeNull();
    await fireEvent.click(screen.getByTestId("resize-grow-disk"));
    expect(screen.getByTestId("resize-irreversible").textContent).toContain("cannot be undone");
    expect(screen.getByTestId("resize-power-off").closest("label")?.textContent).toContain(
      "DigitalOcean resizes only a machine that is off",
    );
    await fireEvent.click(screen.getByTestId("resize-power-off"));
    expect(confirm.disabled).toBe(false);

    let resolve: (v: unknown) => void = () => {};
    commands.resizeMachine.mockImplementation(
      (_a: string, _m: string, _s: string, _o: unknown, ch: { onmessage: (e: unknown) => void }) => {
        ch.onmessage({ event: "poweringOff", id: "500000001" });
        ch.onmessage({ event: "resizing", id: "500000001", from: "s-1vcpu-1gb", to: "s-1vcpu-2gb" });
        return new Promise((r) => (resolve = r));
      },
    );
    await fireEvent.click(confirm);
    expect((await screen.findByTestId("resize-progress")).textContent).toContain("Resizing from s-1vcpu-1gb to s-1vcpu-2gb");
    expect(commands.resizeMachine).toHaveBeenCalledWith(
      "demo-do",
      "500000001",
      "s-1vcpu-2gb",
      { powerOffFirst: true, growDisk: true },
      expect.anything(),
    );
    const after = { ...choices().machine, size: "s-1vcpu-2gb" };
    resolve(ok({ machine: { machine: after }, from: "s-1vcpu-1gb", powerCycled: true }));
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(true, "Resized web-1 from s-1vcpu-1gb to s-1vcpu-2gb (powered off and back on)."));
    await waitFor(() => expect(onclose).toHaveBeenCalledWith(true));
  });

  it("asks no power-off where the provider resizes a running machine, and shows the core's refusal", async () => {
    commands.resizeOptions.mockResolvedValue(
      ok(choices({ needsPowerOff: false, diskResizeIrreversible: true, canKeepDisk: false, canDowngrade: false })),
    );
    open();
    await fireEvent.click(await screen.findByTestId("resize-option-s-1vcpu-2gb"));
    expect(screen.queryByTestId("resize-power-off")).toBeNull();
    expect(screen.queryByTestId("resize-grow-disk")).toBeNull();
    expect(screen.getByTestId("resize-irreversible").textContent).toContain("from 25 GB to 50 GB");
    commands.resizeMachine.mockResolvedValue({ status: "error", error: { kind: "validation", message: "plan refused" } });
    await fireEvent.click(screen.getByTestId("resize-confirm"));
    expect((await screen.findByTestId("resize-error")).textContent).toContain("plan refused");
  });
});
