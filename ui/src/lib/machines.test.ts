import { describe, expect, it } from "vitest";
import type { AccountSummary, MachineListing_Serialize, MachineView_Serialize, Machine_Serialize } from "./bindings";
import {
  facets,
  filterRows,
  inTransition,
  mergeAccount,
  mergeRefreshed,
  nextSort,
  noFilters,
  relativeTime,
  sessionMachines,
  sortRows,
  statusName,
  toRows,
  visibleRange,
  withMachine,
  type MachineRow, checkLabel, confirmsName, destroySummary, sshCommand, sshUserNote } from "./machines";

function machine(over: Partial<Machine_Serialize>): Machine_Serialize {
  return {
    id: "1",
    name: "m",
    tags: [],
    region: "nyc3",
    ipv4: null,
    ipv6: null,
    privateIpv4: null,
    status: "active",
    size: "s-1vcpu-1gb",
    image: "ubuntu-24-04-x64",
    imageName: null,
    createdAt: "2026-01-01T00:00:00Z",
    priceMonthly: null,
    ...over,
  };
}

/** A machine as the core reports it: what it read from the tags is given, not parsed here. */
function view(m: Machine_Serialize, over: Partial<MachineView_Serialize> = {}): MachineView_Serialize {
  return { machine: m, createdByHangar: false, machineType: null, session: null, inSession: false, userTags: m.tags, protected: false, ...over };
}

/** What the core reads from Hangar's tags, for a machine created by Hangar. */
function hangar(type: string, session: string, inSession: boolean, userTags: string[] = []) {
  return { createdByHangar: true, machineType: type, session, inSession, userTags };
}

const accounts: AccountSummary[] = [
  { id: "do", label: "Work DO", provider: "digitalocean", simulated: false, importedTypes: [] },
  { id: "vu", label: "Demo Vultr", provider: "vultr", simulated: true, importedTypes: [] },
];

const listing: MachineListing_Serialize = {
  sessionId: "aaaa0001",
  accounts: [
    {
      accountId: "do",
      error: null,
      result: [
        view(
          machine({
            id: "11",
            name: "web-10",
            ipv4: "192.0.2.10",
            tags: ["machine:created", "machine:session:aaaa0001", "machine:type:web", "prod"],
            createdAt: "2026-01-01T10:00:00Z",
          }),
          hangar("web", "aaaa0001", true, ["prod"]),
        ),
        view(
          machine({
            id: "12",
            name: "web-2",
            ipv4: "192.0.2.9",
            region: "ams3",
            tags: ["machine:created", "machine:session:bbbb0002", "machine:type:web"],
            createdAt: "2026-01-01T08:00:00Z",
          }),
          hangar("web", "bbbb0002", false),
        ),
        view(machine({ id: "13", name: "legacy", status: "new", region: "ams3", createdAt: "2026-01-01T12:00:00Z" })),
      ],
    },
    {
      accountId: "vu",
      error: null,
      result: [
        view(
          machine({
            id: "abc",
            name: "db",
            region: "ewr",
            ipv4: "198.51.100.2",
            status: { unknown: "resizing" },
            tags: ["machine:created", "machine:session:aaaa0001", "machine:type:db", "staging"],
          }),
          hangar("db", "aaaa0001", true, ["staging"]),
        ),
      ],
    },
  ],
};

const rows: MachineRow[] = toRows(listing, accounts).rows;
const names = (rs: MachineRow[]) => rs.map((r) => r.machine.name);

describe("toRows", () => {
  it("joins machines to their accounts and keeps what the core read from their tags", () => {
    expect(rows).toHaveLength(4);
    const db = rows.find((r) => r.machine.name === "db");
    expect(db).toMatchObject({
      key: "vu/abc",
      accountLabel: "Demo Vultr",
      provider: "vultr",
      simulated: true,
      type: "db",
      session: "aaaa0001",
      createdByHangar: true,
      inSession: true,
      userTags: ["staging"],
      status: "resizing",
    });
    expect(rows.find((r) => r.machine.name === "legacy")?.type).toBeNull();
  });

  it("reports a failing account without dropping the others", () => {
    const { rows: ok, failures } = toRows(
      {
        accounts: [
          { accountId: "do", result: null, error: { kind: "auth", message: "DigitalOcean rejected the credentials" } },
          listing.accounts[1]!,
        ],
      },
      accounts,
    );
    expect(failures).toEqual([{ accountId: "do", accountLabel: "Work DO", message: "DigitalOcean rejected the credentials" }]);
    expect(names(ok)).toEqual(["db"]);
  });
});

describe("filterRows", () => {
  it("keeps everything without filters", () => {
    expect(filterRows(rows, noFilters)).toHaveLength(4);
  });

  it("filters to the machines the core counts as this session's", () => {
    const f = { ...noFilters, thisSession: true };
    expect(names(filterRows(rows, f)).sort()).toEqual(["db", "web-10"]);
    expect(names(sessionMachines(rows)).sort()).toEqual(["db", "web-10"]);
  });

  it("filters by account, type, tag and region", () => {
    expect(names(filterRows(rows, { ...noFilters, account: "vu" }))).toEqual(["db"]);
    expect(names(filterRows(rows, { ...noFilters, type: "web" })).sort()).toEqual(["web-10", "web-2"]);
    expect(names(filterRows(rows, { ...noFilters, tag: "prod" }))).toEqual(["web-10"]);
    expect(names(filterRows(rows, { ...noFilters, region: "ams3" })).sort()).toEqual(["legacy", "web-2"]);
  });

  it("searches every word, case-insensitively, across name, IP, account and tags", () => {
    expect(names(filterRows(rows, { ...noFilters, text: "WEB" })).sort()).toEqual(["web-10", "web-2"]);
    expect(names(filterRows(rows, { ...noFilters, text: "198.51" }))).toEqual(["db"]);
    expect(names(filterRows(rows, { ...noFilters, text: "demo staging" }))).toEqual(["db"]);
    expect(names(filterRows(rows, { ...noFilters, text: "web ams3" }))).toEqual(["web-2"]);
    expect(filterRows(rows, { ...noFilters, text: "nothing-like-this" })).toEqual([]);
  });
});

describe("sortRows", () => {
  it("sorts names naturally, both ways", () => {
    expect(names(sortRows(rows, { key: "name", descending: false }))).toEqual(["db", "legacy", "web-2", "web-10"]);
    expect(names(sortRows(rows, { key: "name", descending: true }))).toEqual(["web-10", "web-2", "legacy", "db"]);
  });

  it("sorts IPs numerically with missing addresses last", () => {
    expect(names(sortRows(rows, { key: "ip", descending: false }))).toEqual(["web-2", "web-10", "db", "legacy"]);
  });

  it("sorts by creation time and by type, untyped last", () => {
    expect(names(sortRows(rows, { key: "created", descending: true }))[0]).toBe("legacy");
    expect(names(sortRows(rows, { key: "type", descending: false }))).toEqual(["db", "web-2", "web-10", "legacy"]);
  });

  it("does not change its input", () => {
    const before = names(rows);
    sortRows(rows, { key: "name", descending: true });
    expect(names(rows)).toEqual(before);
  });

  it("flips direction on the same column and starts ascending on another", () => {
    expect(nextSort({ key: "name", descending: false }, "name")).toEqual({ key: "name", descending: true });
    expect(nextSort({ key: "name", descending: true }, "ip")).toEqual({ key: "ip", descending: false });
  });
});

describe("helpers", () => {
  it("lists distinct types, user tags and regions", () => {
    expect(facets(rows)).toEqual({ types: ["db", "web"], tags: ["prod", "staging"], regions: ["ams3", "ewr", "nyc3"] });
  });

  it("names statuses and knows which are in transition", () => {
    expect(statusName("new")).toBe("new");
    expect(statusName({ unknown: "pending" })).toBe("pending");
    expect(inTransition("new")).toBe(true);
    expect(inTransition("pending")).toBe(true);
    expect(inTransition("active")).toBe(false);
    expect(inTransition("off")).toBe(false);
  });

  it("writes relative times", () => {
    const now = Date.parse("2026-03-10T12:00:00Z");
    expect(relativeTime(now - 5_000, now)).toBe("just now");
    expect(relativeTime(now - 5 * 60_000, now)).toBe("5 min ago");
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe("3 h ago");
    expect(relativeTime(now - 86_400_000, now)).toBe("1 d ago");
    expect(relativeTime(now - 40 * 86_400_000, now)).toBe("40 d ago");
    expect(relativeTime(now - 200 * 86_400_000, now)).toBe("6 mo ago");
    expect(relativeTime(now - 800 * 86_400_000, now)).toBe("2 y ago");
    expect(relativeTime(Number.NaN, now)).toBe("—");
  });

  it("windows rows around the scroll position", () => {
    expect(visibleRange(0, 400, 40, 2000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(4000, 400, 40, 2000, 5)).toEqual({ start: 95, end: 115 });
    expect(visibleRange(80_000, 400, 40, 2000, 5)).toEqual({ start: 1995, end: 2000 });
    expect(visibleRange(0, 400, 40, 3, 5)).toEqual({ start: 0, end: 3 });
  });
});

describe("actions", () => {
  it("builds the ssh command and says why the user is root", () => {
    expect(sshCommand({ user: "deploy", host: "web-1.example.com" })).toBe("ssh deploy@web-1.example.com");
    expect(sshUserNote({ user: "deploy", userSource: "machineType", machineType: "web" })).toBeNull();
    expect(sshUserNote({ user: "root", userSource: "noType", machineType: null })).toContain("no machine type");
    expect(sshUserNote({ user: "root", userSource: "typeNotConfigured", machineType: "db" })).toContain("“db” is not configured");
  });

  it("unlocks destroy on the exact name only", () => {
    expect(confirmsName("web-1", "web-1")).toBe(true);
    for (const t of ["", "web-", "WEB-1", "web-1 "]) expect(confirmsName(t, "web-1")).toBe(false);
  });

  it("shows UNKNOWN checks as a dash", () => {
    expect(checkLabel("UNKNOWN")).toBe("—");
    expect(checkLabel(undefined)).toBe("—");
    expect(checkLabel("done")).toBe("done");
  });

  it("summarizes a destroy per machine and per account", () => {
    const s = destroySummary(
      [
        {
          accountId: "a",
          result: [
            {
              name: "web-1",
              destroyed: true,
              dnsRecordsDeleted: [{ zone: "example.com", fqdn: "web-1.example.com", recordId: "1" }],
              problems: [],
            },
            { name: "db-1", destroyed: false, dnsRecordsDeleted: [], problems: [{ kind: "stillExists", message: "still there" }] },
          ],
          error: null,
        },
        { accountId: "b", result: null, error: { kind: "rateLimited", message: "rate limited" } },
      ],
      (id) => (id === "b" ? "Vultr" : id),
    );
    expect(s.tone).toBe("bad");
    expect(s.text).toBe("Destroyed web-1 (and web-1.example.com). Not done — db-1: still there · Vultr: rate limited");
  });
});

describe("streamed listing and refreshes", () => {
  it("puts one account's answer in place of what the table showed for it", () => {
    const first = toRows({ accounts: [listing.accounts[0]!] }, accounts);
    expect(names(first.rows).sort()).toEqual(["legacy", "web-10", "web-2"]);
    // Vultr answers: its rows join, DigitalOcean's stay.
    const both = mergeAccount(first, listing.accounts[1]!, accounts);
    expect(names(both.rows).sort()).toEqual(["db", "legacy", "web-10", "web-2"]);
    // DigitalOcean answers again (a refresh), now failing: its rows give way to the failure.
    const failed = mergeAccount(both, { accountId: "do", result: null, error: { kind: "network", message: "unreachable" } }, accounts);
    expect(names(failed.rows)).toEqual(["db"]);
    expect(failed.failures).toEqual([{ accountId: "do", accountLabel: "Work DO", message: "unreachable" }]);
    // And recovers: the failure goes.
    const back = mergeAccount(failed, listing.accounts[0]!, accounts);
    expect(back.failures).toEqual([]);
    expect(back.rows).toHaveLength(4);
  });

  it("merges refreshed machines, drops the gone ones and keeps accounts that failed", () => {
    const legacy = rows.find((r) => r.machine.name === "legacy")!;
    const merged = mergeRefreshed(rows, {
      accounts: [
        {
          accountId: "do",
          result: {
            machines: [view({ ...legacy.machine, status: "active", ipv4: "192.0.2.13" })],
            gone: ["12"],
            problems: [],
          },
          error: null,
        },
        { accountId: "vu", result: null, error: { kind: "network", message: "unreachable" } },
      ],
    });
    expect(names(merged).sort()).toEqual(["db", "legacy", "web-10"]);
    expect(merged.find((r) => r.key === "do/13")).toMatchObject({ status: "active", machine: { ipv4: "192.0.2.13" } });
    expect(merged.find((r) => r.key === "vu/abc")?.status).toBe("resizing");
  });

  it("takes a machine's type and session from the core's view of it", () => {
    const legacy = rows.find((r) => r.machine.name === "legacy")!;
    const updated = withMachine(legacy, view(legacy.machine, hangar("web", "aaaa0001", true)));
    expect(updated).toMatchObject({ type: "web", session: "aaaa0001", inSession: true, key: "do/13" });
  });
});
