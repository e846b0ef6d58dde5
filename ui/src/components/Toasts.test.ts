import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { KEPT, toast, toasts } from "../lib/toasts.svelte";
import Toasts from "./Toasts.svelte";

describe("Toasts", () => {
  beforeEach(() => {
    toasts.splice(0, toasts.length);
  });

  it("shows the newest three and counts the older ones, which can be dismissed", async () => {
    for (const n of [1, 2, 3, 4, 5]) toast("bad", `failure ${n}`);
    render(Toasts);
    const shown = () => screen.getAllByTestId("toast").map((t) => t.querySelector(".text")?.textContent);
    expect(shown()).toEqual(["failure 3", "failure 4", "failure 5"]);
    const older = screen.getByTestId("toasts-older");
    expect(older.textContent).toBe("2 older · dismiss");
    await fireEvent.click(older);
    expect(toasts.map((t) => t.text)).toEqual(["failure 3", "failure 4", "failure 5"]);
    expect(screen.queryByTestId("toasts-older")).toBeNull();
  });

  it("keeps the newest toasts only, so errors left on screen do not pile up", () => {
    for (let n = 1; n <= KEPT + 5; n++) toast("bad", `failure ${n}`);
    expect(toasts).toHaveLength(KEPT);
    expect(toasts[0]?.text).toBe("failure 6");
    expect(toasts.at(-1)?.text).toBe(`failure ${KEPT + 5}`);
  });
});
