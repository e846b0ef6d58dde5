// The DNS screen's logic: the record form's state and the spec it sends, how the core's
// problems with a record are shown, the zones beside their accounts, and the records table's
// filters. Whether a record is valid is the core's call (`check_dns_record`): this file holds
// no record rule.

import type {
  AccountSummary,
  AccountZones,
  DnsRecordSpec_Deserialize,
  DnsRow_Serialize,
  ProviderKind,
  RecordProblem,
  RecordView_Serialize,
  ZoneListing,
} from "./bindings";
import { byField } from "./validation";

/** The record types the form can create and edit. */
export const EDITABLE_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "CAA"] as const;
export type EditableType = (typeof EDITABLE_TYPES)[number];

/** The tags the CAA form offers (the core says whether the one chosen is accepted). */
export const CAA_TAGS = ["issue", "issuewild", "iodef"] as const;

export type Field = "name" | "data" | "ttl" | "priority" | "port" | "weight" | "flags" | "tag" | "type";

/** Problems by field; a field without a problem is absent. */
export type Problems = Partial<Record<Field, string>>;

export function isEditable(t: string): t is EditableType {
  return (EDITABLE_TYPES as readonly string[]).includes(t);
}

/** Which optional fields a type has, in form order. */
export function fieldsOf(t: EditableType): Field[] {
  switch (t) {
    case "MX":
      return ["priority"];
    case "SRV":
      return ["priority", "weight", "port"];
    case "CAA":
      return ["flags", "tag"];
    default:
      return [];
  }
}

/** What the data field is called for each type. */
export function dataLabel(t: EditableType): string {
  switch (t) {
    case "A":
      return "IPv4 address";
    case "AAAA":
      return "IPv6 address";
    case "CNAME":
      return "Alias of (hostname)";
    case "NS":
      return "Name server (hostname)";
    case "MX":
      return "Mail server (hostname)";
    case "SRV":
      return "Target (hostname)";
    case "TXT":
      return "Text";
    case "CAA":
      return "Value";
  }
}

export function dataPlaceholder(t: EditableType): string {
  return {
    A: "192.0.2.10",
    AAAA: "2001:db8::10",
    CNAME: "www.example.com.",
    NS: "ns1.example.net.",
    MX: "mail.example.com.",
    SRV: "sip.example.com.",
    TXT: "v=spf1 mx -all",
    CAA: "letsencrypt.org",
  }[t];
}

/** What the form holds: numbers as typed, so "" (empty) and "abc" (not a number) differ. */
export interface RecordForm {
  type: EditableType;
  name: string;
  data: string;
  ttl: string;
  priority: string;
  weight: string;
  port: string;
  flags: string;
  tag: string;
}

export function emptyForm(type: EditableType = "A"): RecordForm {
  return { type, name: "", data: "", ttl: "", priority: "", weight: "", port: "", flags: "", tag: "" };
}

/** The form of an existing record, for editing. */
export function formOf(r: RecordView_Serialize): RecordForm {
  const s = (v: number | null) => (v == null ? "" : String(v));
  return {
    type: isEditable(r.type) ? r.type : "A",
    name: r.name,
    data: r.data,
    ttl: s(r.ttl),
    priority: s(r.priority),
    weight: s(r.weight),
    port: s(r.port),
    flags: s(r.flags),
    tag: r.tag ?? "",
  };
}

/** The largest value each number field's type can carry (u32, u16, u8): what can be sent at
 * all. Which values a record accepts (a TTL of at least 30 s, …) is the core's rule. */
const NUMBER_FIELDS = { ttl: 4_294_967_295, priority: 65535, weight: 65535, port: 65535, flags: 255 } as const;
type NumberField = keyof typeof NUMBER_FIELDS;

/** A number field: `null` when empty, `NaN` when not a whole number that fits. */
function numberOf(field: NumberField, raw: string): number | null {
  const t = raw.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) return NaN;
  const n = Number(t);
  return n > NUMBER_FIELDS[field] ? NaN : n;
}

/** The number fields of the form's type that hold text no number can be made of. */
export function numberProblems(f: RecordForm): Problems {
  const has: Field[] = ["ttl", ...fieldsOf(f.type)];
  const p: Problems = {};
  for (const [k, max] of Object.entries(NUMBER_FIELDS) as [NumberField, number][]) {
    if (has.includes(k) && Number.isNaN(numberOf(k, f[k]))) p[k] = `Enter a whole number from 0 to ${max}.`;
  }
  return p;
}

/** The spec the form describes: only the fields of its type are sent; a number field that
 * holds no number is sent empty (and shown by `numberProblems`). */
export function specOf(f: RecordForm): DnsRecordSpec_Deserialize {
  const has = fieldsOf(f.type);
  const parsed = (k: NumberField) => {
    const n = numberOf(k, f[k]);
    return n === null || Number.isNaN(n) ? null : n;
  };
  const num = (k: Exclude<NumberField, "ttl">) => (has.includes(k) ? parsed(k) : null);
  return {
    recordType: f.type,
    name: f.name.trim(),
    data: f.type === "TXT" ? f.data : f.data.trim(),
    ttl: parsed("ttl"),
    priority: num("priority"),
    weight: num("weight"),
    port: num("port"),
    flags: num("flags"),
    tag: has.includes("tag") ? f.tag || null : null,
  };
}

/** What the form shows beside each field: the core's problems with the spec, and over them
 * the number fields that hold no number (the core saw those as empty). */
export function formProblems(core: RecordProblem[], f: RecordForm): Problems {
  return { ...byField(core as { field: Field; message: string }[]), ...numberProblems(f) };
}

/** One account of the zones list: its zones, or why they could not be listed. */
export interface ZoneAccount {
  accountId: string;
  accountLabel: string;
  provider: ProviderKind | null;
  simulated: boolean;
  zones: string[];
  error: string | null;
}

/** The zones answer beside the accounts (an account that failed carries only its error, so
 * its label comes from the account list). */
export function zoneAccounts(listing: ZoneListing, accounts: AccountSummary[]): ZoneAccount[] {
  return listing.accounts.map((entry) => {
    const account = accounts.find((a) => a.id === entry.accountId);
    const found: AccountZones | null | undefined = entry.result;
    return {
      accountId: entry.accountId,
      accountLabel: found?.accountLabel ?? account?.label ?? entry.accountId,
      provider: found?.provider ?? account?.provider ?? null,
      simulated: found?.simulated ?? account?.simulated ?? false,
      zones: found?.zones ?? [],
      error: entry.error ? entry.error.message : null,
    };
  });
}

/** Which rows of the records table to show. */
export interface RecordFilters {
  /** A record type, or "" for every type. */
  type: string;
  /** Matched against the name, the full name, the data and the machine's name. */
  text: string;
  /** Only records pointing at this session's machines. */
  thisSession: boolean;
}

export const NO_FILTERS: RecordFilters = { type: "", text: "", thisSession: false };

export function filterRows(rows: DnsRow_Serialize[], f: RecordFilters): DnsRow_Serialize[] {
  const q = f.text.trim().toLowerCase();
  return rows.filter((row) => {
    const r = row.record;
    if (f.type && r.type !== f.type) return false;
    if (f.thisSession && !row.inSession) return false;
    if (!q) return true;
    return [r.name, r.fqdn, r.data, r.machine?.name ?? ""].some((v) => v.toLowerCase().includes(q));
  });
}

/** The value column: the data with its type's extra fields, as in a zone file. The SOA
 * record's data is not its content (DigitalOcean returns the zone's minimum TTL there). */
export function valueText(r: RecordView_Serialize): string {
  switch (r.type) {
    case "SOA":
      return "Kept by the provider";
    case "MX":
      return `${r.priority ?? ""} ${r.data}`.trim();
    case "SRV":
      return `${r.priority ?? ""} ${r.weight ?? ""} ${r.port ?? ""} ${r.data}`.replace(/\s+/g, " ").trim();
    case "CAA":
      return `${r.flags ?? ""} ${r.tag ?? ""} "${r.data}"`.trim();
    default:
      return r.data;
  }
}

/** The spec of a listed record, as the core's record hints compare it with a new one. */
export function specOfRecord(r: RecordView_Serialize): DnsRecordSpec_Deserialize {
  return {
    recordType: isEditable(r.type) ? r.type : { other: r.type },
    name: r.name,
    data: r.data,
    ttl: r.ttl,
    priority: r.priority,
    weight: r.weight,
    port: r.port,
    flags: r.flags,
    tag: r.tag,
  };
}

/** The zone's records other than the one being edited (`exceptId`), for the record hints. */
export function othersOf(rows: DnsRow_Serialize[], exceptId: string | null): DnsRecordSpec_Deserialize[] {
  return rows.filter((row) => row.record.id !== exceptId).map((row) => specOfRecord(row.record));
}

/** The columns the records table sorts by. */
export type RecordSortKey = "type" | "name" | "value" | "ttl" | "machine";

export interface RecordSort {
  key: RecordSortKey;
  descending: boolean;
}

/** By name, the zone's apex first: a record just added appears among its neighbours. */
export const DEFAULT_RECORD_SORT: RecordSort = { key: "name", descending: false };

/** The next sort when a column header is clicked: that column ascending, or reversed. */
export function nextSort(current: RecordSort, key: RecordSortKey): RecordSort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}

const text = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
const apexFirst = (n: string) => (n === "@" ? "" : n);

/** `rows` in the order of `sort`; rows equal on that column keep name, then type order. */
export function sortRows(rows: DnsRow_Serialize[], sort: RecordSort): DnsRow_Serialize[] {
  const by: Record<RecordSortKey, (a: RecordView_Serialize, b: RecordView_Serialize) => number> = {
    type: (a, b) => text(a.type, b.type),
    name: (a, b) => text(apexFirst(a.name), apexFirst(b.name)),
    value: (a, b) => text(valueText(a), valueText(b)),
    ttl: (a, b) => (a.ttl ?? -1) - (b.ttl ?? -1),
    machine: (a, b) => text(a.machine?.name ?? "\uffff", b.machine?.name ?? "\uffff"),
  };
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort(
    (x, y) =>
      sign * by[sort.key](x.record, y.record) || by.name(x.record, y.record) || by.type(x.record, y.record) || text(x.record.data, y.record.data),
  );
}
