// The Create machine form's logic: which plans a region offers, images by distribution, the
// FQDN, and the progress timeline built from the create command's events and result.

import type { CreateOutcome_Serialize as CreateOutcome, CreateProgress, Image, Region, Size } from "./bindings";

/** The plans (sizes) offered in `region`, cheapest first. */
export function plansIn(plans: Size[], region: string): Size[] {
  return plans.filter((p) => p.regions.includes(region)).sort((a, b) => (a.priceMonthly ?? Infinity) - (b.priceMonthly ?? Infinity));
}

/** "2 GB" for 2048 MB, "512 MB" below a gigabyte. */
export function memoryText(mb: number): string {
  return mb >= 1024 ? `${+(mb / 1024).toFixed(1)} GB` : `${mb} MB`;
}

/** "$6/mo", "$4.50/mo". */
export function priceText(perMonth: number | null): string {
  if (perMonth === null) return "price unknown";
  return `$${Number.isInteger(perMonth) ? perMonth : perMonth.toFixed(2)}/mo`;
}

/** What the plan list shows for one plan. */
export function planLabel(p: Size): string {
  const cpus = `${p.vcpus} vCPU`;
  return `${p.slug} · ${cpus} · ${memoryText(p.memoryMb)} RAM · ${p.diskGb} GB disk · ${priceText(p.priceMonthly)}`;
}

/** What the region list shows: the readable name, with the slug when it adds something. */
export function regionLabel(r: Region): string {
  return r.name && r.name !== r.slug ? `${r.name} (${r.slug})` : r.slug;
}

/** Images grouped by distribution, groups and images sorted by name. */
export function imageGroups(images: Image[]): { distribution: string; images: Image[] }[] {
  const groups = new Map<string, Image[]>();
  for (const image of images) {
    const key = image.distribution || "Other";
    groups.set(key, [...(groups.get(key) ?? []), image]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([distribution, list]) => ({
      distribution,
      images: list.sort((a, b) => b.name.localeCompare(a.name, undefined, { numeric: true })),
    }));
}

/** `<name>.<zone>`, or null while either is missing. */
export function fqdnOf(name: string, zone: string | null): string | null {
  const n = name.trim();
  return n && zone ? `${n}.${zone}` : null;
}

// ---- Progress timeline ----

export type StepId = "created" | "ip" | "dns" | "cloudInit";
export type StepState = "pending" | "running" | "done" | "failed" | "waiting" | "skipped" | "cancelled";

export interface Step {
  id: StepId;
  label: string;
  state: StepState;
  detail: string;
}

export interface Timeline {
  steps: Step[];
  warnings: string[];
  machineId: string | null;
  machineName: string | null;
  ip: string | null;
  fqdn: string | null;
}

/** The timeline when a create starts. */
export function startTimeline(opts: { dns: boolean; cloudInit: boolean }): Timeline {
  return {
    steps: [
      { id: "created", label: "Created", state: "running", detail: "Checking the request…" },
      { id: "ip", label: "IP assigned", state: "pending", detail: "" },
      opts.dns
        ? { id: "dns", label: "DNS record", state: "pending", detail: "" }
        : { id: "dns", label: "DNS record", state: "skipped", detail: "No DNS record requested." },
      opts.cloudInit
        ? { id: "cloudInit", label: "cloud-init done", state: "pending", detail: "" }
        : {
            id: "cloudInit",
            label: "cloud-init done",
            state: "skipped",
            detail: "No machine type: the machine gets no cloud-config.",
          },
    ],
    warnings: [],
    machineId: null,
    machineName: null,
    ip: null,
    fqdn: null,
  };
}

function set(t: Timeline, id: StepId, state: StepState, detail?: string): void {
  const step = t.steps.find((s) => s.id === id);
  if (!step || step.state === "skipped") return;
  step.state = state;
  if (detail !== undefined) step.detail = detail;
}

function stateOf(t: Timeline, id: StepId): StepState | undefined {
  return t.steps.find((s) => s.id === id)?.state;
}

/** The step after `id` that is not skipped starts running. */
function next(t: Timeline, id: StepId, detail: string): void {
  const order: StepId[] = ["created", "ip", "dns", "cloudInit"];
  for (const later of order.slice(order.indexOf(id) + 1)) {
    if (stateOf(t, later) !== "skipped") {
      set(t, later, "running", detail);
      return;
    }
  }
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** Applies one progress event (in place; returns `t`). */
export function applyEvent(t: Timeline, e: CreateProgress): Timeline {
  switch (e.event) {
    case "checking":
      set(t, "created", "running", "Checking the request…");
      break;
    case "created":
      t.machineId = e.id;
      t.machineName = e.name;
      set(t, "created", "done", `Machine ${e.name} (id ${e.id})`);
      set(t, "ip", "running", "Waiting for a public IP…");
      break;
    case "projectAssigned":
      break;
    case "waitingForIp":
      set(t, "ip", "running", `Waiting for a public IP… ${seconds(e.elapsedMs)} s`);
      break;
    case "ipAssigned":
      t.ip = e.ip;
      set(t, "ip", "done", e.ip);
      next(t, "ip", stateOf(t, "dns") === "skipped" ? "Asking the machine…" : "Creating the record…");
      break;
    case "dnsRecordCreated":
      t.fqdn = e.fqdn;
      set(t, "dns", "done", `${e.fqdn} → ${t.ip ?? ""}`.trim());
      next(t, "dns", "Asking the machine…");
      break;
    case "warning":
      t.warnings.push(sentence(e.message));
      break;
    case "cloudInitChecked":
      set(
        t,
        "cloudInit",
        "waiting",
        e.status === "UNKNOWN"
          ? `Waiting: the machine does not answer the status check yet (${seconds(e.elapsedMs)} s).`
          : `cloud-init reports “${e.status}” (${seconds(e.elapsedMs)} s).`,
      );
      break;
    case "done":
      // The result that follows says how each step ended.
      break;
  }
  return t;
}

/** The core's messages start in lower case (the CLI prefixes them); a UI line starts upper. */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Marks every unfinished step from the outcome (in place; returns `t`). */
export function finishTimeline(t: Timeline, o: CreateOutcome): Timeline {
  t.machineId = o.machine.id;
  t.machineName = o.machine.name;
  t.ip = o.ip;
  t.fqdn = o.dnsRecord?.fqdn ?? t.fqdn;
  const end: StepState = o.cancelled ? "cancelled" : "failed";
  // The core names the record in its DNS problems ("no DNS record <fqdn> was created");
  // an IP problem mentions the IP (and may add that no record was created).
  const isDns = (m: string) => /no DNS record \S+ was created/.test(m);
  const find = (ok: (m: string) => boolean) => {
    const found = o.problems.map((p) => p.message).find(ok);
    return found === undefined ? undefined : sentence(found);
  };
  set(t, "created", "done", `Machine ${o.machine.name} (id ${o.machine.id})`);
  if (!o.ip) {
    set(t, "ip", end, find((m) => !isDns(m) && m.includes("IP")) ?? (o.cancelled ? "Cancelled before an IP was assigned." : "No IP was assigned."));
  }
  if (stateOf(t, "dns") !== "skipped" && !o.dnsRecord) {
    set(t, "dns", end, find(isDns) ?? "No DNS record was created.");
  }
  const c = o.cloudInit;
  switch (c.state) {
    case "done":
      set(t, "cloudInit", "done", `cloud-init reports “${c.status}”.`);
      break;
    case "failed":
      set(t, "cloudInit", "failed", `cloud-init reports “${c.status}”: look at the machine's logs.`);
      break;
    case "unconfirmed":
      set(t, "cloudInit", "waiting", c.message);
      break;
    case "noIp":
      set(t, "cloudInit", end, "Not checked: the machine has no IP.");
      break;
    case "notRequested":
      break;
  }
  // A warning a step now shows is not repeated below the timeline.
  t.warnings = t.warnings.filter((w) => !t.steps.some((s) => s.detail === w));
  return t;
}

/** A create ended with something left to clean up or retry. */
export function isPartial(o: CreateOutcome): boolean {
  return o.cancelled || o.problems.length > 0;
}
