import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * `npm run bench [-- name...]`: runs every bench/*.bench.ts (or those whose file name contains a given word),
 * each in its own process so one benchmark's heap and handles cannot skew the next. A benchmark module either
 * does its work on import or exports a default async function; either way it prints one JSON line per result.
 */
const here = fileURLToPath(import.meta.url);
const dir = dirname(here);
const args = process.argv.slice(2);

if (args.length === 1 && args[0]!.endsWith(".bench.ts")) {
  const mod = await import(pathToFileURL(join(dir, args[0]!)).href);
  if (typeof mod.default === "function") await mod.default();
} else {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".bench.ts") && (!args.length || args.some((word) => f.includes(word))))
    .sort();
  if (!files.length) throw new Error(`no benchmark matches ${args.join(", ")}`);
  const failed: string[] = [];
  for (const file of files) {
    process.stderr.write(`bench: ${file}\n`);
    const code = await new Promise<number>((resolve) => {
      spawn(process.execPath, [...process.execArgv, here, file], { stdio: "inherit" }).on("exit", (c) =>
        resolve(c ?? 1),
      );
    });
    if (code !== 0) failed.push(file);
  }
  if (failed.length) {
    process.stderr.write(`bench: failed or below target: ${failed.join(", ")}\n`);
    process.exitCode = 1;
  }
}
