import { describe, expect, it } from "vitest";
import type { DnsRecordSpec_Deserialize, DnsRow_Serialize } from "./bindings";
import shared from "./dns-validation-cases.json";
import {
  NO_FILTERS,
  emptyForm,
  filterRows,
  formProblems,
  isIpv6,
  recordProblems,
  specOf,
  valueText,
} from "./dns";

describe("record validation", () => {
  it("agrees with the core on every shared case", () => {
    expect(shared.cases.length).toBeGreaterThan(30);
    for (const c of shared.cases) {
      const got = Object.keys(recordProblems(c.spec as DnsRecordSpec_Deserialize)).sort();
      expect(got, JSON.stringify(c.spec)).toEqual([...c.fields].sort());
    }
  });

  it("parses IPv6 text forms", () => {
    for (const ok of ["::", "::1", "2001:db8::1", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1"])
      expect(isIpv6(ok), ok).toBe(true);
    for (const bad of ["", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "2001:db8:::1", "12345::", "g::1", "::ffff:1.2.3"])
      expect(isIpv6(bad), bad).toBe(false);
  });

  it("flags numbers that are not whole numbers in range, per field", () => {
    const f = { ...emptyForm("SRV"), name: "_sip._tcp", data: "sip.example.com.", priority: "1", weight: "x", port: "70000" };
    const p = formProblems(f);
    expect(Object.keys(p).sort()).toEqual(["port", "weight"]);
    expect(p.port).toContain("0 to 65535");
    expect(formProblems({ ...f, weight: "5", port: "5060" })).toEqual({});
    expect(formProblems({ ...emptyForm("A"), name: "www", data: "192.0.2.1", ttl: "10" }).ttl).toContain("30");
    expect(formProblems({ ...emptyForm("CAA"), name: "@", data: "ca.example", flags: "256", tag: "issue" }).flags).toBeTruthy();
  });

  it("sends only the fields of the chosen type", () => {
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
