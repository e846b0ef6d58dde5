// The machine type form's model: what the inputs hold, the checks shown as the user types,
// and the conversion to and from the `MachineType` the backend keeps. The backend checks
// everything again (and builds the preview); these checks only make mistakes visible early.
import type { MachineType_Deserialize, MachineType_Serialize } from "./bindings";

export type ArgsMode = "none" | "line" | "list";

export interface TypeForm {
  name: string;
  userName: string;
  scriptUrl: string;
  scriptDir: string;
  scriptPath: string;
  argsMode: ArgsMode;
  argsLine: string;
  argsList: string[];
}

export type FieldErrors = Partial<Record<"name" | "userName" | "script" | "scriptUrl" | "scriptDir" | "scriptPath" | "args", string>>;

export function emptyForm(): TypeForm {
  return { name: "", userName: "", scriptUrl: "", scriptDir: "", scriptPath: "", argsMode: "none", argsLine: "", argsList: [] };
}

export function formFrom(name: string, t: MachineType_Serialize): TypeForm {
  const args = t.script_args;
  return {
    name,
    userName: t.new_user_name,
    scriptUrl: t.script_url ?? "",
    scriptDir: t.script_dir ?? "",
    scriptPath: t.script_path ?? "",
    argsMode: args === undefined ? "none" : Array.isArray(args) ? "list" : "line",
    argsLine: typeof args === "string" ? args : "",
    argsList: Array.isArray(args) ? [...args] : [],
  };
}

const opt = (v: string): string | null => (v.trim() === "" ? null : v.trim());

export function typeFrom(f: TypeForm): MachineType_Deserialize {
  let script_args: string | string[] | null = null;
  if (f.argsMode === "line" && f.argsLine.trim() !== "") script_args = f.argsLine;
  if (f.argsMode === "list") script_args = [...f.argsList];
  return {
    new_user_name: f.userName.trim(),
    script_url: opt(f.scriptUrl),
    script_dir: opt(f.scriptDir),
    script_path: opt(f.scriptPath),
    script_args,
  };
}

const hasVar = (v: string) => v.includes("${");

/** A login name as Hangar accepts it: `^[a-z_][a-z0-9_-]*[$]?$`, at most 32, not root. */
export function userNameError(v: string): string | null {
  const name = v.trim();
  if (name === "") return "A user name is required.";
  if (hasVar(name)) return null;
  if (name.length > 32) return "At most 32 characters.";
  if (name === "root") return "Not root: Hangar creates a separate user with sudo rights.";
  if (!/^[a-z_][a-z0-9_-]*\$?$/.test(name))
    return "Start with a lowercase letter or _, then lowercase letters, digits, _ or -.";
  return null;
}

/** A type name must fit in the `machine:type:<name>` tag. */
export function nameError(v: string, taken: string[]): string | null {
  const name = v.trim();
  if (name === "") return "A name is required.";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "Use letters, digits, '.', '_' or '-'.";
  if (taken.includes(name)) return `A machine type named “${name}” already exists.`;
  return null;
}

function absPathError(v: string): string | null {
  if (hasVar(v)) return null;
  if (!v.startsWith("/")) return "Must be an absolute path (start with /).";
  if (v !== "/" && (v.endsWith("/") || v.includes("//") || v.split("/").some((s) => s === "." || s === "..")))
    return "Not a normalized path: remove ., .., doubled and trailing /.";
  return null;
}

export function validateForm(f: TypeForm, taken: string[]): FieldErrors {
  const e: FieldErrors = {};
  const n = nameError(f.name, taken);
  if (n) e.name = n;
  const u = userNameError(f.userName);
  if (u) e.userName = u;
  const url = f.scriptUrl.trim();
  const dir = f.scriptDir.trim();
  const path = f.scriptPath.trim();
  if (url && !hasVar(url) && !/^https?:\/\/[^/\s]+/.test(url)) e.scriptUrl = "Must be an http:// or https:// URL with a host.";
  if (dir) {
    const d = absPathError(dir);
    if (d) e.scriptDir = d;
  }
  if (path) {
    const p = path === "/" ? "Must name a file, not /." : absPathError(path);
    if (p) e.scriptPath = p;
  }
  const set = [url, dir, path].filter((v) => v !== "").length;
  if (set !== 0 && set !== 3) e.script = "Set script URL, directory and path together, or none of them.";
  const hasArgs = (f.argsMode === "line" && f.argsLine.trim() !== "") || (f.argsMode === "list" && f.argsList.length > 0);
  if (hasArgs && set === 0) e.args = "Arguments need a setup script.";
  else if (f.argsMode === "line" && /[\n\r\0]/.test(f.argsLine)) e.args = "One line; use a list for arguments with line breaks.";
  else if (f.argsMode === "list" && f.argsList.some((a) => a.includes("\0"))) e.args = "An argument contains a NUL character.";
  return e;
}

/** Moves item `i` of `list` by `delta` places; returns a new list (unchanged when out of range). */
export function moveItem<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return list;
  const out = [...list];
  const [moved] = out.splice(i, 1) as [T];
  out.splice(j, 0, moved);
  return out;
}
