import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type {
  AccountList_Serialize,
  MachineListing_Serialize,
  MachineView_Serialize,
  Machine_Serialize,
} from "../lib/bindings";

const listAccounts = vi.fn();
const listMachines = vi.fn();
const refreshMachines = vi.fn();
const machineChecks = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    listAccounts: () => listAccounts(),
    listMachines: (channel: unknown) => listMachines(channel),
    refreshMachines: (targets: unknown) => refreshMachines(targets),
    machineChecks: () => machineChecks(),
    providerList: async () => [
      { kind: "digitalocean", displayName: "DigitalOcean" },
      { kind: "vultr", displayName: "Vultr" },
    ],
  },
}));
vi.mock("@tauri-apps/api/core", () => ({
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

import MachinesScreen from "./MachinesScreen.svelte";

function machine(id: string, name: string, over: Partial<Machine_Serialize> = {}): Machine_Serialize {
  return {
    id,
    name,
    tags: [],
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

/** The machine as the core lists it; what it read from the tags is given, not parsed here. */
function view(m: Machine_Serialize, over: Partial<MachineView_Serialize> = {}): MachineView_Serialize {
  return { machine: m, createdByHangar: false, machineType: null, session: null, inSession: false, userTags: m.tags, protected: false, ...over };
}

const accounts: AccountList_Serialize = {
  accounts: [
    { id: "demo-do", label: "Demo DigitalOcean", provider: "digitalocean", simulated: true, key: null, baseUrl: null, error: null, importedTypes: [] },
    { id: "demo-vu", label: "Demo Vultr", provider: "vultr", simulated: true, key: null, baseUrl: null, error: null, importedTypes: [] },
  ],
  problem: null,
};

const views = (ms: (Machine_Serialize | MachineView_Serialize)[]) => ms.map((m) => ("machine" in m ? m : view(m)));

function listing(
  doMachines: (Machine_Serialize | MachineView_Serialize)[],
  vultr: (Machine_Serialize | MachineView_Serialize)[] | string,
): MachineListing_Serialize {
  return {
    sessionId: "demo0001",
    accounts: [
      { accountId: "demo-do", result: views(doMachines), error: null },
      typeof vultr === "string"
        ? { accountId: "demo-vu", result: null, error: { kind: "auth", message: vultr } }
        : { accountId: "demo-vu", result: views(vultr), error: null },
    ],
  };
}

type Channel = { onmessage: ((m: MachineListing_Serialize) => void) | null };

const ok = <T>(data: T) => ({ status: "ok", data });

describe("MachinesScreen", () => {
  beforeEach(() => {
    listAccounts.mockReset();
    listMachines.mockReset();
    refreshMachines.mockReset();
    machineChecks.mockReset();
    listAccounts.mockResolvedValue(ok(accounts));
    machineChecks.mockResolvedValue(ok({ accounts: [] }));
  });

  it("shows a skeleton, then the machines of every account with the simulated label", async () => {
    listMachines.mockResolvedValue(
      ok(
        listing(
          [
            view(machine("1", "web-1", { tags: ["machine:created", "machine:type:web", "prod"] }), {
              createdByHangar: true,
              machineType: "web",
              userTags: ["prod"],
            }),
          ],
          [machine("2", "edge-ewr", { region: "ewr" })],
        ),
      ),
    );
    render(MachinesScreen);
    expect(screen.getByTestId("machines-loading")).toBeTruthy();
    const rows = await screen.findAllByTestId("machine-row");
    expect(rows.map((r) => r.querySelector("[data-testid=cell-name]")?.textContent)).toEqual(["edge-ewr", "web-1"]);
    expect(screen.getByTestId("simulated-banner").textContent).toContain("Simulated — nothing is billed");
    expect(screen.getByTestId("simulated-banner").textContent).toContain("Add an account to manage real machines");
    const web = rows[1]!;
    expect(web.querySelector("[data-testid=cell-type]")?.textContent).toBe("web");
    expect(web.querySelector("[data-testid=cell-ip]")?.textContent?.trim()).toBe("192.0.2.1");
    expect(web.textContent).toContain("prod");
    expect(web.textContent).not.toContain("machine:created");
  });

  it("beside a real account, the demo banner does not ask to add one", async () => {
    listAccounts.mockResolvedValue(
      ok({
        ...accounts,
        accounts: [...accounts.accounts, { id: "work", label: "Work", provider: "digitalocean", simulated: false, key: null, baseUrl: null, error: null, importedTypes: [] }],
      }),
    );
    listMachines.mockResolvedValue(ok(listing([machine("1", "web-1")], [])));
    render(MachinesScreen);
    const banner = await screen.findByTestId("simulated-banner");
    expect(banner.textContent).toContain("Simulated — nothing is billed");
    expect(banner.textContent).not.toContain("Add an account");
  });

  it("filters by text and sorts by a header", async () => {
    listMachines.mockResolvedValue(
      ok(listing([machine("1", "web-1"), machine("3", "db-1")], [machine("2", "edge-ewr", { region: "ewr" })])),
    );
    render(MachinesScreen);
    await screen.findAllByTestId("machine-row");
    await fireEvent.input(screen.getByTestId("filter-text"), { target: { value: "ewr" } });
    await waitFor(() => expect(screen.getAllByTestId("machine-row")).toHaveLength(1));
    expect(screen.getByTestId("machines-summary").textContent).toContain("1 of 3");

    await fireEvent.input(screen.getByTestId("filter-text"), { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("sort-name"));
    await waitFor(() =>
      expect(
        screen.getAllByTestId("machine-row").map((r) => r.querySelector("[data-testid=cell-name]")?.textContent),
      ).toEqual(["web-1", "edge-ewr", "db-1"]),
    );
    expect(screen.getByTestId("sort-name").closest("th")?.getAttribute("aria-sort")).toBe("descending");
  });

  it("shows one account's error in place and still lists the others", async () => {
    listMachines.mockResolvedValue(ok(listing([machine("1", "web-1")], "Vultr rejected the credentials: check the token")));
    render(MachinesScreen);
    const alert = await screen.findByTestId("account-error");
    expect(alert.textContent).toContain("Demo Vultr");
    expect(alert.textContent).toContain("rejected the credentials");
    expect(screen.getByTestId("account-errors").textContent).toContain("One account could not be listed; the others are below");
    expect(screen.getAllByTestId("machine-row")).toHaveLength(1);
    // Retry lists again.
    listMachines.mockResolvedValue(ok(listing([machine("1", "web-1")], [machine("2", "edge-ewr")])));
    await fireEvent.click(screen.getByTestId("account-retry"));
    await waitFor(() => expect(screen.getAllByTestId("machine-row")).toHaveLength(2));
    expect(screen.queryByTestId("account-errors")).toBeNull();
  });

  it("when no account could be listed, says what to do instead of an empty table", async () => {
    listMachines.mockResolvedValue(
      ok({
        sessionId: "demo0001",
        accounts: [
          { accountId: "demo-do", result: null, error: { kind: "network", message: "could not reach DigitalOcean" } },
          { accountId: "demo-vu", result: null, error: { kind: "auth", message: "Vultr rejected the credentials" } },
        ],
      }),
    );
    render(MachinesScreen);
    const empty = await screen.findByTestId("machines-unreachable");
    expect(empty.textContent).toContain("No account could be listed");
    expect(within(empty).getAllByTestId("account-error")).toHaveLength(2);
    expect(empty.textContent).toContain("Accounts screen");
    expect(screen.queryByTestId("account-errors")).toBeNull();
    expect(screen.queryByTestId("machines-empty")).toBeNull();
  });

  it("says how to create the first machine when there is none", async () => {
    listMachines.mockResolvedValue(ok(listing([], [])));
    render(MachinesScreen);
    const empty = await screen.findByTestId("machines-empty");
    expect(empty.textContent).toContain("Create your first machine");
  });

  it("refreshes only the machines in transition, and stops once none is", async () => {
    listMachines.mockResolvedValue(
      ok(listing([machine("1", "web-1", { status: "new", ipv4: null }), machine("2", "db-1")], [])),
    );
    const refreshed = (m: Machine_Serialize) =>
      ok({ accounts: [{ accountId: "demo-do", result: { machines: [view(m)], gone: [], problems: [] }, error: null }] });
    // Still provisioning after the first refresh: the timer must be re-armed.
    refreshMachines
      .mockResolvedValueOnce(refreshed(machine("1", "web-1", { status: "new", ipv4: null })))
      .mockResolvedValue(refreshed(machine("1", "web-1")));
    machineChecks.mockResolvedValue(
      ok({
        accounts: [
          {
            accountId: "demo-do",
            result: [{ id: "1", name: "web-1", ip: "192.0.2.1", machineStatus: "active", checkStatus: "done" }],
            error: null,
          },
        ],
      }),
    );
    render(MachinesScreen, { props: { refreshMs: 20 } });
    await screen.findAllByTestId("machine-row");
    const web = () => screen.getAllByTestId("machine-row").find((r) => r.textContent?.includes("web-1"))!;
    expect(web().querySelector("[data-testid=cell-status]")?.textContent).toContain("new");
    await waitFor(() => expect(web().querySelector("[data-testid=cell-status]")?.textContent).toContain("active"));
    expect(web().querySelector("[data-testid=cell-ip]")?.textContent?.trim()).toBe("192.0.2.1");
    // Only the machine in transition was asked for, and the full list only once.
    expect(refreshMachines).toHaveBeenCalledWith([{ accountId: "demo-do", ids: ["1"] }]);
    expect(refreshMachines.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(listMachines).toHaveBeenCalledTimes(1);
    const calls = refreshMachines.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(refreshMachines.mock.calls.length).toBe(calls);
    // The machine that came up shows its cloud-init check.
    await waitFor(() => expect(web().querySelector("[data-testid=cell-check]")?.textContent).toBe("done"));
  });

  it("shows an unknown cloud-init check as a dash", async () => {
    listMachines.mockResolvedValue(ok(listing([machine("1", "web-1")], [])));
    machineChecks.mockResolvedValue(
      ok({
        accounts: [
          { accountId: "demo-do", result: [{ id: "1", name: "web-1", ip: null, machineStatus: "active", checkStatus: "UNKNOWN" }], error: null },
        ],
      }),
    );
    render(MachinesScreen);
    const cell = await screen.findByTestId("cell-check");
    await waitFor(() => expect(cell.getAttribute("title")).toContain("unknown"));
    expect(cell.textContent).toBe("—");
  });

  it("reports a failed listing instead of an empty table", async () => {
    listMachines.mockResolvedValue({ status: "error", error: { kind: "internal", message: "backend gone" } });
    render(MachinesScreen);
    const alert = await screen.findByTestId("load-error");
    expect(alert.textContent).toContain("backend gone");
    expect(screen.queryByTestId("machines-empty")).toBeNull();
  });

  it("renders only a window of rows for a large fleet", async () => {
    const many = Array.from({ length: 2000 }, (_, i) => machine(String(i), `m-${String(i).padStart(4, "0")}`));
    listMachines.mockResolvedValue(ok(listing(many, [])));
    render(MachinesScreen);
    const rows = await screen.findAllByTestId("machine-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(screen.getByTestId("machines-summary").textContent).toContain("2000 machines");
  });

  it("copies a public IP to the clipboard on click", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    listMachines.mockResolvedValue(ok(listing([machine("7", "web-1")], [])));
    render(MachinesScreen);
    const ip = await screen.findByRole("button", { name: "Copy IP address 192.0.2.7" });
    await fireEvent.click(ip);
    expect(writeText).toHaveBeenCalledWith("192.0.2.7");
    await waitFor(() => expect(ip.textContent).toBe("Copied"));
  });

  it("says so when the clipboard refuses", async () => {
    const writeText = vi.fn().mockRejectedValue(new Error("not allowed"));
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    listMachines.mockResolvedValue(ok(listing([machine("7", "web-1")], [])));
    render(MachinesScreen);
    await fireEvent.click(await screen.findByRole("button", { name: "Copy IP address 192.0.2.7" }));
    expect((await screen.findByText(/Could not copy 192.0.2.7/)).textContent).toContain("not allowed");
  });

  it("lists again when Refresh is pressed", async () => {
    listMachines.mockResolvedValueOnce(ok(listing([machine("1", "web-1")], [])));
    listMachines.mockResolvedValue(ok(listing([machine("1", "web-1"), machine("2", "web-2")], [])));
    render(MachinesScreen);
    expect(await screen.findAllByTestId("machine-row")).toHaveLength(1);
    await fireEvent.click(screen.getByTestId("refresh"));
    await waitFor(() => expect(screen.getAllByTestId("machine-row")).toHaveLength(2));
    expect(screen.getByTestId("refresh").textContent).toBe("Refresh");
  });

  it("shows each account's machines as it answers, before the listing ends", async () => {
    let channel: Channel | null = null;
    let finish: (v: unknown) => void = () => {};
    const full = listing([machine("1", "web-1")], [machine("2", "edge-ewr", { region: "ewr" })]);
    const [doAccount, vultrAccount] = full.accounts;
    listMachines.mockImplementation((ch: Channel) => {
      channel = ch;
      // DigitalOcean answers at once, even before the accounts are known.
      ch.onmessage?.({ sessionId: "demo0001", accounts: [doAccount!] });
      return new Promise((r) => (finish = r));
    });
    render(MachinesScreen);
    const names = () =>
      screen.queryAllByTestId("machine-row").map((r) => r.querySelector("[data-testid=cell-name]")?.textContent);
    await waitFor(() => expect(names()).toEqual(["web-1"]));
    expect(screen.getByTestId("machines-waiting").textContent).toContain("Demo Vultr");
    expect(screen.queryByTestId("machines-empty")).toBeNull();

    channel!.onmessage?.({ sessionId: "demo0001", accounts: [vultrAccount!] });
    await waitFor(() => expect(names()).toEqual(["edge-ewr", "web-1"]));
    expect(screen.queryByTestId("machines-waiting")).toBeNull();
    // The checks wait for the whole listing.
    expect(machineChecks).not.toHaveBeenCalled();

    finish(ok(full));
    await waitFor(() => expect(machineChecks).toHaveBeenCalled());
    expect(names()).toEqual(["edge-ewr", "web-1"]);
    expect(screen.getByTestId("refresh").textContent).toBe("Refresh");
  });

  it("keeps the skeleton while the first account to answer has no machine and others are pending", async () => {
    let channel: Channel | null = null;
    const full = listing([], [machine("2", "edge-ewr")]);
    listMachines.mockImplementation((ch: Channel) => {
      channel = ch;
      return new Promise(() => {});
    });
    render(MachinesScreen);
    await waitFor(() => expect(channel).not.toBeNull());
    await waitFor(() => expect(listAccounts).toHaveBeenCalled());
    channel!.onmessage?.({ sessionId: "demo0001", accounts: [full.accounts[0]!] });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("machines-loading")).toBeTruthy();
    expect(screen.queryByTestId("machines-empty")).toBeNull();
    channel!.onmessage?.({ sessionId: "demo0001", accounts: [full.accounts[1]!] });
    expect(await screen.findAllByTestId("machine-row")).toHaveLength(1);
  });

  it("on Refresh, replaces an account's rows when it answers and keeps the others until theirs", async () => {
    listMachines.mockResolvedValueOnce(ok(listing([machine("1", "web-1")], [machine("2", "edge-ewr")])));
    render(MachinesScreen);
    expect(await screen.findAllByTestId("machine-row")).toHaveLength(2);
    let channel: Channel | null = null;
    listMachines.mockImplementation((ch: Channel) => {
      channel = ch;
      return new Promise(() => {});
    });
    await fireEvent.click(screen.getByTestId("refresh"));
    await waitFor(() => expect(channel).not.toBeNull());
    const again = listing([machine("1", "web-1"), machine("3", "web-3")], []);
    channel!.onmessage?.({ sessionId: "demo0001", accounts: [again.accounts[0]!] });
    const names = () =>
      screen.getAllByTestId("machine-row").map((r) => r.querySelector("[data-testid=cell-name]")?.textContent);
    await waitFor(() => expect(names()).toEqual(["edge-ewr", "web-1", "web-3"]));
    expect(screen.getByTestId("refresh").textContent).toBe("Refreshing…");
  });
});
