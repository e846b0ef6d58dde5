import { describe, expect, it } from "vitest";
import { navScreen, parseRoute, routeHash } from "./route";

describe("routes", () => {
  it("reads every screen and a machine's detail, and writes them back", () => {
    for (const screen of ["machines", "create", "dns", "types", "accounts", "about"] as const) {
      expect(parseRoute(`#/${screen}`)).toEqual({ screen });
      expect(routeHash({ screen })).toBe(`#/${screen}`);
    }
    const detail = { screen: "machine" as const, accountId: "demo-do", machineId: "500000001" };
    expect(routeHash(detail)).toBe("#/machines/demo-do/500000001");
    expect(parseRoute(routeHash(detail))).toEqual(detail);
    expect(navScreen(detail)).toBe("machines");
  });

  it("keeps ids with slashes and spaces intact", () => {
    const odd = { screen: "machine" as const, accountId: "a/b c", machineId: "x%y" };
    expect(parseRoute(routeHash(odd))).toEqual(odd);
  });

  it("sends anything unknown or malformed to the Machines screen", () => {
    for (const hash of ["", "#", "#/", "#/nowhere", "#/machines/only-account", "#/dns/extra", "#/machines/a/b/c", "#/%E0%A4%A"]) {
      expect(parseRoute(hash)).toEqual({ screen: "machines" });
    }
  });
});
