// Snapshots as the create form offers them: only those a machine can be created from in the
// chosen region (available, and in that region where the provider keeps snapshots in regions).
import type { Snapshot_Serialize as Snapshot } from "./bindings";

/** The snapshots a machine can be created from in `region`, newest first. */
export function snapshotsIn(snapshots: Snapshot[], region: string): Snapshot[] {
  return snapshots
    .filter((s) => s.status === "available" && (s.regions.length === 0 || s.regions.includes(region)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** `before-upgrade · 2.36 GB · from 500000001`. */
export function snapshotLabel(s: Snapshot): string {
  const parts = [s.name];
  if (s.sizeGb !== null) parts.push(`${s.sizeGb} GB`);
  if (s.minDiskGb !== null) parts.push(`needs ${s.minDiskGb} GB disk`);
  if (s.machineId) parts.push(`from ${s.machineId}`);
  return parts.join(" · ");
}
