import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const testToken = vi.fn();
const addAccount = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    testToken: (...args: unknown[]) => testToken(...args),
    addAccount: (...args: unknown[]) => addAccount(...args),
    providerList: async () => [
      { kind: "digitalocean", displayName: "DigitalOcean", accessUrl: "https://cloud.digitalocean.com/account/api/tokens", accessHelp: "Create a personal access token." },
      { kind: "vultr", displayName: "Vultr", accessUrl: "https://my.vultr.com/settings/#settingsapi", accessHelp: "Enable the API." },
    ],
  },
}));

import AddAccountForm from "./AddAccountForm.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("AddAccountForm", () => {
  beforeEach(() => {
    testToken.mockReset();
    addAccount.mockReset();
  });

  it("requires a label and a token before saving", async () => {
    render(AddAccountForm);
    await fireEvent.click(screen.getByTestId("save-account"));
    expect(await screen.findByText("Give the account a name.")).toBeTruthy();
    expect(screen.getByText("Paste the API token.")).toBeTruthy();
    expect(addAccount).not.toHaveBeenCalled();

    await fireEvent.input(screen.getByLabelText("Label"), { target: { value: "Work" } });
    await fireEvent.click(screen.getByTestId("save-account"));
    expect(screen.queryByText("Give the account a name.")).toBeNull();
    expect(screen.getByText("Paste the API token.")).toBeTruthy();
    expect(addAccount).not.toHaveBeenCalled();
  });

  it("requires a token before testing the connection", async () => {
    render(AddAccountForm);
    await fireEvent.click(screen.getByTestId("test-connection"));
    expect(await screen.findByText("Paste the API token.")).toBeTruthy();
    expect(testToken).not.toHaveBeenCalled();
  });

  it("disables both buttons while a test runs and shows the rejection", async () => {
    const pending = deferred<unknown>();
    testToken.mockReturnValue(pending.promise);
    render(AddAccountForm);
    await fireEvent.input(screen.getByLabelText("API token"), { target: { value: "bad-token" } });
    await fireEvent.click(screen.getByTestId("test-connection"));
    expect(testToken).toHaveBeenCalledWith("digitalocean", "bad-token", null);
    const testButton = screen.getByTestId("test-connection") as HTMLButtonElement;
    const saveButton = screen.getByTestId("save-account") as HTMLButtonElement;
    await waitFor(() => expect(testButton.disabled).toBe(true));
    expect(saveButton.disabled).toBe(true);
    expect(testButton.textContent).toContain("Testing");
    pending.resolve(ok({ status: "rejected", message: "rejected: check the token (HTTP 401)" }));
    await waitFor(() => expect(screen.getByTestId("test-result").textContent).toBe("Rejected: check the token."));
    expect(testButton.disabled).toBe(false);
    expect(saveButton.disabled).toBe(false);
  });

  it("saves, disables the buttons meanwhile, and clears the token afterwards", async () => {
    const pending = deferred<unknown>();
    addAccount.mockReturnValue(pending.promise);
    const onadded = vi.fn();
    render(AddAccountForm, { onadded });
    await screen.findByRole("option", { name: "Vultr" });
    await fireEvent.change(screen.getByLabelText("Provider"), { target: { value: "vultr" } });
    await fireEvent.input(screen.getByLabelText("Label"), { target: { value: " Work " } });
    await fireEvent.input(screen.getByLabelText("API token"), { target: { value: "tok-123" } });
    await fireEvent.input(screen.getByLabelText("Advanced: API URL"), {
      target: { value: "http://127.0.0.1:1234" },
    });
    await fireEvent.click(screen.getByTestId("save-account"));
    expect(addAccount).toHaveBeenCalledWith({
      provider: "vultr",
      label: "Work",
      token: "tok-123",
      baseUrl: "http://127.0.0.1:1234",
    });
    const saveButton = screen.getByTestId("save-account") as HTMLButtonElement;
    await waitFor(() => expect(saveButton.disabled).toBe(true));
    expect((screen.getByTestId("test-connection") as HTMLButtonElement).disabled).toBe(true);
    pending.resolve(ok({ id: "a1", label: "Work", provider: "vultr", simulated: false }));
    await waitFor(() => expect(onadded).toHaveBeenCalledWith("Work"));
    expect((screen.getByLabelText("API token") as HTMLInputElement).value).toBe("");
    expect((screen.getByLabelText("API token") as HTMLInputElement).type).toBe("password");
    expect(saveButton.disabled).toBe(false);
  });

  it("shows the core's message when saving fails (no keychain)", async () => {
    addAccount.mockResolvedValue({
      status: "error",
      error: { kind: "keychain", message: "No keychain is available: install gnome-keyring." },
    });
    render(AddAccountForm);
    await fireEvent.input(screen.getByLabelText("Label"), { target: { value: "Work" } });
    await fireEvent.input(screen.getByLabelText("API token"), { target: { value: "tok" } });
    await fireEvent.click(screen.getByTestId("save-account"));
    expect((await screen.findByTestId("save-error")).textContent).toContain("No keychain is available");
    // The token stays so the user can retry once the keychain is there.
    expect((screen.getByLabelText("API token") as HTMLInputElement).value).toBe("tok");
  });

  it("offers the core's providers, with where to create a token", async () => {
    render(AddAccountForm);
    await screen.findByRole("option", { name: "Vultr" });
    const select = screen.getByLabelText("Provider") as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ["digitalocean", "DigitalOcean"],
      ["vultr", "Vultr"],
    ]);
    expect(screen.getByTestId("account-token-about").textContent).toContain("https://cloud.digitalocean.com/account/api/tokens");
    await fireEvent.change(select, { target: { value: "vultr" } });
    expect(screen.getByTestId("account-token-about").textContent).toContain("Enable the API.");
  });

  it("asks before saving what the connection test just refused, not after a change", async () => {
    testToken.mockResolvedValue(ok({ status: "unreachable", message: "cannot connect: connection refused at http://127.0.0.1:9" }));
    addAccount.mockResolvedValue(ok({ id: "a1", label: "Work", provider: "digitalocean", simulated: false }));
    const onadded = vi.fn();
    render(AddAccountForm, { onadded });
    await fireEvent.input(screen.getByLabelText("Label"), { target: { value: "Work" } });
    await fireEvent.input(screen.getByLabelText("API token"), { target: { value: "tok" } });
    await fireEvent.input(screen.getByLabelText("Advanced: API URL"), { target: { value: "http://127.0.0.1:9" } });
    await fireEvent.click(screen.getByTestId("test-connection"));
    await waitFor(() => expect(screen.getByTestId("test-result").textContent).toContain("connection refused"));
    await fireEvent.click(screen.getByTestId("save-account"));
    expect(screen.getByTestId("confirm-save-failed").textContent).toContain("just failed");
    expect(addAccount).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("confirm-save-cancel"));
    expect(screen.queryByTestId("confirm-save-failed")).toBeNull();
    await fireEvent.click(screen.getByTestId("save-account"));
    await fireEvent.click(screen.getByTestId("confirm-save-anyway"));
    await waitFor(() => expect(onadded).toHaveBeenCalledWith("Work"));
    expect(addAccount).toHaveBeenCalledOnce();

    // A failed test of other values does not hold up saving changed ones.
    await fireEvent.input(screen.getByLabelText("Label"), { target: { value: "Side" } });
    await fireEvent.input(screen.getByLabelText("API token"), { target: { value: "tok2" } });
    await fireEvent.click(screen.getByTestId("test-connection"));
    await waitFor(() => expect(screen.getByTestId("test-result")).toBeTruthy());
    await fireEvent.input(screen.getByLabelText("API token"), { target: { value: "tok3" } });
    await fireEvent.click(screen.getByTestId("save-account"));
    expect(screen.queryByTestId("confirm-save-failed")).toBeNull();
    await waitFor(() => expect(addAccount).toHaveBeenCalledTimes(2));
  });
});
