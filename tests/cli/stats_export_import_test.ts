import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { listJobs, openDatabase, RunRecordSchema } from "../../core/mod.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { cliEnv, tempDir, VPO, vpo } from "./_cli.ts";
import { SEED_RUNS, seededDataDir, seedNdjson, ZETA } from "./_stats_seed.ts";

let seeded: string;
beforeAll(async () => {
  seeded = await seededDataDir();
});

/** The views an export → import round trip must reproduce exactly, as JSON text. */
async function views(dataDir: string): Promise<string[]> {
  const args = [["summary"], ["policies"], ["trends", "--group-by", "day"], ["trends", "--group-by", "week"], ["trends", "--group-by", "month"]];
  const out = await Promise.all(args.map((a) => vpo(["stats", ...a, "--format", "json"], { dataDir })));
  for (const r of out) expect(r.code).toBe(0);
  return out.map((r) => r.stdout);
}

/** Exports `from`, imports the NDJSON into a fresh data dir, and checks numbers and bytes survive. */
async function expectRoundTrip(from: string): Promise<string> {
  const exported = await vpo(["stats", "export", "--output", "runs.ndjson"], { dataDir: from });
  expect(exported.code).toBe(0);
  const to = tempDir();
  const imported = await vpo(["stats", "import", join(from, "runs.ndjson")], { dataDir: to });
  expect(imported.stderr).toBe("");
  expect(imported.code).toBe(0);
  expect(await views(to)).toEqual(await views(from));
  const again = await vpo(["stats", "export"], { dataDir: to });
  expect(again.stdout).toBe(readFileSync(join(from, "runs.ndjson"), "utf8"));
  return to;
}

describe("vpo stats export", () => {
  test("NDJSON is one RunRecord per line, oldest first, with actions, phases, metrics and plugin errors", async () => {
    const { stdout, code, stderr } = await vpo(["stats", "export"], { dataDir: seeded });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const lines = stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    // S8 (2026-04-01T01:30+02:00) happened at 03-31 23:30 UTC, before S7.
    expect(lines.map((r) => r.id.slice(0, 8))).toEqual(["5eed0001", "5eed0002", "5eed0003", "5eed0004", "5eed0005", "5eed0006", "5eed0008", "5eed0007"]);
    for (const line of lines) expect(v.safeParse(RunRecordSchema, line).success).toBe(true);
    expect(lines[0].actions).toEqual([
      { action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3", language: "fre" }, after_state: null, success: true, duration_ms: 4, rule_reference: "keep_audio", message: null },
      { action_type: "remove", track_type: "audio", track_index: 3, before_state: { codec: "dts", language: "ger" }, after_state: null, success: true, duration_ms: null, rule_reference: "keep_audio", message: null },
    ]);
    expect(lines[0].plugin_metrics).toEqual({ size: { bytes_saved: 1000 * 1024 * 1024 }, tracks: { languages: "eng,jpn", kept_default: 1 } });
    expect(lines[1].phases[0]).toEqual({ phase_name: "transcode", wall_time_seconds: 3500, bytes_read: null, bytes_written: null, encoding_fps: 41.25, encoding_bitrate: 4_500_000 });
    expect(lines[2].plugin_errors).toEqual([{ plugin: "hash", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }]);
    expect(lines[6]).toMatchObject({ processed_at: "2026-03-31T23:30:00.000Z", file_path: ZETA });
  });

  test("JSON is one array document and CSV one quoted row per run; filters apply", async () => {
    const [json, ndjson, csv, remux] = await Promise.all([
      vpo(["stats", "export", "--format", "json"], { dataDir: seeded }),
      vpo(["stats", "export"], { dataDir: seeded }),
      vpo(["stats", "export", "--format", "csv", "--since", "2026-03-31"], { dataDir: seeded }),
      vpo(["stats", "export", "--policy", "remux", "--until", "2026-03-02"], { dataDir: seeded }),
    ]);
    expect(JSON.parse(json.stdout)).toEqual(ndjson.stdout.trimEnd().split("\n").map((l) => JSON.parse(l)));
    const rows = csv.stdout.trimEnd().split("\n");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toStartWith("id,file_path,processed_at,policy_name,policy_digest,job_id,node,library,status,success,error_message,failure_command,failure_output,size_before,");
    expect(rows[0]).toEndWith(",encoder_type,hash_before,hash_after");
    expect(rows[1]).toStartWith(`5eed0008-0000-4000-8000-000000000008,"/lib/movies/zeta, ""director's cut"".mkv",2026-03-31T23:30:00.000Z,remux,,,,,success,true,,`);
    expect(remux.stdout.trimEnd().split("\n").map((l) => JSON.parse(l).id)).toEqual(["5eed0005-0000-4000-8000-000000000005"]);
  });

  test("--output writes the file whole and leaves no temp file; a bad destination leaves nothing", async () => {
    const dir = await seededDataDir();
    const [ok, noDir, empty] = await Promise.all([
      vpo(["stats", "export", "--format", "csv", "--output", "runs.csv"], { dataDir: dir }),
      vpo(["stats", "export", "--output", "missing/runs.ndjson"], { dataDir: dir }),
      vpo(["stats", "export", "--output", "none.ndjson", "--policy", "nope"], { dataDir: dir }),
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: "", stderr: `Exported 8 runs to ${join(dir, "runs.csv")}\n` });
    expect(readFileSync(join(dir, "runs.csv"), "utf8").trimEnd().split("\n")).toHaveLength(9);
    expect(noDir.code).toBe(64);
    expect(empty.code).toBe(65);
    expect(readdirSync(dir).sort()).toEqual(["library.db", "runs.csv"].concat(readdirSync(dir).filter((f) => f.startsWith("library.db-"))).sort());
  });

  test("--output's extension names the format when --format is not given; a --format that contradicts it is refused", async () => {
    const dir = await seededDataDir();
    const [csv, json, mismatch] = await Promise.all([
      vpo(["stats", "export", "--output", "runs.csv"], { dataDir: dir }),
      vpo(["stats", "export", "--output", "runs.json"], { dataDir: dir }),
      vpo(["stats", "export", "--output", "runs.csv", "--format", "ndjson", "--policy", "strip"], { dataDir: dir }),
    ]);
    expect([csv.code, json.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toStartWith("id,file_path,"); // it was NDJSON in a .csv file
    expect(JSON.parse(readFileSync(join(dir, "runs.json"), "utf8"))).toHaveLength(8);
    expect([mismatch.code, mismatch.stderr]).toEqual([2, 'vpo: --format ndjson does not match --output "runs.csv" (a .csv file): leave --format out, or name the file .ndjson\n']);
    // The JSON export imports as it is: an array of one run per line.
    const to = tempDir();
    const imported = await vpo(["stats", "import", join(dir, "runs.json")], { dataDir: to });
    expect([imported.code, imported.stdout]).toEqual([0, "Imported 8 runs from " + join(dir, "runs.json") + ".\n"]);
    expect(await views(to)).toEqual(await views(dir));
  });

  test("--output never replaces a SQLite database: the record itself (it was overwritten with the export) or its journal", async () => {
    const dir = await seededDataDir();
    const db = join(dir, "library.db");
    for (const target of [db, `${db}-wal`]) {
      const refused = await vpo(["stats", "export", "--output", target], { dataDir: dir });
      expect([refused.code, refused.stderr]).toEqual([2, `vpo: Cannot write "${target}": it is ${target === db ? "" : "part of "}the SQLite database "${db}"; choose another file\n`]);
    }
    const report = await vpo(["report", "--period", "week", "--output", db], { dataDir: dir });
    expect(report.code).toBe(2);
    expect(JSON.parse((await vpo(["stats", "summary", "--format", "json"], { dataDir: dir })).stdout).total_files_processed).toBe(8);
  });
});

describe("vpo stats import", () => {
  test("export → import into an empty database reproduces summary, policies, trends and the export itself", async () => {
    await expectRoundTrip(seeded);
  });

  test("a dry run before the first import checks the file against no runs, and creates nothing", async () => {
    const to = tempDir();
    writeFileSync(join(to, "seed.ndjson"), seedNdjson());
    // It said "No statistics found: no runs are recorded yet … import runs (vpo stats import)".
    for (const db of [[], ["--db", join(to, "new.db")]]) {
      const dry = await vpo(["stats", "import", "seed.ndjson", "--dry-run", ...db], { dataDir: to });
      expect([dry.code, dry.stdout]).toEqual([0, "Dry run: 8 runs would be imported from seed.ndjson; nothing was written.\n"]);
    }
    expect(readdirSync(to)).toEqual(["seed.ndjson"]);
  });

  test("a pipe given as the file (bash's <(…)) is read once, like standard input", async () => {
    const to = tempDir();
    writeFileSync(join(to, "seed.ndjson"), seedNdjson());
    // It was read twice, found empty the second time: "the file changed while it was being imported".
    const run = Bun.spawnSync(["bash", "-c", `${VPO} stats import <(cat seed.ndjson)`], { cwd: to, env: cliEnv(to) });
    expect([run.exitCode, run.stdout.toString()]).toEqual([0, expect.stringMatching(/^Imported 8 runs from \/dev\/fd\/\d+\.\n$/)]);
  });

  test("a bad line is reported with its number and field, and blocks the whole file unless --skip-invalid", async () => {
    const dir = tempDir();
    const lines = seedNdjson().trimEnd().split("\n");
    lines[2] = JSON.stringify({ ...SEED_RUNS[2], size_before: "big" });
    lines[5] = "{not json";
    writeFileSync(join(dir, "bad.ndjson"), `${lines.join("\n")}\n`);

    const blocked = await vpo(["stats", "import", "bad.ndjson"], { dataDir: dir });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr.split("\n")).toEqual([
      'line 3: size_before: Invalid type: Expected number but received "big"',
      expect.stringMatching(/^line 6: not valid JSON \(.+\)$/),
      "vpo: Nothing imported: 2 of 8 lines are invalid. Fix them, or pass --skip-invalid to import the 6 valid lines.",
      "",
    ]);
    expect((await vpo(["stats", "summary"], { dataDir: dir })).code).toBe(65);

    // No valid line: no --skip-invalid "to import the 0 valid lines".
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, "none.ndjson"), "{not json\n[]\n");
    const none = await vpo(["stats", "import", "none.ndjson"], { dataDir: elsewhere });
    expect([none.code, none.stderr.split("\n").at(-2)]).toEqual([2, "vpo: Nothing imported: all 2 lines are invalid."]);

    const dry = await vpo(["stats", "import", "bad.ndjson", "--skip-invalid", "--dry-run"], { dataDir: dir });
    expect(dry.stdout).toBe("Dry run: 6 runs would be imported from bad.ndjson; nothing was written.\nSkipped 2 invalid lines (listed above).\n");
    expect((await vpo(["stats", "summary"], { dataDir: dir })).code).toBe(65);

    const skipped = await vpo(["stats", "import", "bad.ndjson", "--skip-invalid"], { dataDir: dir });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toBe("Imported 6 runs from bad.ndjson.\nSkipped 2 invalid lines (listed above).\n");
    expect(skipped.stderr).toContain("line 3: size_before:");

    const again = await vpo(["stats", "import", "bad.ndjson", "--skip-invalid", "--format", "json"], { dataDir: dir });
    expect(JSON.parse(again.stdout)).toMatchObject({ source: "bad.ndjson", dry_run: false, lines: 8, valid: 6, invalid: 2, imported: 0, duplicates: 6 });

    // Every import that could write recorded a job; the dry run did not.
    const { db, close } = await openDatabase(join(dir, "library.db"));
    try {
      const jobs = await listJobs(db, { type: "import" });
      expect(jobs.map((j) => [j.status, j.files_affected, (j.summary as { duplicates: number }).duplicates])).toEqual([
        ["completed", 0, 6],
        ["completed", 6, 0],
        ["failed", 0, 0],
      ]);
    } finally {
      await close();
    }
  });

  test("reads standard input with -, shows thousands separators after a batched import, and exports into a closed pipe or a full disk", async () => {
    const dir = tempDir();
    const runs = Array.from({ length: 1234 }, (_, i) => ({
      processed_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      policy_name: i % 2 ? "odd" : "even",
      file_path: `/bulk/${i}.mkv`,
      success: true,
      size_before: 2048,
      size_after: 1024,
    }));
    writeFileSync(join(dir, "bulk.ndjson"), seedNdjson(runs));
    // A shell pipe (a FIFO), as in `vpo stats export | vpo stats import -`.
    const main = join(import.meta.dir, "../../cli/main.ts");
    const proc = Bun.spawn(["sh", "-c", `cat bulk.ndjson | "${process.execPath}" "${main}" stats import -`], {
      cwd: dir,
      env: { ...process.env, VPO_DATA_DIR: dir, NO_COLOR: "1", VPO_CONFIG: "", VPO_PROFILE: "" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await proc.exited).toBe(0);
    expect(await new Response(proc.stdout).text()).toBe("Imported 1,234 runs from standard input.\n");
    const summary = await vpo(["stats", "summary"], { dataDir: dir });
    expect(summary.stdout).toContain("  Total       1,234\n");
    expect(summary.stdout).toContain("  Saved   1.21 MiB (50.0%)\n");

    // ~300 KiB of NDJSON: more than a pipe buffer, so the reader's leaving is noticed mid-export.
    const shell = (command: string) =>
      Bun.spawn(["bash", "-c", command], { cwd: dir, env: { ...process.env, VPO_DATA_DIR: dir, NO_COLOR: "1", VPO_CONFIG: "" }, stdout: "pipe", stderr: "pipe" });
    const vpoCmd = `"${process.execPath}" "${main}" stats export`;
    const head = shell(`${vpoCmd} | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}" >&2`);
    const full = shell(`${vpoCmd} > /dev/full`);
    const [headErr, fullErr, fullCode] = await Promise.all([new Response(head.stderr).text(), new Response(full.stderr).text(), full.exited]);
    expect(headErr).toBe("exit 0\n"); // the reader got what it wanted: no error, no noise
    expect(fullErr).toBe("vpo: Cannot write to standard output: ENOSPC: no space left on device, write\n");
    expect(fullCode).toBe(1);
  });

  test("a database filled by a real vpo run survives export → import, and stats file resolves relative paths", async () => {
    const fixtures = await makeFixtures();
    const dir = tempDir();
    const file = await copyFixture(fixtures, "multi", dir);
    const strip = ["--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-map", "0:a:0", "-c", "copy", "{output}"];
    const ran = await vpo(["run", file, "--policy-name", "strip", "--json", ...strip], { dataDir: dir });
    expect(ran.code).toBe(0);
    const failed = await vpo(["run", file, "--policy-name", "broken", "--json", "--", "ffmpeg", "-i", "{input}", "-c:v", "no_such_encoder", "{output}"], { dataDir: dir });
    expect(failed.code).toBe(1);

    const to = await expectRoundTrip(dir);
    const relative = file.slice(dir.length + 1);
    const [history, detail] = await Promise.all([
      vpo(["stats", "file", relative, "--format", "json"], { dataDir: to, cwd: dir }),
      vpo(["stats", "detail", JSON.parse(ran.stdout).id.slice(0, 13)], { dataDir: to }),
    ]);
    expect(JSON.parse(history.stdout).runs.map((r: { policy_name: string }) => r.policy_name)).toEqual(["broken", "strip"]);
    expect(detail.stdout).toContain("  Audio         3 → 1 (-2 removed)\n");
    expect(existsSync(join(dir, "runs.ndjson.tmp"))).toBe(false);
  });
});
