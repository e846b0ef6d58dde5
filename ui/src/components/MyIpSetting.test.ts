import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const commands = vi.hoisted(() => ({ myIpSetting: vi.fn(), setMyIpUrl: vi.fn() }));
vi.mock("../lib/bindings", () => ({ commands }));

import MyIpSetting from "./MyIpSetting.svelte";

const ok = <T>(data: T) => ({ status: "ok", data });
const DEFAULT = "https://api.ipify.org";

beforeEach(() => {
  for (const f of Object.values(commands)) f.mockReset();
});

describe("the What is my IP setting", () => {
  it("shows the URL, saves a new one and shows the core's refusal", async () => {
    commands.myIpSetting.mockResolvedValue(ok({ url: DEFAULT, defaultUrl: DEFAULT }));
    render(MyIpSetting);
    const input = (await screen.findByTestId("my-ip-url")) as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe(DEFAULT));
    const save = screen.getByTestId("my-ip-save") as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    commands.setMyIpUrl.mockResolvedValueOnce({
      status: "error",
      error: { kind: "validation", message: "`ftp://x` must be an https:// or http:// address" },
    });
    await fireEvent.input(input, { target: { value: "ftp://x" } });
    await fireEvent.click(save);
    expect((await screen.findByTestId("my-ip-error")).textContent).toContain("must be an https://");

    commands.setMyIpUrl.mockResolvedValueOnce(ok({ url: "https://ifconfig.me/ip", defaultUrl: DEFAULT }));
    await fireEvent.input(input, { target: { value: "https://ifconfig.me/ip" } });
    await fireEvent.click(save);
    await waitFor(() => expect(screen.queryByTestId("my-ip-error")).toBeNull());
    expect(commands.setMyIpUrl).toHaveBeenLastCalledWith("https://ifconfig.me/ip");
    expect(input.value).toBe("https://ifconfig.me/ip");
  });
});
