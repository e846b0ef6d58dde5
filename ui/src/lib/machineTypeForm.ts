// The machine type form's model: what the inputs hold, the conversion to and from the
// `MachineType` the backend keeps, and how the core's problems with it are shown. The rules
// are the core's (`check_machine_type`, asked as the user types); none is kept here.
import type { FieldProblem, MachineType_Deserialize, MachineType_Serialize, NamedMachineType_Deserialize, TypeField } from "./bindings";
import { byField } from "./validation";

/** How the arguments are written: one shell line, or a list of single arguments. Either
 * left empty means no arguments, so the input is always there to type into. */
export type ArgsMode = "line" | "list";

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

export type FieldErrors = Partial<Record<TypeField, string>>;

export function emptyForm(): TypeForm {
  return { name: "", userName: "", scriptUrl: "", scriptDir: "", scriptPath: "", argsMode: "line", argsLine: "", argsList: [] };
}

export function formFrom(name: string, t: MachineType_Serialize): TypeForm {
  const args = t.script_args;
  return {
    name,
    userName: t.new_user_name,
    scriptUrl: t.script_url ?? "",
    scriptDir: t.script_dir ?? "",
    scriptPath: t.script_path ?? "",
    argsMode: Array.isArray(args) && args.length > 0 ? "list" : "line",
    argsLine: typeof args === "string" ? args : "",
    argsList: Array.isArray(args) ? [...args] : [],
  };
}

const opt = (v: string): string | null => (v.trim() === "" ? null : v.trim());

export function typeFrom(f: TypeForm): MachineType_Deserialize {
  let script_args: string | string[] | null = null;
  if (f.argsMode === "line" && f.argsLine.trim() !== "") script_args = f.argsLine;
  if (f.argsMode === "list" && f.argsList.length > 0) script_args = [...f.argsList];
  return {
    new_user_name: f.userName.trim(),
    script_url: opt(f.scriptUrl),
    script_dir: opt(f.scriptDir),
    script_path: opt(f.scriptPath),
    script_args,
  };
}

/** What the form sends to the core, to check, preview or save. */
export function entryOf(f: TypeForm): NamedMachineType_Deserialize {
  return { name: f.name.trim(), machineType: typeFrom(f) };
}

/** What the form shows beside each field: the core's problems with the type, and a name that
 * another type of the list already has (saving a new type under it would replace that one). */
export function formErrors(problems: FieldProblem[], f: TypeForm, taken: string[]): FieldErrors {
  const e = byField(problems);
  const name = f.name.trim();
  if (name === "") e.name = "A name is required.";
  else if (e.name === undefined && taken.includes(name)) e.name = `A machine type named “${name}” already exists.`;
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
