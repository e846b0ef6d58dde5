// Wording for the firewall dialog: the durations offered and the time a grant has left. The
// limits come from the core (`firewall_panel`); only what fits them is offered.

export type DurationChoice = { minutes: number; label: string };

const OFFERED: DurationChoice[] = [
  // Long enough to connect: the providers' firewalls are stateful, so a session opened
  // while the rule exists outlives it.
  { minutes: 1, label: "1 minute" },
  { minutes: 5, label: "5 minutes" },
  { minutes: 15, label: "15 minutes" },
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 120, label: "2 hours" },
  { minutes: 240, label: "4 hours" },
  { minutes: 480, label: "8 hours" },
  { minutes: 1440, label: "1 day" },
  { minutes: 4320, label: "3 days" },
  { minutes: 10080, label: "7 days" },
];

/** The durations between `min` and `max` minutes. */
export function durationChoices(min: number, max: number): DurationChoice[] {
  return OFFERED.filter((c) => c.minutes >= min && c.minutes <= max);
}

/** `1h 05m left`, `4m 10s left`, or that the grant has expired and waits for the sweep. */
export function timeLeft(expiresAtSecs: number, nowMs: number): string {
  const left = Math.floor(expiresAtSecs - nowMs / 1000);
  if (left <= 0) return "expired, removed at the next sweep";
  const d = Math.floor(left / 86400);
  const h = Math.floor((left % 86400) / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${h}h left`;
  if (h > 0) return `${h}h ${two(m)}m left`;
  return `${m}m ${two(s)}s left`;
}
