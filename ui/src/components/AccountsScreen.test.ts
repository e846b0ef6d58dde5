import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountList_Serialize } from "../lib/bindings";

const listAccounts = vi.fn();
const removeAccount = vi.fn();
const editAccount = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    listAccounts: () => listAccounts(),
    removeAccount: (id: string, withTypes: boolean) => removeAccount(id, withTypes),
    editAccount: (...args: unknown[]) => editAccount(...args),
    testToken: vi.fn(),
    addAccount: vi.fn(),
    machineConfigLocation: vi.fn(async () => ({ path: "/home/u/.config/machine/config.yml", exists: false })),
    importMachineConfig: vi.fn(),
    providerList: async () => [
      { kind: "digitalocean", displayName: "DigitalOcean", accessUrl: "https://cloud.digitalocean.com/account/api/tokens", accessHelp: "Create a personal access token." },
      { kind: "vultr", displayName: "Vultr", accessUrl: "https://my.vultr.com/settings/#settingsapi", accessHelp: "Enable the API." },
    ],
  },
}));

import AccountsScreen from "./AccountsScreen.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

const configured: AccountList_Serialize = {
  accounts: [
    {
      id: "a1",
      label: "Work",
      provider: "digitalocean",
      simulated: false,
      key: { stored: true, last4: "WXYZ", storeName: "Secret Service" },
      baseUrl: null,
      error: null,
      importedTypes: [],
    },
    {
      id: "a2",
      label: "Side",
      provider: "vultr",
      simulated: false,
      key: { stored: false, last4: null, storeName: "Secret Service" },
      baseUrl: null,
      error: "The token of `Side` is not in the keychain.",
      importedTypes: [],
    },
  ],
  problem: null,
};

describe("AccountsScreen", () => {
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
    listAccounts.mockReset();
    removeAccount.mockReset();
    editAccount.mockReset();
  });

  it("shows where each token is kept, never more than its last four characters", async () => {
    listAccounts.mockResolvedValue(ok(configured));
    render(AccountsScreen);
    const keys = await screen.findAllByTestId("account-key");
    expect(keys.map((k) => k.textContent)).toEqual([
      "Stored in Secret Service · ••••WXYZ",
      "Missing from Secret Service",
    ]);
    expect(screen.getByText("The token of `Side` is not in the keychain.")).toBeTruthy();
    // Provider names come from the core's provider list.
    await waitFor(() =>
      expect(screen.getAllByTestId("account-row").map((r) => r.querySelectorAll("td")[1]?.textContent)).toEqual(["DigitalOcean", "Vultr"]),
    );
  });

  it("closes the confirmation on Cancel without removing anything", async () => {
    listAccounts.mockResolvedValue(ok(configured));
    render(AccountsScreen);
    await fireEvent.click((await screen.findAllByTestId("remove-account"))[0]!);
    const dialog = screen.getByTestId("remove-dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(document.getElementById("remove-title")?.textContent).toBe("Remove “Work”?");
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(dialog.open).toBe(false);
    expect(removeAccount).not.toHaveBeenCalled();
  });

  it("removes only after confirming, with the button disabled meanwhile", async () => {
    listAccounts.mockResolvedValue(ok(configured));
    let finish!: (v: unknown) => void;
    removeAccount.mockReturnValue(new Promise((r) => (finish = r)));
    render(AccountsScreen);
    const removeWork = (await screen.findAllByTestId("remove-account"))[0]!;
    await fireEvent.click(removeWork);
    expect(removeAccount).not.toHaveBeenCalled();
    expect(screen.getByText("Remove “Work”?")).toBeTruthy();
    const confirm = screen.getByTestId("confirm-remove") as HTMLButtonElement;
    await fireEvent.click(confirm);
    expect(removeAccount).toHaveBeenCalledWith("a1", false);
    await waitFor(() => expect(confirm.disabled).toBe(true));
    listAccounts.mockResolvedValue(ok({ ...configured, accounts: configured.accounts.slice(1) }));
    finish(ok(null));
    expect((await screen.findByTestId("accounts-notice")).textContent).toContain("Removed “Work”");
    await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(1));
  });

  it("shows the error when removing fails", async () => {
    listAccounts.mockResolvedValue(ok(configured));
    removeAccount.mockResolvedValue({
      status: "error",
      error: { kind: "keychain", message: "The keychain is locked." },
    });
    render(AccountsScreen);
    const removeWork = (await screen.findAllByTestId("remove-account"))[0]!;
    await fireEvent.click(removeWork);
    await fireEvent.click(screen.getByTestId("confirm-remove"));
    expect((await screen.findByTestId("accounts-notice")).textContent).toBe("The keychain is locked.");
  });

  it("shows an account's API URL, and edits its name, URL and token", async () => {
    const withUrl = { ...configured.accounts[0]!, baseUrl: "http://127.0.0.1:8080/v2" };
    listAccounts.mockResolvedValue(ok({ ...configured, accounts: [withUrl, configured.accounts[1]!] }));
    editAccount.mockResolvedValue(ok({ ...withUrl, label: "Ocean" }));
    render(AccountsScreen);
    expect((await screen.findByTestId("account-url")).textContent).toBe("API: http://127.0.0.1:8080/v2");
    await fireEvent.click(screen.getAllByTestId("edit-account")[0]!);
    const form = screen.getByTestId("edit-account-form");
    const field = (id: string) => form.querySelector(`#edit-acc-${id}`) as HTMLInputElement;
    expect(field("label").value).toBe("Work");
    expect(field("url").value).toBe("http://127.0.0.1:8080/v2");
    expect(field("token").value).toBe("");
    expect((form.querySelector("#edit-acc-provider") as HTMLSelectElement).disabled).toBe(true);
    expect(form.textContent).toContain("the current token stays (••••WXYZ)");
    // Without a new token there is nothing to test.
    expect((form.querySelector("[data-testid=test-connection]") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(field("label"), { target: { value: "Ocean" } });
    await fireEvent.input(field("token"), { target: { value: "dop_v1_new" } });
    await fireEvent.input(field("url"), { target: { value: "" } });
    await fireEvent.click(form.querySelector("[data-testid=save-account]")!);
    await waitFor(() => expect(editAccount).toHaveBeenCalledWith("a1", { label: "Ocean", baseUrl: null, token: "dop_v1_new" }));
    expect((await screen.findByTestId("accounts-notice")).textContent).toBe("Saved “Ocean”.");
    await waitFor(() => expect(screen.queryByTestId("edit-account-form")).toBeNull());
  });

  it("offers to remove the machine types the account's import added", async () => {
    const imported = { ...configured.accounts[0]!, importedTypes: ["builder", "web"] };
    listAccounts.mockResolvedValue(ok({ ...configured, accounts: [imported, configured.accounts[1]!] }));
    removeAccount.mockResolvedValue(ok(null));
    render(AccountsScreen);
    // An account without imported types offers nothing.
    await fireEvent.click((await screen.findAllByTestId("remove-account"))[1]!);
    expect(screen.queryByTestId("remove-with-types")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await fireEvent.click(screen.getAllByTestId("remove-account")[0]!);
    expect(screen.getByTestId("remove-dialog").textContent).toContain("builder, web");
    await fireEvent.click(screen.getByTestId("remove-with-types"));
    await fireEvent.click(screen.getByTestId("confirm-remove"));
    expect(removeAccount).toHaveBeenCalledWith("a1", true);
    expect((await screen.findByTestId("accounts-notice")).textContent).toContain("the machine types builder, web");
  });
});
