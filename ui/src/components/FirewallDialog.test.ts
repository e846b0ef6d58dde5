import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { FirewallPanel_Serialize, GrantView } from "../lib/bindings";

const commands = vi.hoisted(() => ({
  firewallPanel: vi.fn(),
  firewallAllowMe: vi.fn(),
  firewallRevoke: vi.fn(),
}));
vi.mock("../lib/bindings", () => ({ commands }));

import FirewallDialog from "./FirewallDialog.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });
const NOW = Math.floor(Date.now() / 1000);

function grant(id: string, source: string, expiresAt: number): GrantView {
  return {
    accountId: "demo-do",
    accountLabel: "Demo DigitalOcean",
    grant: { id, machineId: "500000001", source, port: 22, expiresAt, label: `hangar-ssh-500000001-until-${expiresAt}` },
    secondsLeft: Math.max(0, expiresAt - NOW),
  };
}

function panel(over: Partial<FirewallPanel_Serialize> = {}): FirewallPanel_Serialize {
  return {
    supported: true,
    note: "DigitalOcean: while a Droplet is in any cloud firewall, it drops all inbound traffic that no firewall allows.",
    myIp: "203.0.113.254",
    myIpProblem: null,
    myIpUrl: "http://127.0.0.1:4000/my-ip",
    grants: [],
    defaultMinutes: 60,
    minMinutes: 1,
    maxMinutes: 10080,
    ...over,
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
  return render(FirewallDialog, {
    accountId: "demo-do",
    machineId: "500000001",
    machineName: "web-1",
    ondone: props.ondone ?? (() => {}),
    onclose: props.onclose ?? (() => {}),
  });
}

describe("the firewall dialog", () => {
  it("shows the detected address, the provider's note and the grants with their time left", async () => {
    commands.firewallPanel.mockResolvedValue(
      ok(panel({ grants: [grant("fw-1", "203.0.113.254/32", NOW + 3900), grant("fw-2", "198.51.100.3/32", NOW - 5)] })),
    );
    open();
    expect((await screen.findByTestId("firewall-address")).textContent).toContain("203.0.113.254");
    expect(commands.firewallPanel).toHaveBeenCalledWith("demo-do", "500000001");
    expect(screen.getByTestId("firewall-note").textContent).toContain("drops all inbound traffic");
    const left = screen.getAllByTestId("firewall-left").map((l) => l.textContent);
    expect(left[0]).toMatch(/^1h 0[45]m left$/);
    expect(left[1]).toBe("expired, removed at the next sweep");
    expect(screen.getByTestId("firewall-allow").textContent).toContain("Allow SSH from 203.0.113.254");
    expect((screen.getByTestId("firewall-duration") as HTMLSelectElement).value).toBe("60");
  });

  it("grants for the chosen duration, then lists the new grant", async () => {
    const g = grant("fw-9", "203.0.113.254/32", NOW + 7200);
    commands.firewallPanel.mockResolvedValueOnce(ok(panel())).mockResolvedValueOnce(ok(panel({ grants: [g] })));
    commands.firewallAllowMe.mockResolvedValue(ok(g));
    const ondone = vi.fn();
    const onclose = vi.fn();
    open({ ondone, onclose });
    expect(await screen.findByTestId("firewall-none")).toBeTruthy();
    await fireEvent.change(screen.getByTestId("firewall-duration"), { target: { value: "120" } });
    await fireEvent.click(screen.getByTestId("firewall-allow"));
    await waitFor(() => expect(commands.firewallAllowMe).toHaveBeenCalledWith("demo-do", "500000001", 120));
    expect(await screen.findByTestId("firewall-grant")).toBeTruthy();
    expect(ondone).toHaveBeenCalledWith(true, "SSH to web-1 allowed from 203.0.113.254/32 for 2 hours");
    await fireEvent.click(screen.getByTestId("firewall-close"));
    await waitFor(() => expect(onclose).toHaveBeenCalledWith(true));
  });

  it("revokes a grant, and says why when it fails", async () => {
    const g = grant("fw-1", "203.0.113.254/32", NOW + 600);
    commands.firewallPanel.mockResolvedValueOnce(ok(panel({ grants: [g] }))).mockResolvedValueOnce(ok(panel()));
    commands.firewallRevoke.mockResolvedValueOnce({ status: "error", error: { kind: "provider", message: "DigitalOcean had a server error" } });
    const ondone = vi.fn();
    open({ ondone });
    await fireEvent.click(await screen.findByTestId("firewall-revoke"));
    expect((await screen.findByTestId("firewall-error")).textContent).toContain("server error");
    expect(ondone).toHaveBeenLastCalledWith(false, expect.stringContaining("Revoking SSH from 203.0.113.254/32 failed"));
    commands.firewallRevoke.mockResolvedValueOnce(ok(g));
    await fireEvent.click(screen.getByTestId("firewall-revoke"));
    expect(await screen.findByTestId("firewall-none")).toBeTruthy();
    expect(commands.firewallRevoke).toHaveBeenLastCalledWith("demo-do", "fw-1");
    expect(ondone).toHaveBeenLastCalledWith(true, "SSH from 203.0.113.254/32 to web-1 revoked");
  });

  it("cannot grant while the address is unknown, and says why", async () => {
    commands.firewallPanel.mockResolvedValue(
      ok(panel({ myIp: null, myIpProblem: { kind: "network", message: "could not ask https://api.ipify.org for this computer's public address" } })),
    );
    open();
    expect((await screen.findByTestId("firewall-address")).textContent).toContain("could not ask https://api.ipify.org");
    expect((screen.getByTestId("firewall-allow") as HTMLButtonElement).disabled).toBe(true);
  });

  it("says when the provider has no firewall", async () => {
    commands.firewallPanel.mockResolvedValue(ok(panel({ supported: false, note: null, myIp: null })));
    open();
    expect(await screen.findByTestId("firewall-unsupported")).toBeTruthy();
    expect((screen.getByTestId("firewall-allow") as HTMLButtonElement).disabled).toBe(true);
  });
});
