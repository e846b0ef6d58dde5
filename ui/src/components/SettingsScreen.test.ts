import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const settingsInfo = vi.fn();
const setSessionId = vi.fn();
const setTheme = vi.fn();
const setDemoCloud = vi.fn();
const checkValue = vi.fn();
const setAskBeforePower = vi.fn();
vi.mock("../lib/bindings", () => ({
  commands: {
    checkValue: (rule: string, v: string) => checkValue(rule, v),
    settingsInfo: () => settingsInfo(),
    setSessionId: (id: string) => setSessionId(id),
    setTheme: (t: string) => setTheme(t),
    setDemoCloud: (m: string) => setDemoCloud(m),
    setAskBeforePower: (ask: boolean) => setAskBeforePower(ask),
    myIpSetting: vi.fn(async () => ({ status: "ok", data: { url: "https://api.ipify.org", defaultUrl: "https://api.ipify.org" } })),
    appInfo: vi.fn(async () => ({ name: "Hangar", version: "1.0.0", os: "linux", arch: "x86_64", profile: "debug" })),
  },
}));

import SettingsScreen from "./SettingsScreen.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });
const info = {
  settingsPath: "/home/u/.config/app.hangar.desktop/settings.yml",
  keychain: "Secret Service (GNOME Keyring / KWallet)",
  sessionId: "0123abcd",
  activeSessionId: "0123abcd",
  theme: "system",
  demoCloud: "auto",
  demoShown: false,
  askBeforePower: false,
  build: { name: "Hangar", version: "1.0.0", os: "linux", arch: "x86_64", profile: "debug" },
};

describe("SettingsScreen", () => {
  beforeEach(() => {
    for (const f of [settingsInfo, setSessionId, setTheme, setDemoCloud, checkValue, setAskBeforePower]) f.mockReset();
    // The core's verdict: this test only types these two ids.
    checkValue.mockImplementation(async (_rule: string, v: string) =>
      v === "89abcdef" ? null : `\`${v}\` is not 8 lowercase hex characters`,
    );
    settingsInfo.mockResolvedValue(ok({ ...info }));
    delete document.documentElement.dataset.theme;
  });

  it("asks the core about a new session id and warns about the old session's machines", async () => {
    setSessionId.mockResolvedValue(ok("89abcdef"));
    render(SettingsScreen);
    const input = (await screen.findByTestId("session-id")) as HTMLInputElement;
    expect(input.value).toBe("0123abcd");
    const save = screen.getByTestId("session-save") as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    await fireEvent.input(input, { target: { value: "demo0001" } });
    await waitFor(() => expect(screen.getByTestId("session-error").textContent).toBe("“demo0001” is not 8 lowercase hex characters"));
    expect(checkValue).toHaveBeenCalledWith("sessionId", "demo0001");
    expect(save.disabled).toBe(true);

    await fireEvent.input(input, { target: { value: "89abcdef" } });
    expect(screen.getByTestId("session-warning").textContent).toContain("0123abcd");
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(setSessionId).toHaveBeenCalledWith("89abcdef"));
    // Checked by the core once more right before it was sent.
    expect(checkValue).toHaveBeenLastCalledWith("sessionId", "89abcdef");
  });

  it("does not send a session id the core refuses on submit", async () => {
    render(SettingsScreen);
    const input = (await screen.findByTestId("session-id")) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "0123abcX" } });
    await fireEvent.submit(input.closest("form")!);
    await waitFor(() => expect(screen.getByTestId("session-error").textContent).toContain("8 lowercase hex"));
    expect(setSessionId).not.toHaveBeenCalled();
  });

  it("switches the theme at once and saves it", async () => {
    setTheme.mockResolvedValue(ok(null));
    render(SettingsScreen);
    const dark = (await screen.findByTestId("theme-dark")) as HTMLInputElement;
    expect((screen.getByTestId("theme-system") as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(dark);
    expect(document.documentElement.dataset.theme).toBe("dark");
    await waitFor(() => expect(setTheme).toHaveBeenCalledWith("dark"));
    await fireEvent.click(screen.getByTestId("theme-system"));
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it("turns the power confirmation back on after “Don't ask again”", async () => {
    setAskBeforePower.mockResolvedValue(ok(null));
    render(SettingsScreen);
    const box = (await screen.findByTestId("ask-before-power")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    await waitFor(() => expect(setAskBeforePower).toHaveBeenCalledWith(true));
    await waitFor(() => expect(box.checked).toBe(true));
  });

  it("puts the theme back when it cannot be saved", async () => {
    setTheme.mockResolvedValue({ status: "error", error: { kind: "config", message: "read-only file system" } });
    render(SettingsScreen);
    await fireEvent.click(await screen.findByTestId("theme-light"));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
  });

  it("shows where settings and tokens are kept, and restores the demo cloud", async () => {
    setDemoCloud.mockResolvedValue(ok(null));
    render(SettingsScreen);
    expect((await screen.findByTestId("settings-keychain")).textContent).toBe("Secret Service (GNOME Keyring / KWallet)");
    expect(screen.getByTestId("settings-path").textContent).toContain("settings.yml");
    await fireEvent.click(screen.getByTestId("demo-restore"));
    expect(setDemoCloud).toHaveBeenCalledWith("shown");
    expect(await screen.findByTestId("about-version")).toBeTruthy();
  });
});
