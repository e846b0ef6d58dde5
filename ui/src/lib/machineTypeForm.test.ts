import { describe, expect, it } from "vitest";
import { emptyForm, entryOf, formErrors, formFrom, moveItem, typeFrom, type TypeForm } from "./machineTypeForm";

const script = { scriptUrl: "https://example.com/s.sh", scriptDir: "/opt/s", scriptPath: "/opt/s/s.sh" };
const form = (over: Partial<TypeForm>): TypeForm => ({ ...emptyForm(), name: "web", userName: "deploy", ...over });

describe("machine type form", () => {
  it("shows the core's problems by field, in the form's words", () => {
    const e = formErrors(
      [
        { field: "userName", message: "`Ops` is not a valid user name: start with a lowercase letter" },
        { field: "userName", message: "a second problem of the same field" },
        { field: "script", message: "set all three to run a setup script, or none" },
      ],
      form({}),
      [],
    );
    expect(e).toEqual({
      userName: "“Ops” is not a valid user name: start with a lowercase letter",
      script: "Set all three to run a setup script, or none",
    });
  });

  it("needs a name that no other type of the list has", () => {
    expect(formErrors([], form({ name: " " }), []).name).toMatch(/required/);
    expect(formErrors([], form({}), ["web"]).name).toMatch(/already exists/);
    expect(formErrors([], form({}), ["db"])).toEqual({});
    // The core's verdict on the name comes first.
    expect(formErrors([{ field: "name", message: "`a b` cannot be used in a tag" }], form({ name: "a b" }), ["a b"]).name).toBe(
      "“a b” cannot be used in a tag",
    );
  });

  it("round-trips a type, with arguments as a line or a list", () => {
    const f = form({ ...script, argsMode: "list", argsList: ["--role", "web server"] });
    const t = typeFrom(f);
    expect(t).toEqual({
      new_user_name: "deploy",
      script_url: script.scriptUrl,
      script_dir: script.scriptDir,
      script_path: script.scriptPath,
      script_args: ["--role", "web server"],
    });
    expect(entryOf({ ...f, name: " web " })).toEqual({ name: "web", machineType: t });
    expect(formFrom("web", { new_user_name: "deploy", script_args: "--x $MACHINE_FQDN" })).toMatchObject({
      argsMode: "line",
      argsLine: "--x $MACHINE_FQDN",
    });
    expect(typeFrom(form({ argsMode: "line", argsLine: "  " })).script_args).toBeNull();
    expect(typeFrom(form({ argsMode: "list", argsList: [] })).script_args).toBeNull();
    expect(typeFrom(form({ argsMode: "list", argsLine: "ignored", argsList: [] })).script_args).toBeNull();
  });

  it("moves list items within bounds only", () => {
    expect(moveItem(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveItem(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
    expect(moveItem(["a", "b"], 1, 1)).toEqual(["a", "b"]);
  });
});
