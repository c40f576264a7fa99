/**
 * Where the browser assets are: web/ beside the package root (found from this file whether it runs
 * from source or from dist/), ECharts, TopoJSON and the world map from node_modules. Read once.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "web"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find nvp's web/ assets");
    dir = up;
  }
  return dir;
}

const cache = new Map<string, string>();

function read(path: string): string {
  let text = cache.get(path);
  if (text === undefined) cache.set(path, (text = readFileSync(path, "utf8")));
  return text;
}

/** A file of web/ (common.js, report.js, explorer.js, style.css, explorer.html). */
export const webAsset = (name: string): string => read(join(packageRoot(), "web", name));
export const echartsJs = (): string => read(require.resolve("echarts/dist/echarts.min.js"));
export const topojsonJs = (): string => read(require.resolve("topojson-client/dist/topojson-client.min.js"));
export const worldAtlasJson = (): string => read(require.resolve("world-atlas/countries-110m.json"));

/** Text safe inside an inline <script>: `</script` and `<!--` cannot end or confuse it. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}
