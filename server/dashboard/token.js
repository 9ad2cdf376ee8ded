// Writes need the server's API token (Authorization: Bearer). The page asks for it once and keeps
// it in sessionStorage: gone when the tab closes, never in the URL or on disk.
const KEY = "vpo.token";

/** The token of this tab, asking for it when there is none; null when the user declines. */
export function token({ ask = true } = {}) {
  let value = sessionStorage.getItem(KEY);
  if (!value && ask) {
    value = window.prompt("API token of this vpo server (kept for this tab only):")?.trim() || null;
    if (value) sessionStorage.setItem(KEY, value);
  }
  return value;
}

/** POST /api/queue/{id}/retry with the token; a wrong token is forgotten so the next try asks again. */
export async function retryJob(id) {
  const secret = token();
  if (!secret) return { ok: false, message: "Retry needs the API token." };
  const res = await fetch(`/api/queue/${encodeURIComponent(id)}/retry`, { method: "POST", headers: { authorization: `Bearer ${secret}` } });
  const body = await res.json().catch(() => null);
  if (res.status === 401) sessionStorage.removeItem(KEY);
  if (!res.ok) return { ok: false, message: `Retry failed: ${body?.error ?? res.status}` };
  return { ok: true, message: `Job ${id.slice(0, 8)} is back in the queue.` };
}
