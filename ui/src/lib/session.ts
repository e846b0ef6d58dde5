// Session ids: 8 lowercase hex characters, as the backend and `machine` use them.

export function sessionIdError(v: string): string | null {
  const id = v.trim();
  if (id === "") return "A session id is required.";
  if (!/^[0-9a-f]{8}$/.test(id)) return "Use exactly 8 lowercase hex characters (0-9, a-f).";
  return null;
}
