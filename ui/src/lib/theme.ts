// The colour theme: "system" follows the OS (prefers-color-scheme in app.css); "light" and
// "dark" set `data-theme` on the root element, which overrides it.
import type { Theme } from "./bindings";

const KEY = "hangar.theme";

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Storage unavailable: the theme still applies for this run.
  }
}

/** The theme last applied on this computer, to paint the first frame right. */
export function rememberedTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    if (v === "light" || v === "dark" || v === "system") return v;
  } catch {
    // ignore
  }
  return "system";
}
