import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeAll, describe, expect, it, vi } from "vitest";
import ConfirmDialog from "./ConfirmDialog.svelte";

const props = {
  open: false,
  titleId: "t",
  title: "Delete “web”?",
  confirmLabel: "Delete",
  busyLabel: "Deleting…",
  testid: "dialog",
  confirmTestid: "confirm",
  cancelTestid: "cancel",
};

describe("ConfirmDialog", () => {
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

  it("opens and closes with `open`, named by its title", async () => {
    const { rerender } = render(ConfirmDialog, { props: { ...props, onconfirm: vi.fn() } });
    const dialog = screen.getByTestId("dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(false);
    await rerender({ open: true });
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute("aria-labelledby")).toBe("t");
    expect(document.getElementById("t")?.textContent).toBe("Delete “web”?");
    await rerender({ open: false });
    expect(dialog.open).toBe(false);
  });

  it("confirms with the danger button, and Cancel closes it", async () => {
    const onconfirm = vi.fn();
    const onclose = vi.fn();
    render(ConfirmDialog, { props: { ...props, open: true, onconfirm, onclose } });
    const confirm = screen.getByTestId("confirm");
    expect(confirm.classList.contains("danger")).toBe(true);
    await fireEvent.click(confirm);
    expect(onconfirm).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByTestId("cancel"));
    expect(onclose).toHaveBeenCalledOnce();
    expect((screen.getByTestId("dialog") as HTMLDialogElement).open).toBe(false);
  });

  it("while busy: both buttons disabled, the busy label, and Escape does nothing", async () => {
    render(ConfirmDialog, { props: { ...props, open: true, busy: true, onconfirm: vi.fn() } });
    const confirm = screen.getByTestId("confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    expect(confirm.textContent).toBe("Deleting…");
    expect((screen.getByTestId("cancel") as HTMLButtonElement).disabled).toBe(true);
    const escape = new Event("cancel", { cancelable: true });
    screen.getByTestId("dialog").dispatchEvent(escape);
    expect(escape.defaultPrevented).toBe(true);
  });

  it("keeps the confirm button disabled until allowed", async () => {
    const { rerender } = render(ConfirmDialog, { props: { ...props, open: true, confirmDisabled: true, onconfirm: vi.fn() } });
    expect((screen.getByTestId("confirm") as HTMLButtonElement).disabled).toBe(true);
    await rerender({ confirmDisabled: false });
    expect((screen.getByTestId("confirm") as HTMLButtonElement).disabled).toBe(false);
  });
});
