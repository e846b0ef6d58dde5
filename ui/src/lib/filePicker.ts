// The native open-file dialog (tauri-plugin-dialog; the app grants only `dialog:allow-open`).
import { open } from "@tauri-apps/plugin-dialog";

/** Asks for one YAML file; `null` when the user cancels. */
export async function pickYamlFile(title: string, defaultPath?: string): Promise<string | null> {
  const chosen = await open({
    title,
    multiple: false,
    directory: false,
    defaultPath: defaultPath || undefined,
    filters: [{ name: "YAML", extensions: ["yml", "yaml"] }],
  });
  return typeof chosen === "string" ? chosen : null;
}
