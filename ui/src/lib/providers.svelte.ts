// The providers Hangar speaks, as the core lists them (`provider_list`): their display names
// and token help. Loaded once and shared by every screen; no screen keeps its own copy.
import { commands, type ProviderEntry, type ProviderKind } from "./bindings";

/** Every provider, in the core's order; empty until the list has arrived. */
export const providers = $state<ProviderEntry[]>([]);

let loading: Promise<ProviderEntry[]> | null = null;

/** Asks the core for the providers, once; later calls get the same answer. */
export function loadProviders(): Promise<ProviderEntry[]> {
  loading ??= (async () => {
    try {
      const list = await commands.providerList();
      providers.splice(0, providers.length, ...list);
      return list;
    } catch {
      // Names fall back to the slugs; the next caller asks again.
      loading = null;
      return [];
    }
  })();
  return loading;
}

/** The provider's display name ("DigitalOcean"); its slug until the list has arrived. */
export function providerName(kind: ProviderKind): string {
  return providers.find((p) => p.kind === kind)?.displayName ?? kind;
}

/** Every provider's name in one phrase: "DigitalOcean or Vultr", "A, B and C". */
export function providerNames(conjunction: "or" | "and"): string {
  const names = providers.map((p) => p.displayName);
  if (names.length <= 1) return names[0] ?? "cloud";
  return `${names.slice(0, -1).join(", ")} ${conjunction} ${names.at(-1)}`;
}

/** Forgets the loaded list (tests). */
export function resetProviders(): void {
  providers.splice(0, providers.length);
  loading = null;
}
