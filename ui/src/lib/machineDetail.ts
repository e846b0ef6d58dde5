// The machine detail view's wording, free of Svelte and of the backend: money, durations,
// memory, and the activity of this app session.

/** USD with cents; fractions of a cent as "< $0.01"; an unknown amount as "—". */
export function money(usd: number | null): string {
  if (usd === null) return "—";
  if (usd > 0 && usd < 0.01) return "< $0.01";
  return `$${usd.toFixed(2)}`;
}

/** An hourly price: enough digits to tell plans apart. */
export function hourly(usd: number | null): string {
  if (usd === null) return "—";
  return `$${usd.toFixed(usd < 0.1 ? 4 : 3)}/h`;
}

/** Hours as the largest sensible unit: "45 min", "7 h", "12 days". */
export function duration(hours: number | null): string {
  if (hours === null) return "—";
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

/** MB of memory as "512 MB" or "2 GB". */
export function memory(mb: number): string {
  return mb < 1024 ? `${mb} MB` : `${Number((mb / 1024).toFixed(1))} GB`;
}

/** One thing done to a machine from this app session, and how it ended. */
export type ActivityEntry = { atMs: number; action: string; ok: boolean; text: string };

/** The activity of every machine in this app session, newest first, per `<account>/<id>`. */
const activity = new Map<string, ActivityEntry[]>();

/** Notes what happened to machine `key`; returns its activity, newest first. */
export function record(key: string, entry: ActivityEntry): ActivityEntry[] {
  const list = [entry, ...(activity.get(key) ?? [])].slice(0, 50);
  activity.set(key, list);
  return list;
}

/** What was done to machine `key` in this app session, newest first. */
export function activityOf(key: string): ActivityEntry[] {
  return activity.get(key) ?? [];
}
