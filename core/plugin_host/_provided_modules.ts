/**
 * The modules vpo gives the plugins it loads: `vpo` and `vpo/testing` (also under the package's
 * own name, `@vpo-media/vpo`), and `valibot`. A plugin file may live anywhere — in a folder with no
 * node_modules, or next to an unrelated npm package that happens to be called "vpo" — and its
 * `import { definePlugin } from "vpo"` still reaches the vpo that loads it, and its schemas the
 * valibot that checks its metrics.
 *
 * Why virtual modules: on Bun 1.4 a runtime plugin's onResolve never sees bare specifiers
 * (oven-sh/bun#40579), while `build.module` does. Each one re-exports the real file by absolute
 * path, so the plugin shares vpo's module instances (`instanceof VpoError` holds).
 */
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };

const ROOT = resolve(import.meta.dir, "../..");

/** Specifier → absolute path of the module it stands for. */
export function providedModules(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [subpath, file] of Object.entries(pkg.exports)) {
    const target = join(ROOT, file);
    for (const name of new Set(["vpo", pkg.name])) out.set(subpath === "." ? name : `${name}/${subpath.slice(2)}`, target);
  }
  out.set("valibot", Bun.resolveSync("valibot", ROOT));
  return out;
}

let provided = false;

/** Registers the provided modules in the calling thread (each Worker has its own registry); idempotent. */
export function provideModules(): void {
  if (provided) return;
  provided = true;
  const modules = providedModules();
  Bun.plugin({
    name: "vpo-provided-modules",
    setup(build) {
      for (const [specifier, target] of modules) {
        build.module(specifier, () => ({ contents: `export * from ${JSON.stringify(target)};`, loader: "js" }));
      }
    },
  });
}
