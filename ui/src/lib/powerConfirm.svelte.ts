// Whether power off and reboot ask first: the user's "Don't ask again", kept in the settings
// (`ask_before_power` in the Settings screen's info). Shared by the table, the bulk bar and
// the detail view.
import { commands, type PowerAction } from "./bindings";

export const powerPrefs = $state({ ask: true });

let loading: Promise<void> | null = null;

/** Reads the setting once; until it is read, every power off and reboot asks. */
export function loadPowerPrefs(): Promise<void> {
  loading ??= (async () => {
    try {
      const res = await commands.settingsInfo();
      if (res.status === "ok") powerPrefs.ask = res.data.askBeforePower;
      else loading = null;
    } catch {
      loading = null;
    }
  })();
  return loading;
}

/** Saves the choice (the Settings screen and "Don't ask again"); throws what went wrong. */
export async function setAskBeforePower(ask: boolean): Promise<void> {
  const res = await commands.setAskBeforePower(ask);
  if (res.status === "error") throw new Error(res.error.message);
  powerPrefs.ask = ask;
}

/** Whether `action` needs a confirmation now: power on never does. */
export function needsConfirmation(action: PowerAction): boolean {
  return action !== "powerOn" && powerPrefs.ask;
}

/** The confirmation's words for `action` on `names`. */
export function powerQuestion(action: PowerAction, names: string[]): { title: string; body: string; confirm: string } {
  const what = names.length === 1 ? names[0] : `${names.length} machines`;
  if (action === "reboot") {
    return {
      title: `Reboot ${what}?`,
      body: "Running programs stop and connections drop while the machine restarts.",
      confirm: "Reboot",
    };
  }
  return {
    title: `Power off ${what}?`,
    body:
      "Powering off is like pulling the plug: unsaved work is lost. A machine that is off is still billed, because its disk, address and reserved capacity stay yours; to stop paying, take a snapshot and destroy it.",
    confirm: "Power off",
  };
}

/** Forgets the loaded setting (tests). */
export function resetPowerPrefs(): void {
  loading = null;
  powerPrefs.ask = true;
}
