import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const listMachineTypes = vi.fn();
const saveMachineType = vi.fn();
const previewMachineType = vi.fn();
const deleteMachineType = vi.fn();
const checkMachineType = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    checkMachineType: (e: unknown) => checkMachineType(e),
    listMachineTypes: () => listMachineTypes(),
    saveMachineType: (p: unknown, e: unknown) => saveMachineType(p, e),
    deleteMachineType: (n: string) => deleteMachineType(n),
    previewMachineType: (e: unknown) => previewMachineType(e),
  },
}));

import MachineTypesScreen from "./MachineTypesScreen.svelte";

type Entry = { name: string; machineType: { new_user_name: string; script_url: string | null; script_args: unknown } };

/** The core's answers for the types these tests type (the rules themselves are the core's). */
function core(e: Entry) {
  const p: { field: string; message: string }[] = [];
  const user = e.machineType.new_user_name;
  if (user === "") p.push({ field: "userName", message: "the user name is empty" });
  else if (user !== user.toLowerCase()) p.push({ field: "userName", message: `\`${user}\` is not a valid user name: start with a lowercase letter` });
  if (e.machineType.script_args != null && e.machineType.script_url == null)
    p.push({ field: "args", message: "arguments need a setup script (script_url, script_dir and script_path)" });
  if (e.name.includes(".")) p.push({ field: "name", message: `\`${e.name}\` cannot be used in a tag: use letters, digits, \`_\`, \`-\` or \`:\`` });
  return p;
}

const ok = <T>(data: T) => ({ status: "ok", data });

describe("MachineTypesScreen", () => {
  beforeAll(() => {
    // jsdom has no modal dialogs.
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
      this.dispatchEvent(new Event("close"));
    };
  });
  beforeEach(() => {
    deleteMachineType.mockReset();
    checkMachineType.mockReset();
    checkMachineType.mockImplementation(async (e: Entry) => core(e));
    listMachineTypes.mockReset();
    saveMachineType.mockReset();
    previewMachineType.mockReset();
    listMachineTypes.mockResolvedValue(ok([{ name: "web", machineType: { new_user_name: "deploy" } }]));
    previewMachineType.mockImplementation(async (e: { machineType: { new_user_name: string } }) =>
      e.machineType.new_user_name === "Bad"
        ? { status: "error", error: { kind: "validation", message: "machine type `web`: new_user_name: not valid" } }
        : ok(`#cloud-config\nusers:\n- name: ${e.machineType.new_user_name}\n`),
    );
  });

  it("edits the first type and shows its preview, updated as the form changes", async () => {
    render(MachineTypesScreen);
    const user = (await screen.findByTestId("type-user")) as HTMLInputElement;
    await waitFor(() => expect(user.value).toBe("deploy"));
    await waitFor(() => expect(screen.getByTestId("type-preview").textContent).toContain("name: deploy"));

    await fireEvent.input(user, { target: { value: "ops" } });
    await waitFor(() => expect(screen.getByTestId("type-preview").textContent).toContain("name: ops"));

    // Invalid input: the core's verdict beside the field, and its reason beside the preview.
    await fireEvent.input(user, { target: { value: "Bad" } });
    expect((await screen.findByTestId("type-user-error")).textContent).toBe(
      "“Bad” is not a valid user name: start with a lowercase letter",
    );
    expect(checkMachineType).toHaveBeenLastCalledWith({
      name: "web",
      machineType: { new_user_name: "Bad", script_url: null, script_dir: null, script_path: null, script_args: null },
    });
    expect((await screen.findByTestId("type-preview-error")).textContent).toContain("new_user_name");
  });

  it("takes the name rule from the core: `:` is fine, `.` is not", async () => {
    render(MachineTypesScreen);
    const name = (await screen.findByTestId("type-name")) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe("web"));
    await fireEvent.input(name, { target: { value: "db:primary" } });
    await waitFor(() => expect(checkMachineType).toHaveBeenLastCalledWith(expect.objectContaining({ name: "db:primary" })));
    expect(screen.queryByText(/cannot be used in a tag/)).toBeNull();
    await fireEvent.input(name, { target: { value: "db.primary" } });
    expect(await screen.findByText("“db.primary” cannot be used in a tag: use letters, digits, “_”, “-” or “:”")).toBeTruthy();
  });

  it("saves through the backend with the save button disabled meanwhile, and refuses invalid input", async () => {
    let finish: (v: unknown) => void = () => {};
    saveMachineType.mockImplementation(() => new Promise((r) => (finish = r)));
    render(MachineTypesScreen);
    const user = (await screen.findByTestId("type-user")) as HTMLInputElement;
    await waitFor(() => expect(user.value).toBe("deploy"));

    // Submitted before the pause: the core is asked at once, and refuses.
    await fireEvent.input(user, { target: { value: "" } });
    await fireEvent.submit(screen.getByTestId("type-form"));
    expect((await screen.findByTestId("type-user-error")).textContent).toBe("The user name is empty");
    expect(saveMachineType).not.toHaveBeenCalled();

    await fireEvent.input(user, { target: { value: "ops" } });
    await fireEvent.click(screen.getByTestId("args-mode-list"));
    await fireEvent.click(screen.getByTestId("arg-add"));
    expect((await screen.findByTestId("type-args-error")).textContent).toMatch(/need a setup script/);
    // The one-line input is there at once; left empty it means no arguments.
    await fireEvent.click(screen.getByTestId("args-mode-line"));
    expect((screen.getByTestId("args-line") as HTMLInputElement).value).toBe("");
    await fireEvent.submit(screen.getByTestId("type-form"));
    await waitFor(() => expect(saveMachineType).toHaveBeenCalled());
    expect(saveMachineType).toHaveBeenCalledWith("web", {
      name: "web",
      machineType: { new_user_name: "ops", script_url: null, script_dir: null, script_path: null, script_args: null },
    });
    const button = screen.getByTestId("type-save") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    finish(ok(null));
    await waitFor(() => expect(button.disabled).toBe(false));
  });

  it("shows the argument input of a new type at once, with no mode to pick first", async () => {
    render(MachineTypesScreen);
    await waitFor(() => expect((screen.getByTestId("type-user") as HTMLInputElement).value).toBe("deploy"));
    await fireEvent.click(screen.getByTestId("type-new"));
    const line = (await screen.findByTestId("args-line")) as HTMLInputElement;
    expect(line.value).toBe("");
    expect((screen.getByTestId("args-mode-line") as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByTestId("args-mode-none")).toBeNull();
  });

  it("lists the demo cloud's types marked, without Delete, and saves one as the user's own copy", async () => {
    listMachineTypes.mockResolvedValue(
      ok([
        { name: "db", machineType: { new_user_name: "pg" }, fromDemo: false },
        { name: "web", machineType: { new_user_name: "app" }, fromDemo: true },
      ]),
    );
    saveMachineType.mockResolvedValue(ok(null));
    render(MachineTypesScreen);
    await waitFor(() => expect(screen.getAllByTestId("type-item")).toHaveLength(2));
    const items = screen.getAllByTestId("type-item");
    expect(items[0]!.querySelector("[data-testid=type-demo-badge]")).toBeNull();
    expect(items[1]!.querySelector("[data-testid=type-demo-badge]")?.textContent).toBe("demo");
    // The user's own type can be deleted; the demo's cannot, and says what saving does.
    expect(screen.getByTestId("type-delete")).toBeTruthy();
    expect(screen.queryByTestId("type-demo-note")).toBeNull();
    await fireEvent.click(items[1]!);
    await waitFor(() => expect((screen.getByTestId("type-user") as HTMLInputElement).value).toBe("app"));
    expect(screen.queryByTestId("type-delete")).toBeNull();
    expect(screen.getByTestId("type-demo-note").textContent).toContain("your own copy");
    await fireEvent.submit(screen.getByTestId("type-form"));
    await waitFor(() => expect(saveMachineType).toHaveBeenCalledWith("web", expect.objectContaining({ name: "web" })));
  });

  it("deletes only after confirming, then shows the empty state", async () => {
    deleteMachineType.mockResolvedValue(ok(null));
    render(MachineTypesScreen);
    await waitFor(() => expect((screen.getByTestId("type-user") as HTMLInputElement).value).toBe("deploy"));
    await fireEvent.click(screen.getByTestId("type-delete"));
    expect(deleteMachineType).not.toHaveBeenCalled();
    expect(screen.getByText("Delete “web”?")).toBeTruthy();
    listMachineTypes.mockResolvedValue(ok([]));
    await fireEvent.click(screen.getByTestId("type-delete-confirm"));
    expect(deleteMachineType).toHaveBeenCalledWith("web");
    expect(await screen.findByTestId("types-empty")).toBeTruthy();
    expect((screen.getByTestId("type-delete-dialog") as HTMLDialogElement).open).toBe(false);
    expect(screen.getByText("New machine type")).toBeTruthy();
  });
});
