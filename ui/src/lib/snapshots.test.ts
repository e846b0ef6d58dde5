import { describe, expect, it } from "vitest";
import type { Snapshot_Serialize as Snapshot } from "./bindings";
import { snapshotLabel, snapshotsIn } from "./snapshots";

const snap = (id: string, over: Partial<Snapshot> = {}): Snapshot => ({
  id,
  name: `snap-${id}`,
  machineId: null,
  createdAt: `2026-12-0${id}T12:00:00Z`,
  sizeGb: null,
  regions: [],
  minDiskGb: null,
  status: "available",
  ...over,
});

describe("snapshots in the create form", () => {
  it("offers only available snapshots of the region (any region when none are named), newest first", () => {
    const list = [
      snap("1", { regions: ["nyc3"] }),
      snap("2", { regions: ["sfo3"] }),
      snap("3"),
      snap("4", { status: "pending" }),
      snap("5", { status: { unknown: "deleted" } }),
    ];
    expect(snapshotsIn(list, "nyc3").map((s) => s.id)).toEqual(["3", "1"]);
    expect(snapshotsIn(list, "ewr").map((s) => s.id)).toEqual(["3"]);
  });

  it("labels a snapshot with what the provider gave", () => {
    expect(snapshotLabel(snap("1"))).toBe("snap-1");
    expect(snapshotLabel(snap("1", { sizeGb: 2.36, minDiskGb: 25, machineId: "500000001" }))).toBe(
      "snap-1 · 2.36 GB · needs 25 GB disk · from 500000001",
    );
  });
});
