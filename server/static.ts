import { readdirSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { Elysia } from "elysia";
import { HttpError } from "./errors.ts";

const packageDir = (name: string) => dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir));

/** Files served under /swagger/assets: Swagger UI from the installed swagger-ui-dist, no CDN. */
const SWAGGER_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png"];

/** Files served under /vendor: uPlot from the installed package. */
const VENDOR_FILES: Record<string, string> = { "uplot.js": "uPlot.esm.js", "uplot.css": "uPlot.min.css" };

const DASHBOARD_DIR = join(import.meta.dir, "dashboard");

/** The dashboard loads nothing but this server's own scripts, styles and API. */
const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function serveFile(path: string, headers: Record<string, string> = {}): Response {
  return new Response(Bun.file(path), { headers: { "cache-control": "no-cache", "x-content-type-options": "nosniff", ...headers } });
}

function notFound(path: string): never {
  throw new HttpError(404, "NOT_FOUND", `No such file: ${path}`);
}

/**
 * The dashboard (/, /dashboard/*, /dashboard/panels/*), its chart library (/vendor/*) and Swagger UI's assets
 * (/swagger/assets/*), all from the project: every page works with no internet. Only files
 * listed at start are served, so no path can escape these folders.
 */
export function staticRoutes() {
  const swaggerDir = packageDir("swagger-ui-dist");
  const uplotDir = join(packageDir("uplot"), "dist");
  // Panels live in a subfolder (dashboard/panels/*.js): one level of folders, plain names only.
  const dashboardFiles = new Set(
    readdirSync(DASHBOARD_DIR, { recursive: true, encoding: "utf8" }).map((f) => f.split(sep).join("/")).filter((f) => /^([\w-]+\/)?[\w.-]+\.(html|js|css|svg)$/.test(f)),
  );
  const hide = { detail: { hide: true } };
  return new Elysia({ name: "vpo-static-routes" })
    .get("/", () => serveFile(join(DASHBOARD_DIR, "index.html"), { "content-security-policy": DASHBOARD_CSP }), hide)
    .get("/dashboard/*", ({ params }) => (dashboardFiles.has(params["*"]) ? serveFile(join(DASHBOARD_DIR, params["*"])) : notFound(params["*"])), hide)
    .get("/vendor/:file", ({ params }) => (VENDOR_FILES[params.file] ? serveFile(join(uplotDir, VENDOR_FILES[params.file]!)) : notFound(params.file)), hide)
    .get("/swagger/assets/:file", ({ params }) => (SWAGGER_FILES.includes(params.file) ? serveFile(join(swaggerDir, params.file)) : notFound(params.file)), hide);
}
