import { HttpError } from "./errors.ts";

/** Default largest request body: 10 MiB. */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "PAYLOAD_TOO_LARGE", `Request body exceeds the limit of ${limit} bytes (server.body_limit_bytes)`);
}

/**
 * Reads a JSON body of at most `limit` bytes: 413 as soon as Content-Length or the bytes read
 * exceed it (the rest is never buffered), 400 with the parser's message when it is not JSON.
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) throw new HttpError(400, "MALFORMED_JSON", "Request body is empty: expected JSON");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  if (text.trim() === "") throw new HttpError(400, "MALFORMED_JSON", "Request body is empty: expected JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "MALFORMED_JSON", `Request body is not valid JSON: ${(error as Error).message}`);
  }
}
