import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import ArgsListEditor from "./ArgsListEditor.svelte";

const values = () => screen.getAllByTestId("arg-input").map((i) => (i as HTMLInputElement).value);

describe("ArgsListEditor", () => {
  it("adds, edits, reorders and removes arguments with labelled buttons", async () => {
    render(ArgsListEditor, { props: { items: ["--role", "web"] } });
    expect(values()).toEqual(["--role", "web"]);
    expect(screen.getByLabelText("Argument 1")).toBeTruthy();

    await fireEvent.click(screen.getByTestId("arg-add"));
    const third = screen.getByLabelText("Argument 3") as HTMLInputElement;
    await fireEvent.input(third, { target: { value: "two words" } });
    expect(values()).toEqual(["--role", "web", "two words"]);

    await fireEvent.click(screen.getByRole("button", { name: "Move argument 3 up" }));
    expect(values()).toEqual(["--role", "two words", "web"]);
    expect((screen.getByRole("button", { name: "Move argument 1 up" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Move argument 3 down" }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByRole("button", { name: "Move argument 1 down" }));
    expect(values()).toEqual(["two words", "--role", "web"]);

    await fireEvent.click(screen.getByRole("button", { name: "Remove argument 2" }));
    expect(values()).toEqual(["two words", "web"]);
  });

  it("says so when there are no arguments", () => {
    render(ArgsListEditor, { props: { items: [] } });
    expect(screen.getByText("No arguments yet.")).toBeTruthy();
  });
});
