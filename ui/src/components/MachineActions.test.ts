import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountList_Serialize, MachineListing_Serialize, MachineView_Serialize, Machine_Serialize } from "../lib/bindings";
import { resetPowerPrefs } from "../lib/powerConfirm.svelte";
import { toasts } from "../lib/toasts.svelte";

const commands = vi.hoisted(() => ({
  listAccounts: vi.fn(),
  listMachines: vi.fn(),
  refreshMachines: vi.fn(),
  machineChecks: vi.fn(),
  powerMachine: vi.fn(),
  sshTarget: vi.fn(),
  previewDestroy: vi.fn(),
  destroyMachines: vi.fn(),
  providerList: vi.fn(async () => []),
  settingsInfo: vi.fn(),
  setAskBeforePower: vi.fn(),
  bulkAction: vi.fn(),
}));
vi.mock("../lib/bindings", () => ({ commands }));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

import MachinesScreen from "./MachinesScreen.svelte";

const SESSION = "de300001";
const ok = <T>(data: T) => ({ status: "ok", data });

function machine(id: string, name: string, over: Partial<Machine_Serialize> = {}): Machine_Serialize {
  return {
    id,
    name,
    tags: ["machine:created", `machine:session:${SESSION}`, "machine:type:web"],
    region: "nyc3",
    ipv4: `192.0.2.${id}`,
    ipv6: null,
    privateIpv4: null,
    status: "active",
    size: "s-1vcpu-1gb",
    image: "ubuntu-24-04-x64",
    imageName: null,
    createdAt: new Date().toISOString(),
    priceMonthly: null,
    ...over,
  };
}

const accounts: AccountList_Serialize = {
  accounts: [
    { id: "demo-do", label: "Demo DigitalOcean", provider: "digitalocean", simulated: true, key: null, baseUrl: null, error: null, importedTypes: [] },
  ],
  problem: null,
};

/** The machine as the core sees it: web-1 and db-1 were created in this session, legacy not. */
function view(m: Machine_Serialize): MachineView_Serialize {
  const ours = m.tags.includes("machine:created");
  return {
    machine: m,
    createdByHangar: ours,
    machineType: ours ? "web" : null,
    session: ours ? SESSION : null,
    inSession: ours,
    userTags: [],
    protected: false,
  };
}

function listing(machines: Machine_Serialize[]): MachineListing_Serialize {
  return { sessionId: SESSION, accounts: [{ accountId: "demo-do", result: machines.map(view), error: null }] };
}

const perAccount = <T>(result: T) => ({ accounts: [{ accountId: "demo-do", result, error: null }] });

function record(name: string, ip: string) {
  return { zone: "example.com", fqdn: `${name}.example.com`, recordId: `r-${name}`, recordType: "A", name, data: ip };
}

function preview(m: Machine_Serialize, refusal: string | null = null) {
  return { id: m.id, name: m.name, ipv4: m.ipv4, refusal, records: [record(m.name, m.ipv4 ?? "")], otherRecords: [], problems: [] };
}

const web = machine("1", "web-1");
const db = machine("2", "db-1");
const foreign = machine("3", "legacy", { tags: [] });

async function rowOf(name: string): Promise<HTMLElement> {
  await screen.findAllByTestId("machine-row");
  const row = screen.getAllByTestId("machine-row").find((r) => r.querySelector("[data-testid=cell-name]")?.textContent === name);
  if (!row) throw new Error(`no row ${name}`);
  return row;
}

describe("Machine actions", () => {
  beforeEach(() => {
    for (const f of Object.values(commands)) f.mockReset();
    toasts.splice(0, toasts.length);
    resetPowerPrefs();
    commands.settingsInfo.mockResolvedValue(ok({ askBeforePower: true }));
    commands.setAskBeforePower.mockResolvedValue(ok(null));
    commands.listAccounts.mockResolvedValue(ok(accounts));
    commands.listMachines.mockResolvedValue(ok(listing([web, db, foreign])));
    commands.machineChecks.mockResolvedValue(ok({ accounts: [] }));
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
      this.dispatchEvent(new Event("close"));
    };
  });

  it("destroys only once the exact name is typed, and lists the DNS record that goes", async () => {
    commands.previewDestroy.mockResolvedValue(ok(perAccount([preview(web)])));
    commands.destroyMachines.mockResolvedValue(
      ok(
        perAccount([
          { id: "1", name: "web-1", destroyed: true, dnsRecordsDeleted: [{ zone: "example.com", fqdn: "web-1.example.com", recordId: "r-web-1" }], problems: [] },
        ]),
      ),
    );
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-destroy"));
    const dialog = await screen.findByTestId("destroy-dialog");
    expect(commands.previewDestroy).toHaveBeenCalledWith([{ accountId: "demo-do", ids: ["1"] }], false);
    const rec = await within(dialog).findByTestId("destroy-record");
    expect(rec.textContent).toContain("web-1.example.com");
    expect(rec.textContent).toContain("192.0.2.1");

    const button = within(dialog).getByTestId("destroy-confirm") as HTMLButtonElement;
    const input = within(dialog).getByTestId("destroy-confirm-input");
    expect(button.disabled).toBe(true);
    for (const wrong of ["web", "Web-1", "web-1 ", " web-1"]) {
      await fireEvent.input(input, { target: { value: wrong } });
      expect(button.disabled, `“${wrong}” must not unlock`).toBe(true);
    }
    await fireEvent.input(input, { target: { value: "web-1" } });
    expect(button.disabled).toBe(false);
    await fireEvent.click(button);
    await waitFor(() => expect(commands.destroyMachines).toHaveBeenCalled());
    const [targets, all] = commands.destroyMachines.mock.calls[0]!;
    expect(targets).toEqual([{ accountId: "demo-do", ids: ["1"] }]);
    expect(all).toBe(false);
    await waitFor(() => expect(toasts.map((t) => t.text).join()).toContain("Destroyed web-1 (and web-1.example.com)"));
    expect(toasts[0]?.tone).toBe("ok");
    // The list is read again afterwards.
    await waitFor(() => expect(commands.listMachines).toHaveBeenCalledTimes(2));
  });

  it("shows a refusal in words and needs “Destroy anyway” for a foreign machine", async () => {
    const why = "machine legacy (3) was not created by Hangar or machine; use --all to destroy it anyway";
    commands.previewDestroy.mockResolvedValue(ok(perAccount([preview(foreign, why)])));
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("legacy")).getByTestId("action-destroy"));
    const dialog = await screen.findByTestId("destroy-dialog");
    expect((await within(dialog).findByTestId("destroy-refusal")).textContent).toContain("not created by Hangar");
    await fireEvent.input(within(dialog).getByTestId("destroy-confirm-input"), { target: { value: "legacy" } });
    const button = within(dialog).getByTestId("destroy-confirm") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await fireEvent.click(within(dialog).getByTestId("destroy-all"));
    expect(button.disabled).toBe(false);
  });

  it("bulk: one confirmation lists this session's machines and their records; failures per machine", async () => {
    commands.previewDestroy.mockResolvedValue(ok(perAccount([preview(web), preview(db)])));
    commands.destroyMachines.mockResolvedValue(
      ok(
        perAccount([
          { id: "1", name: "web-1", destroyed: true, dnsRecordsDeleted: [], problems: [] },
          { id: "2", name: "db-1", destroyed: false, dnsRecordsDeleted: [], problems: [{ kind: "stillExists", message: "db-1 is still there" }] },
        ]),
      ),
    );
    render(MachinesScreen);
    await rowOf("web-1");
    // The session's machines are selected together, and destroyed from the selection bar.
    await fireEvent.click(screen.getByTestId("select-session"));
    expect(screen.getByTestId("bulk-count").textContent).toBe("2 selected");
    await fireEvent.click(screen.getByTestId("bulk-destroy"));
    const dialog = await screen.findByTestId("destroy-dialog");
    // Only the machines created in this session are offered, in one call, in the table's order.
    expect(commands.previewDestroy).toHaveBeenCalledTimes(1);
    expect(commands.previewDestroy).toHaveBeenCalledWith([{ accountId: "demo-do", ids: ["2", "1"] }], false);
    expect(dialog.textContent).toContain("Destroy 2 machines of this session?");
    const items = await within(dialog).findAllByTestId("destroy-item");
    expect(items.map((i) => i.querySelector("strong")?.textContent)).toEqual(["web-1", "db-1"]);
    expect(within(dialog).getAllByTestId("destroy-record").map((r) => r.textContent)).toEqual([
      expect.stringContaining("web-1.example.com"),
      expect.stringContaining("db-1.example.com"),
    ]);
    const button = within(dialog).getByTestId("destroy-confirm") as HTMLButtonElement;
    expect(button.textContent).toContain("Destroy 2");
    expect(button.disabled).toBe(true);
    await fireEvent.input(within(dialog).getByTestId("destroy-confirm-input"), { target: { value: "destroy" } });
    await fireEvent.click(button);
    await waitFor(() => expect(toasts.length).toBe(1));
    expect(toasts[0]?.tone).toBe("bad");
    expect(toasts[0]?.text).toContain("Destroyed web-1.");
    expect(toasts[0]?.text).toContain("db-1: db-1 is still there");
  });

  it("copies the ssh command with the type's user and the record's name, or says why it is root", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    commands.sshTarget.mockResolvedValueOnce(
      ok({ user: "deploy", host: "web-1.example.com", userSource: "machineType", machineType: "web", fqdn: "web-1.example.com", command: "" }),
    );
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-ssh"));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("ssh deploy@web-1.example.com"));
    expect(commands.sshTarget).toHaveBeenCalledWith("demo-do", "1");
    await waitFor(() => expect(toasts.at(-1)?.text).toBe("Copied “ssh deploy@web-1.example.com”."));

    commands.sshTarget.mockResolvedValueOnce(
      ok({ user: "root", host: "192.0.2.3", userSource: "noType", machineType: null, fqdn: null, command: "" }),
    );
    await fireEvent.click(within(await rowOf("legacy")).getByTestId("action-ssh"));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith("ssh root@192.0.2.3"));
    await waitFor(() => expect(toasts.at(-1)?.text).toContain("root: the machine has no machine type"));
  });

  it("disables a row's actions while powering off, then shows the new status", async () => {
    let finish: (v: unknown) => void = () => {};
    commands.powerMachine.mockReturnValue(new Promise((r) => (finish = r)));
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-power-off"));
    // It asks first, and says that a machine that is off is still billed.
    const ask = await screen.findByTestId("power-confirm");
    expect(ask.textContent).toContain("Power off web-1?");
    expect(ask.textContent).toContain("still billed");
    expect(commands.powerMachine).not.toHaveBeenCalled();
    await fireEvent.click(within(ask).getByTestId("power-confirm-yes"));
    expect(commands.powerMachine).toHaveBeenCalledWith("demo-do", "1", "powerOff");
    const row = await rowOf("web-1");
    expect(within(row).getByTestId("row-busy").textContent).toContain("powering off");
    expect(within(row).queryByTestId("action-destroy")).toBeNull();
    finish(ok(view({ ...web, status: "off" })));
    await waitFor(async () => expect((await rowOf("web-1")).querySelector("[data-testid=cell-status]")?.textContent).toContain("off"));
    expect(within(await rowOf("web-1")).getByTestId("action-power-on")).toBeTruthy();
    expect(toasts.at(-1)?.text).toBe("Powered off web-1 (now off).");
  });

  it("a cancelled power off does nothing, and “Don't ask again” is saved and honoured", async () => {
    commands.powerMachine.mockResolvedValue(ok(view({ ...web, status: "off" })));
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-power-off"));
    await fireEvent.click(await screen.findByTestId("power-confirm-cancel"));
    await waitFor(() => expect(screen.queryByTestId("power-confirm")).toBeNull());
    expect(commands.powerMachine).not.toHaveBeenCalled();

    await fireEvent.click(within(await rowOf("db-1")).getByTestId("action-reboot"));
    const ask = await screen.findByTestId("power-confirm");
    expect(ask.textContent).toContain("Reboot db-1?");
    await fireEvent.click(within(ask).getByTestId("power-confirm-dont-ask"));
    await fireEvent.click(within(ask).getByTestId("power-confirm-yes"));
    await waitFor(() => expect(commands.setAskBeforePower).toHaveBeenCalledWith(false));
    await waitFor(() => expect(commands.powerMachine).toHaveBeenCalledWith("demo-do", "2", "reboot"));

    await waitFor(async () => expect(within(await rowOf("web-1")).queryByTestId("row-busy")).toBeNull());
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-power-off"));
    expect(screen.queryByTestId("power-confirm")).toBeNull();
    await waitFor(() => expect(commands.powerMachine).toHaveBeenCalledWith("demo-do", "1", "powerOff"));
  });

  it("bulk: shift-click selects a range; one confirmation lists them and each gets its result", async () => {
    commands.bulkAction.mockResolvedValue(
      ok({
        outcomes: [
          { accountId: "demo-do", machineId: "1", machine: view({ ...web, status: "off" }), error: null },
          { accountId: "demo-do", machineId: "2", machine: null, error: { kind: "provider", message: "DigitalOcean failed (500)" } },
          { accountId: "demo-do", machineId: "3", machine: view({ ...foreign, status: "off" }), error: null },
        ],
      }),
    );
    render(MachinesScreen);
    // The screen's first action creates; destroying goes through a selection.
    expect(screen.getByTestId("create-machine").getAttribute("href")).toBe("#/create");
    expect(screen.queryByTestId("destroy-session")).toBeNull();
    expect(screen.queryByTestId("bulk-bar")).toBeNull();
    // Rows are sorted by name: db-1, legacy, web-1.
    await fireEvent.click(within(await rowOf("db-1")).getByTestId("select-row"));
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("select-row"), { shiftKey: true });
    expect((await screen.findByTestId("bulk-count")).textContent).toBe("3 selected");
    await fireEvent.click(screen.getByTestId("bulk-power-off"));
    const dialog = await screen.findByTestId("bulk-dialog");
    expect(dialog.textContent).toContain("Power off 3 machines?");
    expect(within(dialog).getByTestId("bulk-machines").textContent).toMatch(/db-1.*legacy.*web-1/s);
    await fireEvent.click(within(dialog).getByTestId("bulk-confirm"));
    expect(commands.bulkAction).toHaveBeenCalledWith([{ accountId: "demo-do", ids: ["2", "3", "1"] }], {
      kind: "power",
      action: "powerOff",
    });
    await waitFor(() => expect(within(dialog).getAllByTestId("bulk-result")).toHaveLength(3));
    expect(dialog.textContent).toContain("1 of 3 failed");
    expect(dialog.textContent).toContain("db-1: DigitalOcean failed (500)");
    await waitFor(async () => expect((await rowOf("web-1")).querySelector("[data-testid=cell-status]")?.textContent).toContain("off"));

    // The header checkbox clears a full selection.
    await fireEvent.click(within(dialog).getByTestId("bulk-confirm"));
    await fireEvent.click(screen.getByTestId("select-all"));
    expect(screen.queryByTestId("bulk-bar")).toBeNull();
  });

  it("bulk tags: the core's refusal of a reserved tag is shown and nothing changes", async () => {
    commands.bulkAction.mockResolvedValue({
      status: "error",
      error: { kind: "validation", message: "tag `machine:x` starts with the reserved prefix `machine:`" },
    });
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("select-row"));
    await fireEvent.click(await screen.findByTestId("bulk-tag"));
    const dialog = await screen.findByTestId("bulk-dialog");
    expect((within(dialog).getByTestId("bulk-confirm") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(within(dialog).getByTestId("bulk-tags"), { target: { value: "machine:x, team-a" } });
    await fireEvent.click(within(dialog).getByTestId("bulk-confirm"));
    expect(commands.bulkAction).toHaveBeenCalledWith([{ accountId: "demo-do", ids: ["1"] }], {
      kind: "tags",
      add: ["machine:x", "team-a"],
      remove: [],
    });
    expect((await within(dialog).findByTestId("bulk-error")).textContent).toContain("reserved prefix");
  });

  it("reports a core error in words", async () => {
    commands.powerMachine.mockResolvedValue({ status: "error", error: { kind: "provider", message: "DigitalOcean failed (500)" } });
    render(MachinesScreen);
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-reboot"));
    await fireEvent.click(await screen.findByTestId("power-confirm-yes"));
    await waitFor(() => expect(toasts.at(-1)?.text).toBe("Could not reboot web-1: DigitalOcean failed (500)"));
    expect(toasts.at(-1)?.tone).toBe("bad");
  });
});

describe("Power actions the cloud finishes later", () => {
  beforeEach(() => {
    for (const f of Object.values(commands)) f.mockReset();
    toasts.splice(0, toasts.length);
    resetPowerPrefs();
    commands.settingsInfo.mockResolvedValue(ok({ askBeforePower: true }));
    commands.setAskBeforePower.mockResolvedValue(ok(null));
    commands.listAccounts.mockResolvedValue(ok(accounts));
    commands.listMachines.mockResolvedValue(ok(listing([web, db])));
    commands.machineChecks.mockResolvedValue(ok({ accounts: [] }));
  });

  it("follows only that machine until it reaches the new status", async () => {
    // Accepted: still active right after the call, off on the second refresh.
    commands.powerMachine.mockResolvedValue(ok(view(web)));
    commands.refreshMachines
      .mockResolvedValueOnce(ok(perAccount({ machines: [view(web)], gone: [], problems: [] })))
      .mockResolvedValue(ok(perAccount({ machines: [view({ ...web, status: "off" })], gone: [], problems: [] })));
    // The user said "Don't ask again" before: no confirmation.
    commands.settingsInfo.mockResolvedValue(ok({ askBeforePower: false }));
    render(MachinesScreen, { props: { refreshMs: 20 } });
    await fireEvent.click(within(await rowOf("web-1")).getByTestId("action-power-off"));
    expect(screen.queryByTestId("power-confirm")).toBeNull();
    await waitFor(() => expect(toasts.at(-1)?.text).toContain("waiting for it to be off"));
    await waitFor(async () => expect((await rowOf("web-1")).querySelector("[data-testid=cell-status]")?.textContent).toContain("off"));
    expect(commands.refreshMachines).toHaveBeenCalledWith([{ accountId: "demo-do", ids: ["1"] }]);
    await waitFor(() => expect(toasts.at(-1)?.text).toBe("web-1 is now off."));
    const calls = commands.refreshMachines.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(commands.refreshMachines.mock.calls.length).toBe(calls);
  });
});
