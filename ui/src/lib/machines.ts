// The Machines screen's logic, free of Svelte and of the backend: rows across accounts,
// filters, sorting, relative times and the window of rows to render.

import type {
  AccountSummary,
  DestroyedMachine,
  MachineListing,
  MachineStatus,
  MachineView_Serialize as MachineView,
  Machine_Serialize as Machine,
  PerAccount,
  ProviderKind,
  Refreshes_Serialize as Refreshes,
} from "./bindings";

/** One table row: a machine, what the core read from its tags, and its account. */
export type MachineRow = {
  /** Unique across accounts: `<account id>/<machine id>`. */
  key: string;
  machine: Machine;
  accountId: string;
  accountLabel: string;
  provider: ProviderKind;
  simulated: boolean;
  /** The machine type (`machine:type:` tag); null for machines Hangar did not create. */
  type: string | null;
  /** The session it was created in (`machine:session:` tag). */
  session: string | null;
  /** Created by Hangar or `machine`. */
  createdByHangar: boolean;
  /** Created by Hangar in the session shown as "this session". */
  inSession: boolean;
  /** Tags other than Hangar's own. */
  userTags: string[];
  status: string;
  createdMs: number;
};

/** An account whose machines could not be listed. */
export type AccountFailure = { accountId: string; accountLabel: string; message: string };

/** One account's listing, as the command returns it or streams it. */
export type AccountListing = PerAccount<MachineView[]>;

export function statusName(status: MachineStatus): string {
  return typeof status === "string" ? status : status.unknown;
}

/** Provisioning: the status will change soon, so the screen keeps refreshing. */
export function inTransition(status: string): boolean {
  return status === "new" || status === "pending" || status === "provisioning";
}

/** The row fields that follow from the machine as the core sees it now. */
function fromView(view: MachineView) {
  return {
    machine: view.machine,
    type: view.machineType,
    session: view.session,
    createdByHangar: view.createdByHangar,
    inSession: view.inSession,
    userTags: view.userTags,
    status: statusName(view.machine.status),
    createdMs: Date.parse(view.machine.createdAt),
  };
}

/** The row of one machine of `account` (e.g. the one a detail view shows). */
export function rowOf(
  view: MachineView,
  account: { id: string; label: string; provider: ProviderKind; simulated: boolean },
): MachineRow {
  return {
    key: `${account.id}/${view.machine.id}`,
    accountId: account.id,
    accountLabel: account.label,
    provider: account.provider,
    simulated: account.simulated,
    ...fromView(view),
  };
}

/** Flattens a listing into rows, and collects the accounts that failed. */
export function toRows(
  listing: Pick<MachineListing, "accounts">,
  accounts: AccountSummary[],
): { rows: MachineRow[]; failures: AccountFailure[] } {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rows: MachineRow[] = [];
  const failures: AccountFailure[] = [];
  for (const entry of listing.accounts) {
    const account = byId.get(entry.accountId);
    const accountLabel = account?.label ?? entry.accountId;
    if (entry.error) {
      failures.push({ accountId: entry.accountId, accountLabel, message: entry.error.message });
      continue;
    }
    for (const view of (entry.result ?? []) as MachineView[]) {
      rows.push({
        key: `${entry.accountId}/${view.machine.id}`,
        accountId: entry.accountId,
        accountLabel,
        provider: account?.provider ?? "digitalocean",
        simulated: account?.simulated ?? false,
        ...fromView(view),
      });
    }
  }
  return { rows, failures };
}

/** The table with one account's answer in place of what it showed for that account: how a
 * streamed listing fills the table as each account answers. */
export function mergeAccount(
  current: { rows: MachineRow[]; failures: AccountFailure[] },
  entry: AccountListing,
  accounts: AccountSummary[],
): { rows: MachineRow[]; failures: AccountFailure[] } {
  const fresh = toRows({ accounts: [entry] }, accounts);
  return {
    rows: [...current.rows.filter((r) => r.accountId !== entry.accountId), ...fresh.rows],
    failures: [...current.failures.filter((f) => f.accountId !== entry.accountId), ...fresh.failures],
  };
}

export type Filters = {
  /** Only the machines Hangar created in this session. */
  thisSession: boolean;
  /** Empty string: any. */
  account: string;
  type: string;
  tag: string;
  region: string;
  /** Matched case-insensitively against name, IP, region, plan, account, type and tags. */
  text: string;
};

export const noFilters: Filters = {
  thisSession: false,
  account: "",
  type: "",
  tag: "",
  region: "",
  text: "",
};

function haystack(row: MachineRow): string {
  const m = row.machine;
  return [m.name, m.ipv4 ?? "", m.ipv6 ?? "", m.region, m.size, row.accountLabel, row.type ?? "", row.status, ...m.tags]
    .join("\n")
    .toLowerCase();
}

export function filterRows(rows: MachineRow[], f: Filters): MachineRow[] {
  const words = f.text.toLowerCase().split(/\s+/).filter((w) => w !== "");
  return rows.filter((row) => {
    if (f.thisSession && !row.inSession) return false;
    if (f.account !== "" && row.accountId !== f.account) return false;
    if (f.type !== "" && row.type !== f.type) return false;
    if (f.tag !== "" && !row.machine.tags.includes(f.tag)) return false;
    if (f.region !== "" && row.machine.region !== f.region) return false;
    if (words.length > 0) {
      const text = haystack(row);
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
}

export type SortKey = "name" | "account" | "region" | "plan" | "ip" | "status" | "type" | "created";
export type Sort = { key: SortKey; descending: boolean };

/** Dotted IPv4 addresses compare numerically; missing ones sort last. */
function ipValue(ip: string | null): number {
  if (ip === null) return Number.POSITIVE_INFINITY;
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return Number.POSITIVE_INFINITY;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compareBy(key: SortKey, a: MachineRow, b: MachineRow): number {
  switch (key) {
    case "name":
      return collator.compare(a.machine.name, b.machine.name);
    case "account":
      return collator.compare(a.accountLabel, b.accountLabel);
    case "region":
      return collator.compare(a.machine.region, b.machine.region);
    case "plan":
      return collator.compare(a.machine.size, b.machine.size);
    case "ip":
      return ipValue(a.machine.ipv4) - ipValue(b.machine.ipv4);
    case "status":
      return collator.compare(a.status, b.status);
    case "type":
      // Machines without a type sort after the typed ones.
      if (a.type === b.type) return 0;
      if (a.type === null) return 1;
      if (b.type === null) return -1;
      return collator.compare(a.type, b.type);
    case "created":
      return (a.createdMs || 0) - (b.createdMs || 0);
  }
}

/** A stable sort: ties keep name, then account order. Returns a new array. */
export function sortRows(rows: MachineRow[], sort: Sort): MachineRow[] {
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort(
    (a, b) =>
      sign * compareBy(sort.key, a, b) ||
      compareBy("name", a, b) ||
      collator.compare(a.accountLabel, b.accountLabel) ||
      collator.compare(a.key, b.key),
  );
}

/** Clicking a header: the same column flips direction, another column sorts ascending. */
export function nextSort(current: Sort, key: SortKey): Sort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}

/** The distinct values the filter menus offer, sorted. */
export function facets(rows: MachineRow[]): { types: string[]; tags: string[]; regions: string[] } {
  const types = new Set<string>();
  const tags = new Set<string>();
  const regions = new Set<string>();
  for (const row of rows) {
    if (row.type !== null) types.add(row.type);
    for (const t of row.userTags) tags.add(t);
    regions.add(row.machine.region);
  }
  const sorted = (s: Set<string>) => [...s].sort(collator.compare);
  return { types: sorted(types), tags: sorted(tags), regions: sorted(regions) };
}

/** Short enough for a narrow column: "just now", "5 min ago", "3 h ago", "12 d ago",
 * "4 mo ago", "2 y ago". */
export function relativeTime(createdMs: number, nowMs: number): string {
  if (!Number.isFinite(createdMs)) return "—";
  const seconds = Math.round((nowMs - createdMs) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 60) return `${days} d ago`;
  if (days < 365 * 2) return `${Math.floor(days / 30.44)} mo ago`;
  return `${Math.floor(days / 365.25)} y ago`;
}

/** Which rows to render for a scroll position: fixed-height windowing with overscan. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const count = Math.ceil(Math.max(0, viewportHeight) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

// ---- Actions ----

/** What the row buttons ask for. */
export type RowAction = "ssh" | "powerOn" | "powerOff" | "reboot" | "destroy";

/** `ssh user@host`, the command the "Copy ssh" action puts on the clipboard. */
export function sshCommand(target: { user: string; host: string }): string {
  return `ssh ${target.user}@${target.host}`;
}

/** Why the user is `root`, when it is; null when it is the machine type's user. */
export function sshUserNote(target: {
  user: string;
  userSource: "machineType" | "noType" | "typeNotConfigured";
  machineType: string | null;
}): string | null {
  switch (target.userSource) {
    case "machineType":
      return null;
    case "noType":
      return `${target.user}: the machine has no machine type`;
    case "typeNotConfigured":
      return `${target.user}: machine type “${target.machineType ?? "?"}” is not configured`;
  }
}

/** The ids of `rows`, grouped by account, in the order the accounts first appear. */
export function refsByAccount(rows: MachineRow[]): { accountId: string; ids: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const ids = groups.get(row.accountId) ?? [];
    ids.push(row.machine.id);
    groups.set(row.accountId, ids);
  }
  return [...groups].map(([accountId, ids]) => ({ accountId, ids }));
}

/** The status a power action ends in. */
export function powerTarget(action: "powerOn" | "powerOff" | "reboot"): string {
  return action === "powerOff" ? "off" : "active";
}

/** Still changing: provisioning, or a power action whose end status (`expected`, per row
 * key) is not reached yet. */
export function isChanging(row: MachineRow, expected: Record<string, string>): boolean {
  const want = expected[row.key];
  return inTransition(row.status) || (want !== undefined && row.status !== want);
}

/** The rows whose status will change soon, grouped by account: what the auto-refresh asks for. */
export function transitioningRefs(
  rows: MachineRow[],
  expected: Record<string, string> = {},
): { accountId: string; ids: string[] }[] {
  return refsByAccount(rows.filter((r) => isChanging(r, expected)));
}

/** Rows with the machines just read replaced and the ones that are gone removed. Accounts
 * that could not answer keep their rows (the next refresh asks again). */
export function mergeRefreshed(rows: MachineRow[], refreshed: Refreshes): MachineRow[] {
  const fresh = new Map<string, MachineView>();
  const gone = new Set<string>();
  for (const entry of refreshed.accounts) {
    for (const v of entry.result?.machines ?? []) fresh.set(`${entry.accountId}/${v.machine.id}`, v);
    for (const id of entry.result?.gone ?? []) gone.add(`${entry.accountId}/${id}`);
  }
  return rows.filter((r) => !gone.has(r.key)).map((r) => {
    const v = fresh.get(r.key);
    return v === undefined ? r : withMachine(r, v);
  });
}

/** The row with the machine as it is now (status, IP, tags). */
export function withMachine(row: MachineRow, view: MachineView): MachineRow {
  return { ...row, ...fromView(view) };
}

/** The machines created by Hangar in this session: what "Select this session's"
 * offers. */
export function sessionMachines(rows: MachineRow[]): MachineRow[] {
  return rows.filter((r) => r.inSession);
}

/** The destroy button unlocks only on the exact name (case and spaces count). */
export function confirmsName(typed: string, name: string): boolean {
  return typed === name;
}

/** How the cloud-init column shows a check: UNKNOWN (no answer) reads as a dash. */
export function checkLabel(status: string | undefined): string {
  if (status === undefined || status === "" || status.toUpperCase() === "UNKNOWN") return "—";
  return status;
}

/** One toast for a destroy: what went, and per machine (or account) what did not. */
export function destroySummary(
  results: PerAccount<Pick<DestroyedMachine, "name" | "destroyed" | "dnsRecordsDeleted" | "problems">[]>[],
  accountLabel: (id: string) => string,
): { tone: "ok" | "bad"; text: string } {
  const done: string[] = [];
  const failed: string[] = [];
  for (const r of results) {
    if (r.error) failed.push(`${accountLabel(r.accountId)}: ${r.error.message}`);
    for (const m of r.result ?? []) {
      const records = m.dnsRecordsDeleted.map((d) => d.fqdn);
      if (m.destroyed) done.push(records.length > 0 ? `${m.name} (and ${records.join(", ")})` : m.name);
      if (m.problems.length > 0) failed.push(`${m.name}: ${m.problems.map((p) => p.message).join("; ")}`);
    }
  }
  const parts: string[] = [];
  if (done.length > 0) parts.push(`Destroyed ${done.join(", ")}.`);
  if (failed.length > 0) parts.push(`Not done — ${failed.join(" · ")}`);
  if (parts.length === 0) parts.push("Nothing was destroyed.");
  return { tone: failed.length > 0 || done.length === 0 ? "bad" : "ok", text: parts.join(" ") };
}
