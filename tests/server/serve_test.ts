import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "../cli/_cli.ts";
import { startServe } from "./_serve.ts";
import { newRun } from "./_seed.ts";

describe("vpo serve", () => {
  test("refuses a non-loopback host without a token (exit 2, saying how to set one)", async () => {
    const r = await vpo(["serve", "--host", "0.0.0.0", "--port", "0"], { dataDir: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Refusing to listen on 0.0.0.0 without an API token");
    expect(r.stderr).toContain("--token <secret>");
  });

  test("refuses a token no client could send (outer spaces): it guarded 0.0.0.0 while no request could write", async () => {
    for (const token of [" ", " s3cret"]) {
      const r = await vpo(["serve", "--host", "0.0.0.0", "--port", "0", "--token", token], { dataDir: tempDir() });
      expect([r.code, r.stderr]).toEqual([2, "vpo: The API token starts or ends with a space or holds a control character, so no client could send it: choose another\n"]);
    }
  });

  test("rejects an invalid port (exit 2)", async () => {
    const r = await vpo(["serve", "--port", "http"], { dataDir: tempDir() });
    expect([r.code, r.stderr.trim()]).toEqual([2, 'vpo: Invalid --port "http": expected an integer from 0 (any free port) to 65535']);
  });

  test("serves on a free port, refuses a second server on the same port, and stops cleanly on SIGTERM with a stream open", async () => {
    const server = await startServe(["--port", "0"]);
    try {
      expect(server.output()).toContain("no API token set: reads only");
      const health = await (await fetch(`${server.url}/health`)).json();
      expect(health.status).toBe("ok");
      const port = new URL(server.url).port;
      const second = await vpo(["serve", "--port", port], { dataDir: tempDir() });
      expect([second.code, second.stderr]).toEqual([2, expect.stringContaining("already in use")]);
      // An open event stream must not hold the shutdown up.
      const events = await fetch(`${server.url}/api/events`);
      expect(events.status).toBe(200);
      const started = Date.now();
      expect(await server.stop("SIGTERM")).toBe(0);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(server.output()).toContain("shutting down");
    } finally {
      server.proc.kill();
    }
  });

  test("takes the token from VPO_TOKEN, and other settings from [server] in the config", async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "config.toml"), '[server]\nhost = "127.0.0.1"\nbody_limit_bytes = 2048\ncors_origins = ["https://grafana.example"]\n');
    const server = await startServe(["--port", "0"], { dataDir, env: { VPO_TOKEN: "from-env" } });
    try {
      const post = (token: string, body: string) =>
        fetch(`${server.url}/api/stats/runs`, { method: "POST", body, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
      expect((await post("from-env", JSON.stringify(newRun()))).status).toBe(201);
      expect((await post("other", JSON.stringify(newRun()))).status).toBe(401);
      expect((await post("from-env", JSON.stringify(newRun({ file_path: "x".repeat(4000) })))).status).toBe(413);
      const cors = await fetch(`${server.url}/api/stats/summary`, { headers: { origin: "https://grafana.example" } });
      expect(cors.headers.get("access-control-allow-origin")).toBe("https://grafana.example");
      const other = await fetch(`${server.url}/api/stats/summary`, { headers: { origin: "https://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      expect(await server.stop("SIGINT")).toBe(0);
    }
  });

  test("sends no CORS headers unless origins are configured", async () => {
    const server = await startServe(["--port", "0"]);
    try {
      const res = await fetch(`${server.url}/api/stats/summary`, { headers: { origin: "https://grafana.example" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
