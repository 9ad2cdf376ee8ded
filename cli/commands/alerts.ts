import { defineCommand } from "citty";
import { addSilence, alertHistory, MAX_DURATION_SECONDS, parseDuration, parseTimeRange, VpoError } from "../../core/mod.ts";
import { alertOverview, findRule, startMonitoring } from "../../monitor/mod.ts";
import { globalArgs, loadCliConfig } from "../context.ts";
import { withDatabase } from "../database.ts";
import { colors, renderJson } from "../format.ts";
import { renderAlertHistory, renderAlertList } from "../views/alerts.ts";
import { parseLimit } from "./stats/_shared.ts";

const listCommand = defineCommand({
  meta: { name: "list", description: "Every alert rule of the config and its state: ok, pending or firing (with what holds), silences" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...globalArgs },
  async run({ args, rawArgs }) {
    const show = (rules: Awaited<ReturnType<typeof alertOverview>>) => {
      if (args.json) return void process.stdout.write(`${renderJson(rules)}\n`);
      if (rules.length === 0) return void process.stdout.write("No alert rules configured. Add [[alerts.rules]] to config.toml (see the README, \"Alerts\").\n");
      process.stdout.write(`${renderAlertList(rules)}\n`);
    };
    await withDatabase(args, rawArgs, async (db, ctx) => show(await alertOverview(db, ctx.config, new Date())), {
      ifMissing: async () => show(await alertOverview(null, loadCliConfig(args).config, new Date())),
    });
  },
});

const historyCommand = defineCommand({
  meta: { name: "history", description: "Notifications newest first (fired, reminders, resolved, silenced, tests) and how each delivery went" },
  args: {
    since: { type: "string", description: "From this time: ISO date/datetime or 30m, 24h, 7d, 2w" },
    rule: { type: "string", description: "Only this rule" },
    limit: { type: "string", description: "At most this many (default 50)" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const { since } = parseTimeRange({ since: args.since });
    const limit = parseLimit(args.limit, 50);
    const none = () => void process.stdout.write(args.json ? "[]\n" : "No notifications recorded.\n");
    await withDatabase(args, rawArgs, async (db) => {
      const entries = await alertHistory(db, { since, rule: args.rule, limit });
      if (entries.length === 0) return none();
      process.stdout.write(`${args.json ? renderJson(entries) : renderAlertHistory(entries)}\n`);
    }, { ifMissing: none });
  },
});

const testCommand = defineCommand({
  meta: { name: "test", description: "Send a sample notification of a rule through each of its channels, once, and say how each went" },
  args: { rule: { type: "positional", required: true, description: "The rule's name" }, json: { type: "boolean", description: "Print JSON" }, ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      findRule(ctx.config, args.rule);
      const monitoring = await startMonitoring({ database: { db }, bus: ctx.bus, config: ctx.config, node: ctx.node.name, timers: false });
      try {
        const outcomes = await monitoring.test(args.rule);
        if (args.json) process.stdout.write(`${renderJson(outcomes)}\n`);
        else {
          for (const o of outcomes) process.stdout.write(o.ok ? `${colors.green("✓")} ${o.channel}: sent\n` : `${colors.red("✗")} ${o.channel}: ${o.error}\n`);
        }
        if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
      } finally {
        await monitoring.stop();
      }
    }, { access: "write" });
  },
});

const silenceCommand = defineCommand({
  meta: { name: "silence", description: "No notifications from a rule for a while (they are still recorded as silenced)" },
  args: {
    rule: { type: "positional", required: true, description: "The rule's name" },
    for: { type: "string", required: true, description: "How long: 30m, 2h, 1d, …" },
    reason: { type: "string", description: "Why (kept with the silence)" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    let seconds: number;
    try {
      seconds = parseDuration(args.for);
    } catch {
      throw new VpoError("INVALID_ARGUMENT", `Invalid --for "${args.for}": expected a duration such as 30m, 2h or 1d`);
    }
    if (seconds <= 0) throw new VpoError("INVALID_ARGUMENT", `Invalid --for "${args.for}": expected a duration longer than 0`);
    if (seconds > MAX_DURATION_SECONDS) throw new VpoError("INVALID_ARGUMENT", `Invalid --for "${args.for}": expected at most 3650d (10 years)`);
    await withDatabase(args, rawArgs, async (db, ctx) => {
      findRule(ctx.config, args.rule);
      const now = new Date();
      const until = new Date(now.getTime() + seconds * 1000).toISOString();
      await addSilence(db, { rule: args.rule, until, now: now.toISOString(), reason: args.reason ?? null });
      if (args.json) return void process.stdout.write(`${renderJson({ rule: args.rule, until })}\n`);
      process.stdout.write(`Rule "${args.rule}" is silenced until ${until}: its notifications are recorded, not sent.\n`);
    }, { access: "write" });
  },
});

export const alertsCommand = defineCommand({
  meta: { name: "alerts", description: "Alert rules ([[alerts.rules]] in config.toml): their state, history, a test notification, silences" },
  subCommands: { list: listCommand, history: historyCommand, test: testCommand, silence: silenceCommand },
});
