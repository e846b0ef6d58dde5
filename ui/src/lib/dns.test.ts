import { describe, expect, it } from "vitest";
import type { DnsRow_Serialize } from "./bindings";
import {
  NO_FILTERS,
  emptyForm,
  filterRows,
  formProblems,
  DEFAULT_RECORD_SORT,
  nextSort,
  numberProblems,
  othersOf,
  sortRows,
  specOf,
  valueText,
  zoneAccounts,
} from "./dns";

// Whether a record is valid is the core's call (`check_dns_record`, tested in Rust against
// tests/cases/dns-validation-cases.json). Here: the spec the form sends, the numbers it
// cannot send, and how the core's problems are shown.

describe("record form", () => {
  it("flags number fields that hold no number the field can carry", () => {
    const f = { ...emptyForm("SRV"), name: "_sip._tcp", data: "sip.example.com.", priority: "1", weight: "x", port: "70000" };
    const p = numberProblems(f);
    expect(Object.keys(p).sort()).toEqual(["port", "weight"]);
    expect(p.port).toContain("0 to 65535");
    expect(numberProblems({ ...f, weight: "5", port: "5060" })).toEqual({});
    expect(numberProblems({ ...emptyForm("CAA"), flags: "256" }).flags).toContain("0 to 255");
    // Fields the type does not have are not looked at.
    expect(numberProblems({ ...emptyForm("A"), port: "x" })).toEqual({});
    // A number in range is the core's to judge (a TTL of 10 s is sent, and refused there).
    expect(numberProblems({ ...emptyForm("A"), ttl: "10" })).toEqual({});
  });

  it("sends only the fields of the chosen type, and no number it could not read", () => {
    const f = { ...emptyForm("A"), name: " www ", data: " 192.0.2.1 ", priority: "10", flags: "0", tag: "issue", ttl: "300" };
    expect(specOf(f)).toEqual({
      recordType: "A",
      name: "www",
      data: "192.0.2.1",
      ttl: 300,
      priority: null,
      weight: null,
      port: null,
      flags: null,
      tag: null,
    });
    expect(specOf({ ...f, type: "MX", data: "mail.example.com." }).priority).toBe(10);
    expect(specOf({ ...f, type: "MX", priority: "ten" }).priority).toBeNull();
    expect(specOf({ ...f, ttl: "abc" }).ttl).toBeNull();
  });

  it("shows the core's problems beside their fields, the unreadable numbers over them", () => {
    const f = { ...emptyForm("MX"), name: "a b", data: "mail", priority: "x" };
    const p = formProblems(
      [
        { field: "name", message: "name `a b` is not a valid record name (letters, digits, hyphens)" },
        { field: "priority", message: "an MX record needs a priority (0-65535)" },
        { field: "data", message: "MX record data `mail server` is not a hostname" },
      ],
      f,
    );
    expect(p).toEqual({
      name: "Name “a b” is not a valid record name (letters, digits, hyphens)",
      priority: "Enter a whole number from 0 to 65535.",
      data: "MX record data “mail server” is not a hostname",
    });
    expect(formProblems([], { ...f, priority: "10" })).toEqual({});
  });
});

describe("zones beside their accounts", () => {
  it("labels an account whose zones failed from the account list", () => {
    const listed = zoneAccounts(
      {
        accounts: [
          { accountId: "do", result: { accountLabel: "Demo DigitalOcean", provider: "digitalocean", simulated: true, zones: ["example.com"] }, error: null },
          { accountId: "vu", result: null, error: { kind: "auth", message: "The token was refused (401)." } },
          { accountId: "gone", result: null, error: { kind: "notFound", message: "no such account" } },
        ],
      },
      [{ id: "vu", label: "Work Vultr", provider: "vultr", simulated: false, importedTypes: [] }],
    );
    expect(listed).toEqual([
      { accountId: "do", accountLabel: "Demo DigitalOcean", provider: "digitalocean", simulated: true, zones: ["example.com"], error: null },
      { accountId: "vu", accountLabel: "Work Vultr", provider: "vultr", simulated: false, zones: [], error: "The token was refused (401)." },
      { accountId: "gone", accountLabel: "gone", provider: null, simulated: false, zones: [], error: "no such account" },
    ]);
  });
});

function row(type: string, name: string, data: string, machine: string | null, inSession = false): DnsRow_Serialize {
  return {
    record: {
      id: `${type}-${name}`,
      machine: machine ? { id: machine, name: machine, tags: [], region: "nyc3", ip: data, type: null } : null,
      name,
      fqdn: name === "@" ? "example.com" : `${name}.example.com`,
      zone: "example.com",
      data,
      ttl: 300,
      type,
      priority: type === "MX" ? 10 : null,
      port: null,
      weight: null,
      flags: null,
      tag: null,
    },
    machineAccountId: machine ? "demo-digitalocean" : null,
    machineAccountLabel: machine ? "Demo DigitalOcean" : null,
    inSession,
    caution: null,
  };
}

describe("records table filters", () => {
  const rows = [
    row("A", "web-1", "192.0.2.5", "web-1", true),
    row("A", "ci", "192.0.2.9", "ci-runner"),
    row("TXT", "@", "v=spf1 mx -all", null),
    row("MX", "@", "mail.example.com.", null),
  ];
  const names = (f: Partial<typeof NO_FILTERS>) => filterRows(rows, { ...NO_FILTERS, ...f }).map((r) => r.record.id);

  it("filters by type", () => {
    expect(names({ type: "A" })).toEqual(["A-web-1", "A-ci"]);
    expect(names({ type: "MX" })).toEqual(["MX-@"]);
  });
  it("searches name, full name, data and machine name", () => {
    expect(names({ text: "SPF1" })).toEqual(["TXT-@"]);
    expect(names({ text: "runner" })).toEqual(["A-ci"]);
    expect(names({ text: "web-1.example" })).toEqual(["A-web-1"]);
    expect(names({ text: "192.0.2" })).toEqual(["A-web-1", "A-ci"]);
  });
  it("keeps only this session's machines when asked", () => {
    expect(names({ thisSession: true })).toEqual(["A-web-1"]);
    expect(names({ thisSession: true, type: "TXT" })).toEqual([]);
    expect(names({})).toHaveLength(4);
  });
  it("shows a type's extra fields with the value", () => {
    expect(valueText(rows[3]!.record)).toBe("10 mail.example.com.");
  });
});

describe("records table order", () => {
  const rows = [
    row("TXT", "zeta", "b", null),
    row("A", "web-1", "192.0.2.5", "web-1"),
    row("MX", "@", "mail.example.com.", null),
    row("A", "ci", "192.0.2.9", "ci-runner"),
    row("A", "web-10", "192.0.2.7", null),
    row("NS", "@", "ns1.example.net.", null),
  ];
  const ids = (sorted: DnsRow_Serialize[]) => sorted.map((r) => r.record.id);

  it("is by name by default, the apex first and numbers in order, so a new record lands among its neighbours", () => {
    expect(ids(sortRows(rows, DEFAULT_RECORD_SORT))).toEqual(["MX-@", "NS-@", "A-ci", "A-web-1", "A-web-10", "TXT-zeta"]);
  });
  it("sorts by any column and reverses on a second click, ties kept by name", () => {
    const byType = nextSort(DEFAULT_RECORD_SORT, "type");
    expect(byType).toEqual({ key: "type", descending: false });
    expect(ids(sortRows(rows, byType))).toEqual(["A-ci", "A-web-1", "A-web-10", "MX-@", "NS-@", "TXT-zeta"]);
    const reversed = nextSort(byType, "type");
    expect(reversed.descending).toBe(true);
    expect(ids(sortRows(rows, reversed))[0]).toBe("TXT-zeta");
    // Records without a machine go last.
    expect(ids(sortRows(rows, { key: "machine", descending: false })).slice(0, 2)).toEqual(["A-ci", "A-web-1"]);
  });
  it("leaves out the record being edited from the records a new one is compared with", () => {
    const others = othersOf(rows, "NS-@");
    expect(others).toHaveLength(5);
    expect(others.find((o) => o.name === "@")).toMatchObject({ recordType: "MX", data: "mail.example.com." });
    const soa = { ...row("SOA", "@", "1800", null).record };
    expect(valueText(soa)).toBe("Kept by the provider");
    expect(othersOf([{ ...row("SOA", "@", "1800", null) }], null)[0]!.recordType).toEqual({ other: "SOA" });
  });
});
