// Actions on one machine that the Machines table and the detail view share.
import { commands } from "./bindings";
import { sshCommand, sshUserNote } from "./machines";
import { errorText, type ToastTone } from "./toasts.svelte";

/** Copies text that is still being fetched. WebKit only lets a click write the clipboard
 * before its first await, so the write starts now with the text to come (a ClipboardItem
 * holding a promise); elsewhere the text is awaited and written. */
export async function copyLater(text: Promise<string>): Promise<string> {
  if (typeof ClipboardItem !== "undefined" && typeof navigator.clipboard.write === "function") {
    const blob = text.then((t) => new Blob([t], { type: "text/plain" }));
    await navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
    return text;
  }
  const t = await text;
  await navigator.clipboard.writeText(t);
  return t;
}

/** Copies the `ssh user@host` of a machine (call it straight from the click); says what was
 * copied, or why nothing was. */
export async function copySsh(
  accountId: string,
  machineId: string,
  name: string,
): Promise<{ tone: ToastTone; text: string }> {
  /** Why the ssh target could not be read, which says more than the clipboard's refusal. */
  let lookupError: unknown = null;
  try {
    const target = commands.sshTarget(accountId, machineId).then((res) => {
      if (res.status === "error") throw res.error;
      return res.data;
    });
    target.catch((e: unknown) => (lookupError = e));
    const command = await copyLater(target.then(sshCommand));
    const note = sshUserNote(await target);
    return { tone: note ? "info" : "ok", text: `Copied “${command}”${note ? ` — user ${note}` : ""}.` };
  } catch (e) {
    return { tone: "bad", text: `Could not copy the ssh command for ${name}: ${errorText(lookupError ?? e)}` };
  }
}

/** The words of a power action: what to call it, and what it did. */
export const powerWords: Record<"powerOn" | "powerOff" | "reboot", [string, string]> = {
  powerOn: ["power on", "Powered on"],
  powerOff: ["power off", "Powered off"],
  reboot: ["reboot", "Rebooted"],
};
