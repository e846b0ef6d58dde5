// Where the app is: a URL-like route in the location hash (`#/machines`,
// `#/machines/<account id>/<machine id>`), so the back and forward buttons move between
// screens and a machine's detail view. Free of Svelte, so the parsing is unit-tested.

export type Screen = "machines" | "create" | "dns" | "types" | "accounts" | "about";

export type Route =
  | { screen: Screen }
  | { screen: "machine"; accountId: string; machineId: string };

const screens: readonly Screen[] = ["machines", "create", "dns", "types", "accounts", "about"];

/** The route a location hash names; anything unknown is the Machines screen. */
export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return "";
      }
    });
  const [first, accountId, machineId, ...rest] = parts;
  if (first === "machines" && accountId && machineId && rest.length === 0) {
    return { screen: "machine", accountId, machineId };
  }
  const screen = screens.find((s) => s === first);
  return { screen: screen && accountId === undefined ? screen : "machines" };
}

/** The location hash of `route`. */
export function routeHash(route: Route): string {
  if (route.screen === "machine") {
    return `#/machines/${encodeURIComponent(route.accountId)}/${encodeURIComponent(route.machineId)}`;
  }
  return `#/${route.screen}`;
}

/** The navigation entry a route belongs to (a machine's detail is under Machines). */
export function navScreen(route: Route): Screen {
  return route.screen === "machine" ? "machines" : route.screen;
}
