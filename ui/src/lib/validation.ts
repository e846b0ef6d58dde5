// How the forms check what is typed: every rule lives in the core, and the forms ask it
// (`check_value`, `check_dns_record`, `check_machine_type`) as the person types, after a short
// pause, and once more right before submitting. Nothing here knows a rule; it only schedules
// the questions and words the answers for a form.
import { commands, type Rule } from "./bindings";

/** How long a form waits after the last change before asking the core. */
export const CHECK_DELAY_MS = 250;

/** A core message as a form shows it: a capital first letter, `code` in typographic quotes. */
export function formMessage(message: string): string {
  const quoted = message.replace(/`([^`]*)`/g, "“$1”");
  return quoted.charAt(0).toUpperCase() + quoted.slice(1);
}

/** Why `value` breaks `rule`, in the form's words; null when it does not. */
export async function checkRule(rule: Rule, value: string): Promise<string | null> {
  const why = await commands.checkValue(rule, value);
  return why === null ? null : formMessage(why);
}

/** Problems by field, in the form's words: the first problem of each field. */
export function byField<F extends string>(problems: { field: F; message: string }[]): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const p of problems) out[p.field] ??= formMessage(p.message);
  return out;
}

export interface Checker<I, O> {
  /** Checks `input` once the changes pause; the answer goes to `apply`. */
  schedule(input: I): void;
  /** Checks `input` at once (before submitting), drops any scheduled check, and returns the
   * answer (also given to `apply`). */
  now(input: I): Promise<O>;
  /** Drops the scheduled check and any answer still on its way. */
  cancel(): void;
}

/**
 * A check of what a form holds, asked of the core: `schedule` on every change, `now` before
 * submitting. Only the answer to the newest question reaches `apply`. A check that cannot be
 * asked (the backend failed) counts as `unknown`: the command that submits checks again.
 */
export function checker<I, O>(
  check: (input: I) => Promise<O>,
  apply: (answer: O, input: I) => void,
  unknown: O,
  delayMs: number = CHECK_DELAY_MS,
): Checker<I, O> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const ask = async (input: I, mine: number): Promise<O> => {
    let answer: O;
    try {
      answer = await check(input);
    } catch {
      answer = unknown;
    }
    if (mine === seq) apply(answer, input);
    return answer;
  };
  return {
    schedule(input) {
      clearTimeout(timer);
      const mine = ++seq;
      timer = setTimeout(() => void ask(input, mine), delayMs);
    },
    now(input) {
      clearTimeout(timer);
      return ask(input, ++seq);
    },
    cancel() {
      clearTimeout(timer);
      seq++;
    },
  };
}
