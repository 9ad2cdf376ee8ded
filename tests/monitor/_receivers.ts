/**
 * Real receivers for notifications, on loopback: an HTTP server that records what is posted to it
 * (or answers with an error, or never answers), and an SMTP server (npm smtp-server) with STARTTLS
 * on a self-signed certificate made for the test, and authentication.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: any;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** How it answers from now on: a status, or "hang" (never answers). */
  answer(mode: number | "hang"): void;
  /** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): void;
}

/** Waits until `ready()` is true, polling; fails after `timeoutMs` with `what`. */
export async function until(ready: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(20);
  }
}

export function webhookReceiver(): WebhookReceiver {
  const received: ReceivedRequest[] = [];
  let mode: number | "hang" = 200;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const body = await request.text();
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {}
      received.push({ path: new URL(request.url).pathname, headers: Object.fromEntries(request.headers), body, json, at: Date.now() });
      if (mode === "hang") return new Promise<Response>(() => {});
      return new Response(mode === 200 ? "ok" : "receiver is down for maintenance", { status: mode });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/hook`,
    received,
    answer: (m) => void (mode = m),
    async waitFor(count, timeoutMs = 10_000) {
      await until(() => received.length >= count, timeoutMs, `${count} webhook request(s) (got ${received.length})`);
      return received;
    },
    stop: () => void server.stop(true),
  };
}

/** A loopback port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl; `ca` is the certificate itself. */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "vpo-cert-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  const result = Bun.spawnSync([
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile,
    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`openssl could not make a test certificate: ${result.stderr.toString()}`);
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** The session was upgraded by STARTTLS before the mail was sent. */
  secure: boolean;
  user: string | null;
}

export interface SmtpReceiver {
  port: number;
  /** PEM file of the server's certificate, for the channel's ca_file. */
  certFile: string;
  mails: ReceivedMail[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

/** An SMTP server on loopback that offers STARTTLS and requires it, and takes user "vpo" / password "secret". */
export async function smtpReceiver(): Promise<SmtpReceiver> {
  const { key, cert, certFile } = selfSignedCert();
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    key,
    cert,
    secure: false,
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "vpo" && auth.password === "secret") return callback(null, { user: auth.username });
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          secure: session.secure,
          user: (session.user as string | undefined) ?? null,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    certFile,
    mails,
    async waitFor(count, timeoutMs = 10_000) {
      await until(() => mails.length >= count, timeoutMs, `${count} mail(s) (got ${mails.length})`);
      return mails;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
