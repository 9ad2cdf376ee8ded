/**
 * Preloaded by `vpo test` before a plugin's test files: their imports of `vpo`, `vpo/testing`
 * and `valibot` reach this vpo's own modules, as a plugin's do when vpo loads it — from a folder
 * with no node_modules, nothing installed.
 */
import { provideModules } from "../core/mod.ts";

provideModules();
