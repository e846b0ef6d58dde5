import { describe, expect, it } from "vitest";
import { emptyForm, formFrom, moveItem, typeFrom, userNameError, validateForm, type TypeForm } from "./machineTypeForm";

const script = { scriptUrl: "https://example.com/s.sh", scriptDir: "/opt/s", scriptPath: "/opt/s/s.sh" };
const form = (over: Partial<TypeForm>): TypeForm => ({ ...emptyForm(), name: "web", userName: "deploy", ...over });

describe("machine type form", () => {
  it("accepts login names and refuses the rest", () => {
    for (const ok of ["deploy", "_svc", "a-b_c9", "machine$", "${USER_NAME}"]) expect(userNameError(ok)).toBeNull();
    expect(userNameError("")).toMatch(/required/);
    expect(userNameError("root")).toMatch(/Not root/);
    expect(userNameError("Alice")).toMatch(/lowercase/);
    expect(userNameError("9x")).toMatch(/lowercase/);
    expect(userNameError("a".repeat(33))).toMatch(/32/);
  });

  it("needs a name that is not taken", () => {
    expect(validateForm(form({ name: "" }), []).name).toMatch(/required/);
    expect(validateForm(form({ name: "a b" }), []).name).toBeTruthy();
    expect(validateForm(form({}), ["web"]).name).toMatch(/already exists/);
    expect(validateForm(form({}), ["db"])).toEqual({});
  });

  it("wants script url, directory and path together, and arguments only with a script", () => {
    expect(validateForm(form({ scriptUrl: script.scriptUrl }), []).script).toMatch(/together/);
    expect(validateForm(form(script), [])).toEqual({});
    expect(validateForm(form({ ...script, scriptUrl: "ftp://x" }), []).scriptUrl).toBeTruthy();
    expect(validateForm(form({ ...script, scriptDir: "opt" }), []).scriptDir).toMatch(/absolute/);
    expect(validateForm(form({ ...script, scriptPath: "/opt/../x" }), []).scriptPath).toMatch(/normalized/);
    expect(validateForm(form({ argsMode: "list", argsList: ["x"] }), []).args).toMatch(/need a setup script/);
    expect(validateForm(form({ ...script, argsMode: "line", argsLine: "a\nb" }), []).args).toMatch(/One line/);
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
    expect(formFrom("web", { new_user_name: "deploy", script_args: "--x $MACHINE_FQDN" })).toMatchObject({
      argsMode: "line",
      argsLine: "--x $MACHINE_FQDN",
    });
    expect(typeFrom(form({ argsMode: "none", argsLine: "ignored" })).script_args).toBeNull();
  });

  it("moves list items within bounds only", () => {
    expect(moveItem(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveItem(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
    expect(moveItem(["a", "b"], 1, 1)).toEqual(["a", "b"]);
  });
});
