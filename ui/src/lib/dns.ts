// The DNS screen's logic: per-type record validation (the same rules as the core's
// `record_problems`, checked against the shared cases in dns-validation-cases.json), the record
// form's state, and the records table's filters.

import type { DnsRecordSpec_Deserialize, DnsRow_Serialize, RecordView_Serialize } from "./bindings";

/** The record types the form can create and edit. */
export const EDITABLE_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "CAA"] as const;
export type EditableType = (typeof EDITABLE_TYPES)[number];

export const MIN_TTL = 30;
export const MAX_TTL = 2_147_483_647;
export const MAX_TXT_LEN = 512;
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

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

/** RFC 4291 text forms, including `::` compression and a trailing dotted IPv4. */
export function isIpv6(s: string): boolean {
  if (s.length === 0 || s.length > 45) return false;
  let head = s;
  let groupsFromV4 = 0;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
    if (!isIpv4(s.slice(lastColon + 1))) return false;
    head = s.slice(0, lastColon + 1) + "0"; // stand-in group, counted below
    groupsFromV4 = 1;
  }
  const halves = head.split("::");
  if (halves.length > 2) return false;
  const group = /^[0-9a-fA-F]{1,4}$/;
  const parts = (h: string) => (h === "" ? [] : h.split(":"));
  const left = parts(halves[0]!);
  const right = halves.length === 2 ? parts(halves[1]!) : [];
  if (![...left, ...right].every((g) => group.test(g))) return false;
  const count = left.length + right.length + groupsFromV4;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** Dot-separated labels of letters, digits and hyphens (and `_`/`*` in record names). */
export function isHostname(s: string, recordName: boolean): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const label = recordName ? /^[A-Za-z0-9_*-]+$/ : /^[A-Za-z0-9-]+$/;
  return s
    .split(".")
    .every((l) => l.length > 0 && l.length <= 63 && !l.startsWith("-") && !l.endsWith("-") && label.test(l));
}

/** A target host: `@`, or a hostname with an optional trailing dot. */
export function isTarget(s: string): boolean {
  return s === "@" || isHostname(s.endsWith(".") ? s.slice(0, -1) : s, false);
}

/** The problems of a record, by field: the core's `record_problems`, in the form's words. */
export function recordProblems(spec: DnsRecordSpec_Deserialize): Problems {
  const p: Problems = {};
  const t = typeof spec.recordType === "string" ? spec.recordType : spec.recordType.other;
  const d = spec.data;
  if (spec.name === "" || !(spec.name === "@" || isHostname(spec.name, true))) {
    p.name = "Use letters, digits, hyphens, _ and * in dot-separated labels, or @ for the zone itself.";
  } else if (t === "CNAME" && spec.name === "@") {
    p.name = "A CNAME record cannot be at the zone apex (@).";
  }
  if (spec.ttl != null && (spec.ttl < MIN_TTL || spec.ttl > MAX_TTL)) {
    p.ttl = `TTL must be between ${MIN_TTL} and ${MAX_TTL} seconds.`;
  }
  const need = (f: Field, v: number | null | undefined, range: string) => {
    if (v == null) p[f] = `Needs a ${f} (${range}).`;
  };
  if (!isEditable(t)) {
    p.type = `Records of type ${t} cannot be edited.`;
    return p;
  }
  switch (t) {
    case "A":
      if (!isIpv4(d)) p.data = "Not an IPv4 address (like 192.0.2.10).";
      break;
    case "AAAA":
      if (!isIpv6(d)) p.data = "Not an IPv6 address (like 2001:db8::10).";
      break;
    case "CNAME":
    case "NS":
      if (!isTarget(d)) p.data = "Not a hostname (like host.example.com.).";
      break;
    case "MX":
      need("priority", spec.priority, "0-65535");
      if (!isTarget(d)) p.data = "Not a hostname (like mail.example.com.).";
      break;
    case "SRV":
      need("priority", spec.priority, "0-65535");
      need("weight", spec.weight, "0-65535");
      need("port", spec.port, "0-65535");
      if (!isTarget(d)) p.data = "Not a hostname (like sip.example.com.).";
      break;
    case "CAA":
      need("flags", spec.flags, "0-255");
      if (!spec.tag || !(CAA_TAGS as readonly string[]).includes(spec.tag)) {
        p.tag = "Choose issue, issuewild or iodef.";
      }
      if (d.trim() === "") p.data = "A CAA record needs a value.";
      else if (spec.tag === "iodef" && !["mailto:", "http://", "https://"].some((s) => d.startsWith(s)))
        p.data = "An iodef value is a mailto:, http:// or https:// URL.";
      else if (d.includes('"')) p.data = 'A CAA value cannot contain ".';
      break;
    case "TXT":
      if (d === "") p.data = "A TXT record needs text.";
      else if (d.length > MAX_TXT_LEN) p.data = `${d.length} characters; at most ${MAX_TXT_LEN} are accepted.`;
      break;
  }
  return p;
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

const NUMBER_FIELDS = { ttl: MAX_TTL, priority: 65535, weight: 65535, port: 65535, flags: 255 } as const;
type NumberField = keyof typeof NUMBER_FIELDS;

/** A number field: `null` when empty, `NaN` when not a whole number in range. */
function numberOf(field: NumberField, raw: string): number | null {
  const t = raw.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) return NaN;
  const n = Number(t);
  return n > NUMBER_FIELDS[field] ? NaN : n;
}

/** The spec the form describes: only the fields of its type are sent. */
export function specOf(f: RecordForm): DnsRecordSpec_Deserialize {
  const has = fieldsOf(f.type);
  const num = (k: Exclude<NumberField, "ttl">) => (has.includes(k) ? numberOf(k, f[k]) : null);
  return {
    recordType: f.type,
    name: f.name.trim(),
    data: f.type === "TXT" ? f.data : f.data.trim(),
    ttl: numberOf("ttl", f.ttl),
    priority: num("priority"),
    weight: num("weight"),
    port: num("port"),
    flags: num("flags"),
    tag: has.includes("tag") ? f.tag || null : null,
  };
}

/** The form's problems: number fields that are not whole numbers in range, then the rules. */
export function formProblems(f: RecordForm): Problems {
  const spec = specOf(f);
  const p: Problems = {};
  for (const [k, max] of Object.entries(NUMBER_FIELDS) as [NumberField, number][]) {
    if (Number.isNaN(spec[k])) p[k] = `Enter a whole number from 0 to ${max}.`;
  }
  const clean = { ...spec };
  for (const k of Object.keys(NUMBER_FIELDS) as NumberField[]) if (Number.isNaN(clean[k])) clean[k] = 0;
  const rules = recordProblems({ ...clean, ttl: Number.isNaN(spec.ttl) ? null : clean.ttl });
  return { ...rules, ...p };
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

/** The value column: the data with its type's extra fields, as in a zone file. */
export function valueText(r: RecordView_Serialize): string {
  switch (r.type) {
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
