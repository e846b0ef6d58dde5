import { describe, expect, it } from "vitest";
import type { CreateOutcome_Serialize } from "./bindings";
import {
  applyEvent,
  finishTimeline,
  fqdnOf,
  imageGroups,
  planLabel,
  plansIn,
  startTimeline,
} from "./createMachine";

const plan = (slug: string, price: number, regions: string[]) => ({
  slug,
  vcpus: 1,
  memoryMb: 512,
  diskGb: 10,
  priceMonthly: price,
  regions,
});

describe("create form helpers", () => {
  it("lists a region's plans cheapest first", () => {
    const plans = [plan("b", 12, ["x"]), plan("a", 4, ["x", "y"]), plan("c", 6, ["y"])];
    expect(plansIn(plans, "x").map((p) => p.slug)).toEqual(["a", "b"]);
    expect(plansIn(plans, "y").map((p) => p.slug)).toEqual(["a", "c"]);
    expect(plansIn(plans, "z")).toEqual([]);
    expect(planLabel(plan("tiny", 4.5, []))).toBe("tiny · 1 vCPU · 512 MB RAM · 10 GB disk · $4.50/mo");
  });

  it("groups images by distribution, newest release first", () => {
    const groups = imageGroups([
      { id: "u22", distribution: "Ubuntu", name: "22.04 x64" },
      { id: "d12", distribution: "Debian", name: "12 x64" },
      { id: "u24", distribution: "Ubuntu", name: "24.04 x64" },
    ]);
    expect(groups.map((g) => [g.distribution, g.images.map((i) => i.id)])).toEqual([
      ["Debian", ["d12"]],
      ["Ubuntu", ["u24", "u22"]],
    ]);
  });

  it("builds the FQDN only from a name and a zone", () => {
    expect(fqdnOf(" web-1 ", "example.com")).toBe("web-1.example.com");
    expect(fqdnOf("", "example.com")).toBeNull();
    expect(fqdnOf("web-1", null)).toBeNull();
  });
});

describe("progress timeline", () => {
  const result = (over: Partial<CreateOutcome_Serialize>, cloudInit: CreateOutcome_Serialize["cloudInit"]): CreateOutcome_Serialize => ({
    machine: { id: "7", name: "w", tags: [], region: "x", ip: null, type: null },
    ip: null,
    dnsRecord: null,
    project: null,
    problems: [],
    cloudInit,
    cancelled: false,
    ...over,
  });

  it("fails the steps that did not happen, once, with the core's reason", () => {
    const t = startTimeline({ dns: true, cloudInit: true });
    applyEvent(t, { event: "created", id: "7", name: "w" });
    applyEvent(t, { event: "warning", message: "machine 7 has no public IP after 300 s" });
    finishTimeline(
      t,
      result(
        {
          problems: [
            { kind: "partial", message: "machine 7 has no public IP after 300 s" },
            { kind: "partial", message: "no DNS record w.example.com was created: the machine has no IP yet" },
          ],
        },
        { state: "noIp" },
      ),
    );
    const states = Object.fromEntries(t.steps.map((s) => [s.id, s.state]));
    expect(states).toEqual({ created: "done", ip: "failed", dns: "failed", cloudInit: "failed" });
    expect(t.steps[1]?.detail).toBe("Machine 7 has no public IP after 300 s");
    expect(t.steps[2]?.detail).toBe("No DNS record w.example.com was created: the machine has no IP yet");
    expect(t.warnings).toEqual([]);
  });

  it("never shows cloud-init done unless the machine said so", () => {
    const t = startTimeline({ dns: false, cloudInit: true });
    applyEvent(t, { event: "created", id: "7", name: "w" });
    applyEvent(t, { event: "ipAssigned", ip: "192.0.2.9" });
    expect(t.steps[3]?.state).toBe("running");
    applyEvent(t, { event: "cloudInitChecked", status: "UNKNOWN", elapsedMs: 9000 });
    expect(t.steps[3]?.state).toBe("waiting");
    finishTimeline(t, result({ ip: "192.0.2.9" }, { state: "unconfirmed", lastStatus: "UNKNOWN", message: "Not confirmed after 180 s." }));
    expect(t.steps[3]).toMatchObject({ state: "waiting", detail: "Not confirmed after 180 s." });
    finishTimeline(t, result({ ip: "192.0.2.9" }, { state: "done", status: "done" }));
    expect(t.steps[3]?.state).toBe("done");
  });
});

describe("progress timeline, cancelled", () => {
  it("marks the steps a cancel stopped as cancelled, and ignores the done event", () => {
    const t = startTimeline({ dns: true, cloudInit: false });
    applyEvent(t, { event: "created", id: "7", name: "w" });
    applyEvent(t, { event: "waitingForIp", elapsedMs: 3000 });
    expect(t.steps[1]?.detail).toContain("3 s");
    applyEvent(t, { event: "done" });
    finishTimeline(t, {
      machine: { id: "7", name: "w", tags: [], region: "x", ip: null, type: null },
      ip: null,
      dnsRecord: null,
      project: null,
      problems: [],
      cloudInit: { state: "notRequested" },
      cancelled: true,
    });
    expect(t.steps.map((s) => s.state)).toEqual(["done", "cancelled", "cancelled", "skipped"]);
  });
});
