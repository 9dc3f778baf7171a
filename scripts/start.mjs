// `npm start`: build once when dist/ is missing, then serve.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url);
const built = existsSync(new URL("dist/server/cli.js", root)) && existsSync(new URL("dist/web/index.html", root));
if (!built) {
  console.log("plantao: dist/ is missing, building (takes a minute once)...");
  const r = spawnSync("npm", ["run", "build"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
process.argv.splice(2, 0, "start");
await import(new URL("dist/server/cli.js", root).href);
