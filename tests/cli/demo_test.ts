import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DEMO_POLICY } from "../../engine/demo_library.ts";
import { ROOT, tempDir } from "./_cli.ts";

describe("vpo demo", () => {
  test("on a fresh data dir: builds a library, writes the policy, processes it, prints the summary, then serves the dashboard", async () => {
    const dir = tempDir("vpo-demo-");
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "demo", "--serve"], {
      cwd: dir,
      env: { ...process.env, VPO_DATA_DIR: dir, VPO_CONFIG: "", VPO_PROFILE: "", NO_COLOR: "1", VPO_SERVER_PORT: port },
      stdin: "ignore", stdout: "pipe", stderr: "pipe",
    });
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("press Ctrl-C to stop")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`demo ended early:\n${out}\n${await new Response(proc.stderr).text()}`);
      out += new TextDecoder().decode(value);
    }
    expect(out).toContain(`Wrote the example policy ${join(dir, "policies", "demo.yaml")}`);
    expect(out).toMatch(/Processed 5 file\(s\) with policy "demo": 4 changed, 1 unchanged, 0 failed/);
    expect(out).toMatch(/\[\d\/5\] unchanged .*Planet Earth II/);
    expect(out).toMatch(/Big Buck Bunny \(2008\)\.mp4 → Big Buck Bunny \(2008\)\.mkv/);
    expect(out).toMatch(/Videos transcoded +4\n +Videos skipped +1/);
    expect(out).toContain("What to try next:");
    expect(out).toContain(`vpo files ${JSON.stringify(join(dir, "demo-library"))}`);
    // Every tip's comment starts in one column, whatever the lengths of the path and the run id.
    const tips = out.slice(out.indexOf("What to try next:")).split("\n").filter((l) => l.includes("   # "));
    expect(tips.length).toBe(5);
    expect(new Set(tips.map((l) => l.indexOf("   # "))).size).toBe(1);
    const suggested = out.match(/vpo stats detail (\S+) --show-actions/)![1]!;
    expect(await Bun.file(join(dir, "policies", "demo.yaml")).text()).toBe(DEMO_POLICY);
    expect(readdirSync(join(dir, "demo-library")).sort()).toEqual([
      "Big Buck Bunny (2008).mkv", "Cowboy Bebop - S01E01 - Asteroid Blues.mkv", "Home Movie 2019.mkv",
      "Planet Earth II - S01E01 - Islands.mkv", "Spirited Away (2001).mkv",
    ]);

    const url = out.match(/Dashboard: (http:\/\/\S+?)\/ /)![1]!;
    const summary = await (await fetch(`${url}/api/stats/summary`)).json();
    expect(summary).toMatchObject({ total_files_processed: 5, total_successful: 5, total_videos_skipped: 1, total_attachments_removed: 2 });
    expect((await fetch(`${url}/api/stats/${suggested}`)).status).toBe(200); // the id the tip shows names one run
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
  }, 60_000);
});
