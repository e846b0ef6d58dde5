import type { BuildInfo } from "./bindings";

const OS_NAMES: Record<string, string> = {
  linux: "Linux",
  macos: "macOS",
  windows: "Windows",
};

/** A readable platform line for the About panel, e.g. "Linux (x86_64)". */
export function describePlatform(info: Pick<BuildInfo, "os" | "arch">): string {
  const os = OS_NAMES[info.os] ?? info.os;
  return `${os} (${info.arch})`;
}
