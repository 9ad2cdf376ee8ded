import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { readCommandLine, variadic } from "./argv_check.ts";
import { globalArgs } from "./context.ts";
import { main } from "./main.ts";

const read = (...argv: string[]) => readCommandLine(main, argv);
const errorOf = async (...argv: string[]) => (await read(...argv)).error;

describe("unknown flags and commands", () => {
  test("an unknown flag is refused at every depth, with the nearest known flag", async () => {
    expect(await errorOf("process", "movie.mkv", "--policy", "strip", "--dryrun")).toBe("unknown option --dryrun (did you mean --dry-run?)");
    expect(await errorOf("stats", "summary", "--polciy", "anime")).toBe("unknown option --polciy (did you mean --policy?)");
    expect(await errorOf("jobs", "show", "abcd", "--jsn")).toBe("unknown option --jsn (did you mean --json?)");
    expect(await errorOf("scan", "--ful", ".")).toBe("unknown option --ful (did you mean --full?)");
    expect(await errorOf("stats", "recent", "--zzzzzz")).toBe("unknown option --zzzzzz");
    // Only the spelling that is declared: citty would also take camelCase.
    expect(await errorOf("stats", "recent", "--dryRun")).toBe("unknown option --dryRun");
    expect(await errorOf("stats", "recent", "-x")).toBe("unknown option -x");
  });

  test("a flag of the command is unknown before the command is named", async () => {
    expect(await errorOf("stats", "--format", "json", "summary")).toBe("unknown option --format");
    expect(await errorOf("--dry-run", "process", "a.mkv")).toBe("unknown option --dry-run");
  });

  test("an unknown command names the path it was looked for under, with the nearest command", async () => {
    expect(await read("stats", "sumary")).toMatchObject({ path: ["stats"], error: 'unknown command "stats sumary" (did you mean "summary"?)' });
    expect(await read("--profile", "kids", "statz")).toMatchObject({ path: [], error: 'unknown command "statz" (did you mean "stats"?)' });
    expect(await errorOf("jobs", "shw")).toBe('unknown command "jobs shw" (did you mean "show"?)');
    expect(await errorOf("frobnicate")).toBe('unknown command "frobnicate"');
  });

  test("a command group without one of its commands is refused", async () => {
    expect(await errorOf("stats")).toBe('"vpo stats" needs a command: summary, recent, policies, policy, nodes, libraries, file, detail, trends, metrics, compare, library, regressions, export, import, purge');
    expect(await errorOf("--db", "x.db")).toStartWith('"vpo" needs a command: run, scan, files, process');
  });

  test("--help and -h are accepted anywhere (main answers them first)", async () => {
    expect(await read("stats", "--help", "summary")).toMatchObject({ path: ["stats", "summary"], error: undefined });
    expect(await read("process", "-h")).toMatchObject({ path: ["process"], error: undefined });
  });
});

describe("flag forms", () => {
  test("--flag value and --flag=value; a value may start with a dash", async () => {
    expect(await errorOf("stats", "recent", "--policy", "anime", "--limit=5")).toBeUndefined();
    expect(await errorOf("stats", "recent", "--policy", "-odd-name")).toBeUndefined();
    expect(await errorOf("stats", "recent", "--policy", "--json")).toBeUndefined(); // "--json" is the policy's name
    expect(await errorOf("stats", "recent", "--policy=")).toBeUndefined();
  });

  test("a flag that takes a value refuses to end the line without one", async () => {
    expect(await errorOf("stats", "recent", "--policy")).toBe("option --policy needs a value");
    expect(await errorOf("run", "f.mkv", "--policy-name", "--", "true")).toBe("option --policy-name needs a value");
  });

  test("a boolean takes no value but true/false, and is negated with --no-", async () => {
    expect(await errorOf("stats", "detail", "abcd", "--no-show-actions", "--show-performance=false")).toBeUndefined();
    expect(await errorOf("stats", "summary", "--json=yes")).toBe("unknown option --json");
    expect(await errorOf("scan", ".", "--full=yes")).toBe('option --full takes no value (got "yes")');
    expect(await errorOf("stats", "recent", "--no-policy")).toBe("unknown option --no-policy (did you mean --policy?)");
    expect(await errorOf("scan", ".", "--no-ful")).toBe("unknown option --no-ful (did you mean --no-full?)");
  });

  test("an enum value outside its options names them, with the nearest one", async () => {
    expect(await errorOf("stats", "summary", "--format", "jsn")).toBe('Invalid --format "jsn": expected table, json, csv (did you mean "json"?)');
    expect(await errorOf("stats", "summary", "--format=xml")).toBe('Invalid --format "xml": expected table, json, csv');
    expect(await errorOf("stats", "trends", "--group-by", "year")).toBe('Invalid --group-by "year": expected day, week, month');
    expect(await errorOf("stats", "export", "--format", "ndjsn")).toBe('Invalid --format "ndjsn": expected ndjson, csv, json (did you mean "ndjson"?)');
    expect(await errorOf("stats", "policies", "--sort", "time", "--format", "csv")).toBeUndefined();
  });

  test("everything after -- is left as it is", async () => {
    const argv = ["run", "f.mkv", "--policy-name", "x", "--", "ffmpeg", "-i", "{input}", "--db", "-c:v", "libx264", "--dryrun", "{output}"];
    expect(await read(...argv)).toMatchObject({ error: undefined, path: ["run"], argv });
  });
});

describe("global flags", () => {
  test("are accepted before, between and after command names", async () => {
    for (const argv of [
      ["--db", "x.db", "stats", "summary"],
      ["stats", "--db", "x.db", "summary"],
      ["stats", "summary", "--db", "x.db"],
      ["stats", "summary", "--db=x.db", "--log-json", "--no-log-json", "--plugin", "a", "--plugin", "b"],
    ]) {
      expect({ argv, error: await errorOf(...argv) }).toEqual({ argv, error: undefined });
    }
  });

  test("between command names they are handed to the root, where citty reads them", async () => {
    expect((await read("--log-json", "stats", "--db", "x.db", "summary", "--format", "json")).argv).toEqual([
      "--log-json", "--db", "x.db", "stats", "summary", "--format", "json",
    ]);
    expect((await read("stats", "summary", "--db", "x.db")).argv).toEqual(["stats", "summary", "--db", "x.db"]);
  });

  test("a command's own flag of the same name is that command's (stats metrics --plugin filters)", async () => {
    expect((await read("stats", "metrics", "--plugin", "size")).argv).toEqual(["stats", "metrics", "--plugin", "size"]);
  });
});

describe("positional arguments", () => {
  test("one too many is refused, naming what the command takes", async () => {
    expect(await errorOf("stats", "detail", "abcd", "efgh")).toBe('unexpected argument "efgh" ("vpo stats detail" takes only ID)');
    expect(await errorOf("stats", "summary", "anime")).toBe('unexpected argument "anime" ("vpo stats summary" takes no arguments)');
    expect(await errorOf("stats", "detail", "abcd")).toBeUndefined();
  });

  test("process and scan take several paths", async () => {
    expect(await errorOf("process", "a.mkv", "b.mkv", "dir", "--policy", "p", "--dry-run")).toBeUndefined();
    expect(await errorOf("scan", "a", "b", "c")).toBeUndefined();
  });

  test("an empty one is refused: it would name the current directory", async () => {
    expect(await errorOf("process", "", "--policy", "p", "--dry-run")).toBe('empty argument "" (PATHS of "vpo process" cannot be empty)');
    expect(await errorOf("scan", "a", "")).toBe('empty argument "" (PATHS of "vpo scan" cannot be empty)');
    expect(await errorOf("stats", "file", "")).toBe('empty argument "" (PATH of "vpo stats file" cannot be empty)');
    expect(await errorOf("run", "", "--policy-name", "x", "--", "cp", "", "{output}")).toBe('empty argument "" (FILE of "vpo run" cannot be empty)');
    expect(await errorOf("run", "f.mkv", "--policy-name", "x", "--", "cp", "", "{output}")).toBeUndefined();
  });

  test("- (standard input) is an argument, not a flag", async () => {
    expect(await errorOf("stats", "import", "-")).toBeUndefined();
  });
});

describe("declared aliases", () => {
  const leaf = defineCommand({
    meta: { name: "leaf", alias: ["lf"] },
    args: {
      target: variadic({ type: "positional", required: true }),
      name: { type: "string", alias: ["n", "label"] },
      verbose: { type: "boolean", alias: "V" },
      ...globalArgs,
    },
    run() {},
  });
  const root = defineCommand({ meta: { name: "vpo" }, args: globalArgs, subCommands: { group: defineCommand({ subCommands: { leaf } }) } });

  test("flag and command aliases are accepted, and suggested", async () => {
    expect((await readCommandLine(root, ["group", "lf", "a", "b", "-n", "x", "--label=y", "-V"])).error).toBeUndefined();
    expect((await readCommandLine(root, ["group", "leaf", "a", "--lable", "y"])).error).toBe("unknown option --lable (did you mean --label?)");
    expect((await readCommandLine(root, ["group", "lef"])).error).toBe('unknown command "group lef" (did you mean "leaf"?)');
  });
});
