/**
 * A throwaway PostgreSQL server for tests: `initdb` + `pg_ctl` on a free loopback port, with its
 * data directory under the temp dir, started once per test process on first use and stopped when
 * the process exits. As root (CI containers) the server runs as the unprivileged `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PgCluster {
  /** postgres://…/postgres for administration (creating test databases). */
  adminUrl: string;
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (sparingly: the PostgreSQL-down tests). */
  stop(): void;
  /** Starts it again after stop(). */
  start(): void;
}

/** Where the server binaries are, or null when PostgreSQL is not installed. */
export function findPgBin(): string | null {
  const fromEnv = process.env.VPO_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, "pg_ctl"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  const which = Bun.which("pg_ctl");
  return which ? join(which, "..") : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function pgUnavailable(): string | null {
  if (!findPgBin()) return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql";
  if (process.getuid?.() === 0 && !Bun.which("runuser")) return "running as root without runuser, cannot start PostgreSQL as an unprivileged user";
  return null;
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

let cluster: PgCluster | null = null;

/** The cluster of this test process, started on first call. */
export function pgCluster(): PgCluster {
  return (cluster ??= startPgCluster());
}

/** A cluster of the caller's own (a test that stops the server must not stop everyone's), stopped when the process exits. */
export function startPgCluster(): PgCluster {
  const bin = findPgBin();
  if (!bin) throw new Error(pgUnavailable()!);
  const asRoot = process.getuid?.() === 0;
  const run = (args: string[]) => {
    const argv = asRoot ? ["runuser", "-u", "postgres", "--", ...args] : args;
    const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, LC_ALL: "C" } });
    if (result.exitCode !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr.toString()}${result.stdout.toString()}`);
  };
  const dir = mkdtempSync(join(tmpdir(), "vpo-pg-"));
  const data = join(dir, "data");
  if (asRoot) {
    const pgUser = Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
    const pgGroup = Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString().trim();
    chownSync(dir, Number(pgUser), Number(pgGroup));
    chmodSync(dir, 0o700);
  }
  const port = freePort();
  run([join(bin, "initdb"), "-D", data, "-U", "vpo", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = () => run([join(bin, "pg_ctl"), "-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
  const stop = () => run([join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]);
  start();
  let stopped = false;
  process.on("exit", () => {
    if (stopped) return;
    try {
      stop();
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });
  // bun test does not always fire "exit" (and a killed run never does): a detached watchdog stops
  // the cluster and removes its files once this process is gone, so no run leaves a server behind.
  const pgCtl = `${asRoot ? "runuser -u postgres -- " : ""}${join(bin, "pg_ctl")} -D ${data} -m immediate -w stop`;
  Bun.spawn(["sh", "-c", `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; ${pgCtl} >/dev/null 2>&1; rm -rf ${dir}`], {
    stdio: ["ignore", "ignore", "ignore"],
    detached: true,
  }).unref();
  const adminUrl = `postgres://vpo@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    adminUrl,
    async createDatabase() {
      const name = `t${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // An ICU en-US collation, as on a typical server: vpo must not depend on the C locale.
        await client.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
      } finally {
        await client.end();
      }
      return `postgres://vpo@127.0.0.1:${port}/${name}`;
    },
    stop() {
      stop();
      stopped = true;
    },
    start() {
      start();
      stopped = false;
    },
  };
}
