import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DnsRecordSpec_Deserialize, RecordProblem } from "../lib/bindings";

const checkDnsRecord = vi.fn<(spec: DnsRecordSpec_Deserialize) => Promise<RecordProblem[]>>();
const dnsRecordHints = vi.fn<(zone: string, spec: DnsRecordSpec_Deserialize, others: DnsRecordSpec_Deserialize[]) => Promise<string[]>>();
vi.mock("../lib/bindings", () => ({
  commands: {
    checkDnsRecord: (spec: DnsRecordSpec_Deserialize) => checkDnsRecord(spec),
    dnsRecordHints: (zone: string, spec: DnsRecordSpec_Deserialize, others: DnsRecordSpec_Deserialize[]) => dnsRecordHints(zone, spec, others),
  },
}));

import { emptyForm, specOf } from "../lib/dns";
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

/** The core's answers for the specs these tests type (the rules themselves are the core's). */
function core(spec: DnsRecordSpec_Deserialize): RecordProblem[] {
  const p: RecordProblem[] = [];
  if (spec.name.includes(" ")) p.push({ field: "name", message: `name \`${spec.name}\` is not a valid record name (letters, digits, …)` });
  if (spec.ttl === 10) p.push({ field: "ttl", message: "TTL 10 is out of range: use 30 to 2147483647 seconds" });
  if (spec.recordType === "A" && spec.data === "2001:db8::1") p.push({ field: "data", message: "A record data `2001:db8::1` is not an IPv4 address" });
  if (spec.recordType === "SRV") {
    if (spec.priority == null) p.push({ field: "priority", message: "an SRV record needs a priority (0-65535)" });
    if (spec.weight == null) p.push({ field: "weight", message: "an SRV record needs a weight (0-65535)" });
    if (spec.port == null) p.push({ field: "port", message: "an SRV record needs a port (0-65535)" });
  }
  return p;
}

describe("DnsRecordForm", () => {
  beforeEach(() => {
    checkDnsRecord.mockReset();
    dnsRecordHints.mockReset();
    dnsRecordHints.mockResolvedValue([]);
    checkDnsRecord.mockImplementation(async (spec) => core(spec));
  });

  it("asks the core as the fields are typed and shows its problems beside them", async () => {
    setup("A");
    await type("name", "a b");
    await waitFor(() => expect(screen.getByTestId("dns-error-name").textContent).toContain("Name “a b” is not a valid record name"));
    expect(checkDnsRecord).toHaveBeenLastCalledWith(expect.objectContaining({ recordType: "A", name: "a b" }));
    await type("name", "www");
    // The old verdict goes at once; the core's new one says nothing is wrong.
    expect(screen.queryByTestId("dns-error-name")).toBeNull();
    await waitFor(() => expect(checkDnsRecord).toHaveBeenLastCalledWith(expect.objectContaining({ name: "www" })));
    expect(screen.queryByTestId("dns-error-name")).toBeNull();
    await type("data", "2001:db8::1");
    await waitFor(() => expect(screen.getByTestId("dns-error-data").textContent).toContain("IPv4"));
    await type("ttl", "10");
    await waitFor(() => expect(screen.getByTestId("dns-error-ttl").textContent).toContain("30"));
  });

  it("shows a field's problem as it is typed, once the core answered, and not for untouched fields", async () => {
    render(DnsRecordForm, {
      props: { zone: "example.com", initial: { ...emptyForm("A"), ttl: "10" }, editing: true, onsave: vi.fn(), oncancel: vi.fn() },
    });
    await fireEvent.input(field("name"), { target: { value: "a b" } });
    // Nothing before the core's answer: the old verdict went with the change.
    expect(screen.queryByTestId("dns-error-name")).toBeNull();
    await waitFor(() => expect(checkDnsRecord).toHaveBeenLastCalledWith(expect.objectContaining({ name: "a b" })));
    // Without leaving the field.
    await waitFor(() => expect(screen.getByTestId("dns-error-name")).toBeTruthy());
    // A field not typed into yet shows nothing, even with a problem: the core refuses the
    // TTL of 10 the record came with, but it is shown only once the field is touched.
    expect(checkDnsRecord).toHaveBeenLastCalledWith(expect.objectContaining({ ttl: 10 }));
    expect(screen.queryByTestId("dns-error-ttl")).toBeNull();
    await fireEvent.input(field("ttl"), { target: { value: "10" } });
    await waitFor(() => expect(screen.getByTestId("dns-error-ttl")).toBeTruthy());
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

  it("shows the core's hints as the record is typed, and still saves", async () => {
    const spf: DnsRecordSpec_Deserialize = { ...specOf({ ...emptyForm("TXT"), name: "@", data: "v=spf1 mx -all" }) };
    dnsRecordHints.mockImplementation(async (_zone, spec, others) =>
      spec.data.startsWith("v=spf1") && others.length > 0 ? ["example.com already has an SPF record: merge them into one."] : [],
    );
    const onsave = vi.fn().mockResolvedValue(null);
    render(DnsRecordForm, {
      props: { zone: "example.com", initial: emptyForm("TXT"), editing: false, others: [spf], onsave, oncancel: vi.fn() },
    });
    await fireEvent.input(field("name"), { target: { value: "@" } });
    await fireEvent.input(field("data"), { target: { value: "v=spf1 include:_spf.example.net -all" } });
    await waitFor(() => expect(screen.getByTestId("dns-hint").textContent).toContain("merge them"));
    expect(dnsRecordHints).toHaveBeenLastCalledWith("example.com", expect.objectContaining({ data: "v=spf1 include:_spf.example.net -all" }), [spf]);
    await fireEvent.submit(screen.getByTestId("dns-form"));
    await waitFor(() => expect(onsave).toHaveBeenCalled());
    await fireEvent.input(field("data"), { target: { value: "hello" } });
    await waitFor(() => expect(screen.queryByTestId("dns-hint")).toBeNull());
  });

  it("cancels with Escape", async () => {
    const oncancel = vi.fn();
    render(DnsRecordForm, {
      props: { zone: "example.com", initial: emptyForm("A"), editing: false, onsave: vi.fn(), oncancel },
    });
    await fireEvent.keyDown(field("name"), { key: "Escape" });
    expect(oncancel).toHaveBeenCalledOnce();
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

  it("checks again right before saving and sends nothing the core refuses", async () => {
    const onsave = setup("SRV");
    await type("name", "_sip._tcp");
    await type("data", "sip.example.com.");
    await type("port", "70000");
    // A number the field cannot carry is the form's own to flag.
    expect(screen.getByTestId("dns-error-port").textContent).toContain("0 to 65535");
    // Saved at once, before any pause: the core is asked then, and refuses.
    checkDnsRecord.mockClear();
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    await waitFor(() => expect(screen.getByTestId("dns-error-priority")).toBeTruthy());
    expect(checkDnsRecord).toHaveBeenCalledWith(expect.objectContaining({ recordType: "SRV", port: null }));
    expect(screen.getByTestId("dns-error-weight")).toBeTruthy();
    expect(onsave).not.toHaveBeenCalled();
    await type("priority", "10");
    await type("weight", "5");
    await type("port", "5060");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    await waitFor(() => expect(onsave).toHaveBeenCalled());
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

  it("sends a CAA record with its flags and tag", async () => {
    const onsave = setup("CAA");
    await type("name", "@");
    await type("flags", "300");
    expect(screen.getByTestId("dns-error-flags").textContent).toContain("0 to 255");
    await type("flags", "0");
    await fireEvent.change(field("tag"), { target: { value: "iodef" } });
    await type("data", "mailto:security@example.com");
    await fireEvent.click(screen.getByTestId("dns-form-save"));
    await waitFor(() => expect(onsave).toHaveBeenCalledOnce());
    expect(onsave.mock.calls[0]![0]).toMatchObject({ recordType: "CAA", flags: 0, tag: "iodef", data: "mailto:security@example.com" });
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
    await waitFor(() => expect(onsave).toHaveBeenCalled());
    finish("data \"192.0.2.7\" is already used\nsecond line");
    await vi.waitFor(() => expect(screen.getByTestId("dns-form-error")).toBeTruthy());
    expect(screen.getByTestId("dns-form-error").textContent).toContain("already used");
    expect(screen.getByTestId("dns-form-error").querySelectorAll("p")).toHaveLength(2);
    expect((screen.getByTestId("dns-form-save") as HTMLButtonElement).disabled).toBe(false);
  });
});
