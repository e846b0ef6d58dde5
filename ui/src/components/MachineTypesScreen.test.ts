import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const listMachineTypes = vi.fn();
const saveMachineType = vi.fn();
const previewMachineType = vi.fn();
const deleteMachineType = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    listMachineTypes: () => listMachineTypes(),
    saveMachineType: (p: unknown, e: unknown) => saveMachineType(p, e),
    deleteMachineType: (n: string) => deleteMachineType(n),
    previewMachineType: (e: unknown) => previewMachineType(e),
  },
}));

import MachineTypesScreen from "./MachineTypesScreen.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

describe("MachineTypesScreen", () => {
  beforeAll(() => {
    // jsdom has no modal dialogs.
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
  });
  beforeEach(() => {
    deleteMachineType.mockReset();
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

    // Invalid input: a field error at once, and the backend's reason beside the preview.
    await fireEvent.input(user, { target: { value: "Bad" } });
    expect((await screen.findByTestId("type-user-error")).textContent).toMatch(/lowercase/);
    expect((await screen.findByTestId("type-preview-error")).textContent).toContain("new_user_name");
  });

  it("saves through the backend with the save button disabled meanwhile, and refuses invalid input", async () => {
    let finish: (v: unknown) => void = () => {};
    saveMachineType.mockImplementation(() => new Promise((r) => (finish = r)));
    render(MachineTypesScreen);
    const user = (await screen.findByTestId("type-user")) as HTMLInputElement;
    await waitFor(() => expect(user.value).toBe("deploy"));

    await fireEvent.input(user, { target: { value: "" } });
    await fireEvent.submit(screen.getByTestId("type-form"));
    expect(saveMachineType).not.toHaveBeenCalled();
    expect(screen.getByTestId("type-user-error").textContent).toMatch(/required/);

    await fireEvent.input(user, { target: { value: "ops" } });
    await fireEvent.click(screen.getByTestId("args-mode-list"));
    await fireEvent.click(screen.getByTestId("arg-add"));
    expect(screen.getByTestId("type-args-error").textContent).toMatch(/need a setup script/);
    await fireEvent.click(screen.getByTestId("args-mode-none"));
    await fireEvent.submit(screen.getByTestId("type-form"));
    expect(saveMachineType).toHaveBeenCalledWith("web", {
      name: "web",
      machineType: { new_user_name: "ops", script_url: null, script_dir: null, script_path: null, script_args: null },
    });
    const button = screen.getByTestId("type-save") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    finish(ok(null));
    await waitFor(() => expect(button.disabled).toBe(false));
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
    expect(screen.getByText("New machine type")).toBeTruthy();
  });
});
