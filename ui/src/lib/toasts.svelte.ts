// Result toasts: every mutating action reports its outcome here, and `Toasts.svelte` shows them.

export type ToastTone = "ok" | "bad" | "info";

export interface Toast {
  id: number;
  tone: ToastTone;
  text: string;
}

/** How long a toast stays, by tone. Errors stay until dismissed. */
const LIFETIME_MS: Record<ToastTone, number | null> = { ok: 4000, info: 4000, bad: null };

let nextId = 1;

/** The toasts on screen, newest last. */
export const toasts = $state<Toast[]>([]);

/** How many toasts are kept: errors stay until dismissed, so a long session that keeps
 * failing drops the oldest rather than holding them all. */
export const KEPT = 20;

/** Shows a toast and returns its id. */
export function toast(tone: ToastTone, text: string): number {
  const id = nextId++;
  toasts.push({ id, tone, text });
  if (toasts.length > KEPT) toasts.splice(0, toasts.length - KEPT);
  const life = LIFETIME_MS[tone];
  if (life !== null) setTimeout(() => dismiss(id), life);
  return id;
}

/** Removes a toast. */
export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

/** The words of any thrown value or typed `AppError`. */
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") return e.message;
  return String(e);
}
