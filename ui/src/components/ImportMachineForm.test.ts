import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const importMachineConfig = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    machineConfigLocation: vi.fn(async () => ({ path: "/home/u/.config/machine/config.yml", exists: true })),
    importMachineConfig: (p: string) => importMachineConfig(p),
    providerList: async () => [
      { kind: "digitalocean", displayName: "DigitalOcean", accessUrl: "https://cloud.digitalocean.com/account/api/tokens", accessHelp: "Create a personal access token." },
      { kind: "vultr", displayName: "Vultr", accessUrl: "https://my.vultr.com/settings/#settingsapi", accessHelp: "Enable the API." },
    ],
  },
}));

const pickYamlFile = vi.fn();
vi.mock("../lib/filePicker", () => ({ pickYamlFile: (t: string, d?: string) => pickYamlFile(t, d) }));

import ImportMachineForm from "./ImportMachineForm.svelte";

describe("ImportMachineForm", () => {
  beforeEach(() => importMachineConfig.mockReset());

  it("prefills the default path and shows what was imported and skipped", async () => {
    importMachineConfig.mockResolvedValue({
      status: "ok",
      data: {
        source: "/home/u/.config/machine/config.yml",
        accounts: [{ id: "x", label: "DigitalOcean (from machine)", provider: "digitalocean", keyLocation: "the keychain" }],
        machineTypes: ["web"],
        sessionId: "0123abcd",
        skipped: [{ item: "machine type db", reason: "a machine type with this name already exists" }],
        notes: [],
      },
    });
    const onimported = vi.fn();
    render(ImportMachineForm, { props: { onimported } });
    const path = screen.getByTestId("import-path") as HTMLInputElement;
    await waitFor(() => expect(path.value).toBe("/home/u/.config/machine/config.yml"));
    await fireEvent.submit(screen.getByTestId("import-form"));
    expect(importMachineConfig).toHaveBeenCalledWith("/home/u/.config/machine/config.yml");
    expect((await screen.findByTestId("import-account")).textContent).toContain("token in the keychain");
    expect(screen.getByTestId("import-account").textContent).toContain("(DigitalOcean)");
    expect(screen.getByTestId("import-type").textContent).toContain("web");
    expect(screen.getByTestId("import-session").textContent).toContain("0123abcd");
    expect(screen.getByTestId("import-skipped").textContent).toContain("already exists");
    expect(onimported).toHaveBeenCalled();
  });

  it("refuses an empty path and shows the backend's error in place", async () => {
    importMachineConfig.mockResolvedValue({ status: "error", error: { kind: "validation", message: "/x/config.yml is not a file" } });
    render(ImportMachineForm);
    const path = screen.getByTestId("import-path") as HTMLInputElement;
    await waitFor(() => expect(path.value).not.toBe(""));
    await fireEvent.input(path, { target: { value: "" } });
    await fireEvent.submit(screen.getByTestId("import-form"));
    expect(importMachineConfig).not.toHaveBeenCalled();
    await fireEvent.input(path, { target: { value: "/x/config.yml" } });
    await fireEvent.submit(screen.getByTestId("import-form"));
    expect((await screen.findByTestId("import-error")).textContent).toContain("is not a file");
  });

  it("fills the path from the native file picker, and keeps it when the picker is cancelled", async () => {
    pickYamlFile.mockResolvedValueOnce("/mnt/old/.machine/config.yml").mockResolvedValueOnce(null);
    render(ImportMachineForm);
    const path = screen.getByTestId("import-path") as HTMLInputElement;
    await waitFor(() => expect(path.value).not.toBe(""));
    await fireEvent.click(screen.getByTestId("import-browse"));
    await waitFor(() => expect(path.value).toBe("/mnt/old/.machine/config.yml"));
    expect(pickYamlFile).toHaveBeenCalledWith("machine's config.yml", "/home/u/.config/machine/config.yml");
    await fireEvent.click(screen.getByTestId("import-browse"));
    await waitFor(() => expect(pickYamlFile).toHaveBeenCalledTimes(2));
    expect(path.value).toBe("/mnt/old/.machine/config.yml");
  });
});
