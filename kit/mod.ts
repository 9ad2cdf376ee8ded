/**
 * vpo's plugin kit, `@vpo-media/vpo/testing` (also `vpo/testing` in a plugin's test run by
 * `vpo test`): bun:test checks of a plugin against vpo's plugin contract, on real media the kit
 * makes with ffmpeg, recorded in a temp SQLite database through vpo's own repository.
 *
 * @example
 * // subtitle-size_test.ts
 * import { describePlugin } from "vpo/testing";
 * import plugin from "./subtitle-size.ts";
 * describePlugin(plugin, { capabilities: { beforeRun: true, afterRun: true, metrics: true }, module: new URL("./subtitle-size.ts", import.meta.url) });
 */
export { describePlugin } from "./describe_plugin.ts";
export type { DescribePluginOptions } from "./describe_plugin.ts";
export type { PluginCapabilities } from "./capabilities.ts";
export type { KitCommand, KitContext, KitRun, KitRunOptions } from "./context.ts";
export type { OptionsSpec } from "./checks.ts";
export { KIT_FIXTURES, type KitFixture } from "./fixtures.ts";
