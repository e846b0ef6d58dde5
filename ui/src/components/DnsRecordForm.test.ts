import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { emptyForm } from "../lib/dns";
import DnsRecordForm from "./DnsRecordForm.svelte";

function setup(type: Parameters<typeof emptyForm>[0] = "A", onsave = vi.fn().mockResolvedValue(null)) {
  render(DnsRecordForm, {
    props: { zone: "example.com", initial: emptyForm(type), editing: false, onsave, oncancel: vi.fn() },
  });
  return onsave;
}

const field = (f: string) => screen.getByTestId(`dns-field-${f}`) as HTMLInputElement;
async function type(f: string, value: string) {
  await fireEvent.input(field(f), { target: { value } });
  await fireEvent.blur(field(f));
}

describe("DnsRecordForm", () => {
  it("checks an A record's address and name as they are typed", async () => {
    setup("A");
    await type("name", "a b");
    expect(screen.getByTestId("dns-error-name").textContent).toContain("letters, digits");
    await type("name", "www");
    expect(screen.queryByTestId("dns-error-name")).toBeNull();
    await type("data", "2001:db8::1");
    expect(screen.getByTestId("dns-error-data").textContent).toContain("IPv4");
    await type("data", "192.0.2.7");
    expect(screen.queryByTestId("dns-error-data")).toBeNull();
    await type("ttl", "10");
    expect(screen.getByTestId("dns-error-ttl").textContent).toContain("30");
  });

  it("labels every field and ties its message to it", async () => {
    setup("SRV");
    expect(screen.getByLabelText("Name")).toBe(field("name"));
    expect(screen.getByLabelText("TTL (seconds)")).toBe(field("ttl"));
    expect(screen.getByLabelText("Port")).toBe(field("port"));
    expect(screen.getByLabelText("Target (hostname)")).toBe(field("data"));
    await type("port", "x");
    const help = document.getElementById(field("port").getAttribute("aria-describedby")!);
    expect(help?.textContent).toContain("whole number");
    expect(field("port").getAttribute("aria-invalid")).toBe("true");
  });

  it("cancels with Escape", async () => {
    const oncancel = vi.fn();
    render(DnsRecordForm, {
      props: { zone: "example.com", initial: emptyForm("A"), editing: false, onsave: vi.fn(), oncancel },
    });
    await fireEvent.keyDown(field("name"), { key: "Escape" });
    expect(oncancel).toHaveBeenCalledOnce();
  });

  it("checks an AAAA record's address", async () => {
    setup("AAAA");
    await type("data", "192.0.2.7");
    expect(screen.getByTestId("dns-error-data").textContent).toContain("IPv6");
  });

  it("shows the fields of each type when the type changes", async () => {
    setup("A");
    const select = field("type") as unknown as HTMLSelectElement;
    const extras = () => ["priority", "weight", "port", "flags", "tag"].filter((f) => screen.queryByTestId(`dns-field-${f}`));
    expect(extras()).toEqual([]);
    await fireEvent.change(select, { target: { value: "MX" } });
    expect(extras()).toEqual(["priority"]);
    await fireEvent.change(select, { target: { value: "SRV" } });
    expect(extras()).toEqual(["priority", "weight", "port"]);
    await fireEvent.change(select, { target: { value: "CAA" } });
    expect(extras()).toEqual(["flags", "tag"]);
    await fireEvent.change(select, { target: { value: "TXT" } });
    expect(extras()).toEqual([]);
    expect(screen.getByTestId("dns-field-data").tagName).toBe("TEXTAREA");
  });

  it("refuses to send an SRV record with missing or out-of-range numbers", async () => {
    const onsave = setup("SRV");
    await type("name", "_sip._tcp");
    await type("data", "sip.example.com.");
    await type("port", "70000");
    expect(screen.getByTestId("dns-error-port").textContent).toContain("0 to 65535");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    expect(onsave).not.toHaveBeenCalled();
    expect(screen.getByTestId("dns-error-priority")).toBeTruthy();
    expect(screen.getByTestId("dns-error-weight")).toBeTruthy();
    await type("priority", "10");
    await type("weight", "5");
    await type("port", "5060");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    expect(onsave).toHaveBeenCalledWith({
      recordType: "SRV",
      name: "_sip._tcp",
      data: "sip.example.com.",
      ttl: null,
      priority: 10,
      weight: 5,
      port: 5060,
      flags: null,
      tag: null,
    });
  });

  it("checks a CAA record's tag, flags and iodef value", async () => {
    const onsave = setup("CAA");
    await type("name", "@");
    await type("flags", "300");
    expect(screen.getByTestId("dns-error-flags").textContent).toContain("0 to 255");
    await type("flags", "0");
    await fireEvent.change(field("tag"), { target: { value: "iodef" } });
    await type("data", "security@example.com");
    expect(screen.getByTestId("dns-error-data").textContent).toContain("mailto:");
    await type("data", "mailto:security@example.com");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    expect(onsave).toHaveBeenCalledOnce();
    expect(onsave.mock.calls[0]![0]).toMatchObject({ recordType: "CAA", flags: 0, tag: "iodef" });
  });

  it("needs an MX priority and a hostname, and a TXT text within the limit", async () => {
    setup("MX");
    await type("data", "mail server");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    expect(screen.getByTestId("dns-error-priority").textContent).toContain("priority");
    expect(screen.getByTestId("dns-error-data").textContent).toContain("hostname");
    await fireEvent.change(field("type"), { target: { value: "TXT" } });
    await type("data", "x".repeat(513));
    expect(screen.getByTestId("dns-error-data").textContent).toContain("512");
  });

  it("shows the core's refusal in place and is disabled while saving", async () => {
    let finish!: (v: string | null) => void;
    const onsave = vi.fn(() => new Promise<string | null>((r) => (finish = r)));
    setup("A", onsave);
    await type("name", "www");
    await type("data", "192.0.2.7");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    const save = screen.getByTestId("dns-form-save") as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(save.textContent).toBe("Saving…");
    expect(field("data").disabled).toBe(true);
    finish("data \"192.0.2.7\" is already used\nsecond line");
    await vi.waitFor(() => expect(screen.getByTestId("dns-form-error")).toBeTruthy());
    expect(screen.getByTestId("dns-form-error").textContent).toContain("already used");
    expect(screen.getByTestId("dns-form-error").querySelectorAll("p")).toHaveLength(2);
    expect((screen.getByTestId("dns-form-save") as HTMLButtonElement).disabled).toBe(false);
  });
});
