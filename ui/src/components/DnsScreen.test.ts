import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountList_Serialize, DnsRow_Serialize, ZoneListing_Serialize, ZoneRecords_Serialize } from "../lib/bindings";

const dnsZones = vi.fn();
const dnsRecords = vi.fn();
const dnsCreateRecord = vi.fn();
const dnsUpdateRecord = vi.fn();
const dnsDeleteRecord = vi.fn();
const checkDnsRecord = vi.fn();
const listAccounts = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    dnsZones: () => dnsZones(),
    listAccounts: () => listAccounts(),
    checkDnsRecord: (spec: unknown) => checkDnsRecord(spec),
    dnsRecordHints: async () => [],
    providerList: async () => [
      { kind: "digitalocean", displayName: "DigitalOcean" },
      { kind: "vultr", displayName: "Vultr" },
    ],
    dnsRecords: (a: string, z: string) => dnsRecords(a, z),
    dnsCreateRecord: (...args: unknown[]) => dnsCreateRecord(...args),
    dnsUpdateRecord: (...args: unknown[]) => dnsUpdateRecord(...args),
    dnsDeleteRecord: (...args: unknown[]) => dnsDeleteRecord(...args),
  },
}));
const toast = vi.fn();
vi.mock("../lib/toasts.svelte", () => ({
  toast: (...args: unknown[]) => toast(...args),
  errorText: (e: unknown) => (e && typeof e === "object" && "message" in e ? String(e.message) : String(e)),
}));

import DnsScreen from "./DnsScreen.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

const zones: ZoneListing_Serialize = {
  accounts: [
    {
      accountId: "do",
      result: { accountLabel: "Demo DigitalOcean", provider: "digitalocean", simulated: true, zones: ["example.com"] },
      error: null,
    },
    { accountId: "vu", result: null, error: { kind: "auth", message: "The token was refused (401)." } },
  ],
};

const accountList: AccountList_Serialize = {
  accounts: [
    { id: "do", label: "Demo DigitalOcean", provider: "digitalocean", simulated: true, key: null, baseUrl: null, error: null, importedTypes: [] },
    { id: "vu", label: "Work Vultr", provider: "vultr", simulated: false, key: null, baseUrl: null, error: null, importedTypes: [] },
  ],
  problem: null,
};

function row(id: string, type: string, name: string, data: string, machine: string | null, inSession = false, caution: string | null = null): DnsRow_Serialize {
  return {
    record: {
      id,
      machine: machine ? { id: machine, name: machine, tags: [], region: "nyc3", ip: data, type: "web" } : null,
      name,
      fqdn: name === "@" ? "example.com" : `${name}.example.com`,
      zone: "example.com",
      data,
      ttl: 300,
      type,
      priority: null,
      port: null,
      weight: null,
      flags: null,
      tag: null,
    },
    machineAccountId: machine ? "do" : null,
    machineAccountLabel: machine ? "Demo DigitalOcean" : null,
    inSession,
    caution,
  };
}

const records = (rows: DnsRow_Serialize[]): ZoneRecords_Serialize => ({
  accountId: "do",
  zone: "example.com",
  sessionId: "demo0001",
  rows,
  machineErrors: [],
});

const fleetRows = [
  row("1", "A", "web-1", "192.0.2.5", "web-1", true),
  row("2", "A", "ci", "192.0.2.9", "ci-runner"),
  row("3", "TXT", "@", "v=spf1 mx -all", null),
  row("4", "SOA", "@", "1800", null),
];

const names = () => screen.queryAllByTestId("dns-row").map((r) => r.getAttribute("data-name"));
const rowOf = (name: string, type?: string) =>
  screen.getAllByTestId("dns-row").find((r) => r.getAttribute("data-name") === name && (!type || r.getAttribute("data-type") === type))!;

describe("DnsScreen", () => {
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
    for (const f of [dnsZones, dnsRecords, dnsCreateRecord, dnsUpdateRecord, dnsDeleteRecord, checkDnsRecord, listAccounts, toast]) f.mockReset();
    listAccounts.mockResolvedValue(ok(accountList));
    checkDnsRecord.mockResolvedValue([]);
  });

  it("lists zones per account, opens the first, and labels records with their machine", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records(fleetRows)));
    render(DnsScreen);
    expect(screen.getByTestId("dns-zones-loading")).toBeTruthy();
    // By name, the apex first.
    await waitFor(() => expect(names()).toEqual(["@", "@", "ci", "web-1"]));
    expect(dnsRecords).toHaveBeenCalledWith("do", "example.com");
    expect(screen.getByTestId("dns-account-error").textContent).toBe("The token was refused (401).");
    // The failed account is named from the account list, with its provider.
    const failed = screen.getAllByTestId("dns-account")[1]!;
    expect(failed.textContent).toContain("Work Vultr");
    expect(failed.textContent).toContain("Vultr");
    const web = rowOf("web-1");
    expect(within(web).getByTestId("dns-machine").textContent).toContain("web-1");
    expect(within(web).getByTestId("dns-machine").textContent).toContain("this session");
    // SOA records are the provider's: no edit or delete.
    const soa = rowOf("@", "SOA");
    expect(within(soa).queryByTestId("dns-delete")).toBeNull();
    expect(within(soa).getByTestId("dns-value").textContent).toBe("Kept by the provider");
  });

  it("filters by type, text and this session's machines", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records(fleetRows)));
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(4));
    await fireEvent.change(screen.getByTestId("dns-filter-type"), { target: { value: "A" } });
    expect(names()).toEqual(["ci", "web-1"]);
    await fireEvent.click(screen.getByTestId("dns-filter-session"));
    expect(names()).toEqual(["web-1"]);
    await fireEvent.input(screen.getByTestId("dns-filter-text"), { target: { value: "nothing-like-this" } });
    expect(screen.getByTestId("dns-no-match")).toBeTruthy();
    await fireEvent.click(screen.getByTestId("dns-clear-filters"));
    expect(names()).toHaveLength(4);
    await fireEvent.input(screen.getByTestId("dns-filter-text"), { target: { value: "runner" } });
    expect(names()).toEqual(["ci"]);
  });

  it("refreshes the zones and the shown zone's records", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records(fleetRows)));
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(4));
    await fireEvent.click(screen.getByTestId("dns-refresh"));
    await waitFor(() => expect(dnsRecords).toHaveBeenCalledTimes(2));
    expect(dnsZones).toHaveBeenCalledTimes(2);
    expect((screen.getByTestId("dns-refresh") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows the empty states", async () => {
    dnsZones.mockResolvedValue(
      ok({ accounts: [{ ...zones.accounts[0]!, result: { ...zones.accounts[0]!.result!, zones: [] } }] }),
    );
    render(DnsScreen);
    await waitFor(() => expect(screen.getByTestId("dns-no-zones")).toBeTruthy());
    expect(dnsRecords).not.toHaveBeenCalled();
  });

  it("shows a zone without records as empty, and a records error in place", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValueOnce(ok(records([])));
    render(DnsScreen);
    await waitFor(() => expect(screen.getByTestId("dns-no-records")).toBeTruthy());
    dnsRecords.mockResolvedValueOnce({ status: "error", error: { kind: "network", message: "DigitalOcean could not be reached." } });
    await fireEvent.click(screen.getByTestId("dns-zone"));
    await waitFor(() => expect(screen.getByTestId("dns-records-error").textContent).toContain("could not be reached"));
  });

  it("adds a record, reports it, and reloads the table", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValueOnce(ok(records(fleetRows)));
    dnsCreateRecord.mockResolvedValue(ok({ id: "9" }));
    dnsRecords.mockResolvedValueOnce(ok(records([...fleetRows, row("9", "A", "new", "192.0.2.77", null)])));
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(4));
    await fireEvent.click(screen.getByTestId("dns-add"));
    await fireEvent.input(screen.getByTestId("dns-field-name"), { target: { value: "new" } });
    await fireEvent.input(screen.getByTestId("dns-field-data"), { target: { value: "192.0.2.77" } });
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    // In its place by name, not at the bottom.
    await waitFor(() => expect(names()).toEqual(["@", "@", "ci", "new", "web-1"]));
    // The core checked the record right before it was sent.
    expect(checkDnsRecord).toHaveBeenLastCalledWith(expect.objectContaining({ recordType: "A", name: "new", data: "192.0.2.77" }));
    expect(dnsCreateRecord).toHaveBeenCalledWith("do", "example.com", expect.objectContaining({ recordType: "A", name: "new", data: "192.0.2.77" }));
    expect(toast).toHaveBeenCalledWith("ok", "Added the A record new.example.com.");
    expect(toast).toHaveBeenCalledTimes(1);
    // The new record is highlighted.
    const added = screen.getAllByTestId("dns-row").find((r) => r.getAttribute("data-name") === "new")!;
    await waitFor(() => expect(added.classList.contains("fresh")).toBe(true));
    expect(screen.queryByTestId("dns-form")).toBeNull();
  });

  it("keeps the form open with the core's error when the provider refuses", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records(fleetRows)));
    dnsUpdateRecord.mockResolvedValue({ status: "error", error: { kind: "validation", message: "TTL 5 is out of range: use 30 to 2147483647 seconds" } });
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(4));
    await fireEvent.click(within(rowOf("web-1")).getByTestId("dns-edit"));
    expect((screen.getByTestId("dns-field-name") as HTMLInputElement).value).toBe("web-1");
    expect((screen.getByTestId("dns-field-type") as HTMLSelectElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    await waitFor(() => expect(screen.getByTestId("dns-form-error").textContent).toContain("out of range"));
    expect(dnsUpdateRecord).toHaveBeenCalledWith("do", "example.com", "1", expect.objectContaining({ name: "web-1" }));
    expect(toast).toHaveBeenCalledWith("bad", "Could not save the A record web-1.example.com.");
  });

  it("deletes only after confirming, with the buttons disabled meanwhile", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records(fleetRows)));
    let finish!: (v: unknown) => void;
    dnsDeleteRecord.mockReturnValue(new Promise((r) => (finish = r)));
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(4));
    await fireEvent.click(within(rowOf("ci")).getByTestId("dns-delete"));
    expect(dnsDeleteRecord).not.toHaveBeenCalled();
    expect(screen.getByTestId("dns-delete-dialog").textContent).toContain("ci.example.com");
    await fireEvent.click(screen.getByTestId("dns-confirm-delete"));
    expect(dnsDeleteRecord).toHaveBeenCalledWith("do", "example.com", "2");
    expect((screen.getByTestId("dns-confirm-delete") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getAllByTestId("dns-delete").every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    finish(ok(null));
    await waitFor(() => expect(toast).toHaveBeenCalledWith("ok", "Deleted the A record ci.example.com."));
  });

  it("sorts by a column header, reversed on a second click", async () => {
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records(fleetRows)));
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(4));
    await fireEvent.click(screen.getByTestId("dns-sort-type"));
    expect(screen.getAllByTestId("dns-row").map((r) => r.getAttribute("data-type"))).toEqual(["A", "A", "SOA", "TXT"]);
    expect(screen.getByTestId("dns-sort-type").closest("th")!.getAttribute("aria-sort")).toBe("ascending");
    await fireEvent.click(screen.getByTestId("dns-sort-type"));
    expect(screen.getAllByTestId("dns-row").map((r) => r.getAttribute("data-type"))).toEqual(["TXT", "SOA", "A", "A"]);
    expect(screen.getByTestId("dns-sort-type").closest("th")!.getAttribute("aria-sort")).toBe("descending");
  });

  it("marks an apex NS record and repeats its caution before deleting it", async () => {
    const caution = "This is a name server record at the apex of example.com: … stop resolving.";
    dnsZones.mockResolvedValue(ok(zones));
    dnsRecords.mockResolvedValue(ok(records([...fleetRows, row("5", "NS", "@", "ns1.example.net.", null, false, caution)])));
    render(DnsScreen);
    await waitFor(() => expect(names()).toHaveLength(5));
    const ns = rowOf("@", "NS");
    expect(within(ns).getByTestId("dns-caution").getAttribute("title")).toBe(caution);
    expect(within(rowOf("ci")).queryByTestId("dns-caution")).toBeNull();
    await fireEvent.click(within(ns).getByTestId("dns-delete"));
    expect(screen.getByTestId("dns-delete-caution").textContent).toBe(caution);
    expect(dnsDeleteRecord).not.toHaveBeenCalled();
  });
});
