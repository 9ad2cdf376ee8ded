/**
 * The README's "Writing a plugin" section followed to the letter by a plugin author: its plugin and
 * test files, taken from the README's code blocks (so README and test cannot drift), saved in a
 * folder outside the repository with nothing installed, and its `vpo test` run there through the
 * `vpo` command on PATH as `npm link` puts it (a symlink to bin/vpo) — Bun not on PATH.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "./_cli.ts";

/** The code blocks of the README's "Writing a plugin" section. */
function readmeSection() {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Writing a plugin");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang: lang!, body: body! }));
  // A file block starts with a comment naming it: `// subtitle-size.ts — …`.
  const files = blocks.filter((b) => b.lang === "ts").flatMap((b) => {
    const name = /^\/\/ (\S+\.ts)/.exec(b.body)?.[1];
    return name ? [{ name, source: b.body }] : [];
  });
  const shell = blocks.find((b) => b.lang === "sh" && /^vpo test/m.test(b.body));
  return { files, commands: shell ? shell.body.split("\n").filter((l) => /^vpo /.test(l)) : [] };
}

/** Saves `files` in a fresh folder outside the repository and runs the README's commands there. */
async function followReadme(files: { name: string; source: string }[], commands: string[]) {
  const folder = tempDir("vpo-plugin-author-");
  for (const f of files) writeFileSync(join(folder, f.name), f.source);
  const bin = tempDir("vpo-bin-");
  symlinkSync(join(ROOT, "bin/vpo"), join(bin, "vpo"));
  const proc = Bun.spawn(["/bin/sh", "-ec", commands.join("\n")], {
    cwd: folder,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: folder, VPO_DATA_DIR: tempDir(), NO_COLOR: "1", TMPDIR: process.env.TMPDIR ?? "/tmp" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, output: stdout + stderr };
}

describe("the README's plugin and its kit test, in a folder outside the repository", () => {
  const { files, commands } = readmeSection();

  test("the README gives a plugin, its test using vpo/testing, and the command to run it", () => {
    expect(files.map((f) => f.name)).toEqual(["subtitle-size.ts", "subtitle-size_test.ts"]);
    expect(files[1]!.source).toContain('from "vpo/testing"');
    expect(commands).toEqual(["vpo test"]);
  });

  test("passes the kit: every check it declares passes, the rest are not run, its own test runs", async () => {
    const { code, output } = await followReadme(files, commands);
    expect(output).toContain('(pass) vpo plugin "subtitle-size" > runs its beforeRun hook on real media without failing');
    expect(output).toContain('(pass) vpo plugin "subtitle-size" > reports metrics that vpo records and reads back unchanged');
    expect(output).toContain('(pass) vpo plugin "subtitle-size" > records the same loaded in a worker, as vpo loads it');
    expect(output).toContain('(pass) vpo plugin "subtitle-size" > copes with a run that transcodes the file');
    expect(output).toContain('(pass) vpo plugin "subtitle-size" > counts the subtitle stream of a file that has one');
    expect(output).not.toContain("runs its onPhase hook");
    expect(output).not.toMatch(/\(skip\)/);
    expect(output).toMatch(/\b0 fail\b/);
    expect(code).toBe(0);
  });

  test("with the plugin broken (afterRun assumes the run succeeded), it fails and says which check", async () => {
    const [plugin, spec] = files as [{ name: string; source: string }, { name: string; source: string }];
    const broken = plugin.source.replace("async afterRun(run) {", 'async afterRun(run) {\n    if (!run.outcome?.success) throw new Error("assumed success");');
    expect(broken).not.toBe(plugin.source);
    const { code, output } = await followReadme([{ ...plugin, source: broken }, spec], commands);
    expect(output).toContain('(fail) vpo plugin "subtitle-size" > keeps a failed run recorded: its hooks neither throw nor hang');
    expect(output).toContain('failed in hook "afterRun": assumed success');
    expect(code).not.toBe(0);
  });
});
