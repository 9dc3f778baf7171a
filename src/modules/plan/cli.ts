import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { type OpenServices, type Output, processOutput, withServices } from "../../platform/cli.js";
import type { PlanService } from "./service.js";
import { exportPlanYaml, parsePlanYaml } from "./yaml.js";

export type OpenPlan = OpenServices<{ plan: PlanService }>;

/** Runs `fn` on the plan service; a failure is one line on stderr and exit code 1. */
const withPlan = (open: OpenPlan, io: Output, fn: (plan: PlanService) => Promise<void>) =>
  withServices(open, io, (services) => fn(services.plan));

/**
 * `plan export` and `plan import`. Turns on positional options for `program`, so that `--version` after
 * `plan export` is the plan version and not the program's own `--version`.
 */
export function registerPlanCommands(program: Command, open: OpenPlan, io: Output = processOutput): void {
  program.enablePositionalOptions();
  const plan = program.command("plan").description("the support and maintenance plan as YAML");

  plan
    .command("export")
    .description("print the current plan (or one version) as YAML")
    .option("--version <n>", "a version number instead of the current plan", (v) => {
      if (!/^[1-9][0-9]{0,8}$/.test(v)) throw new Error(`--version must be a version number, got "${v}"`);
      return Number(v);
    })
    .option("--output <file>", "write to a file instead of stdout")
    .action(async (opts: { version?: number; output?: string }) => {
      await withPlan(open, io, async (service) => {
        const { version, document } = opts.version ? await service.version(opts.version) : await service.current();
        const yaml = exportPlanYaml(document);
        if (!opts.output) return io.out(yaml);
        await writeFile(opts.output, yaml);
        io.out(`wrote plan version ${version} to ${opts.output}\n`);
      });
    });

  plan
    .command("import")
    .description("save a YAML plan as a new version (invalid files change nothing)")
    .argument("<file>", "YAML file, as written by plan export")
    .requiredOption("--comment <text>", "why the plan changes (shown in the history)")
    .action(async (file: string, opts: { comment: string }) => {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        io.err(`plantao: cannot read ${file}: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const parsed = parsePlanYaml(text);
      if (!parsed.ok) {
        for (const e of parsed.errors) io.err(`${file}:${e.line}:${e.column}: ${e.pointer || "/"}: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      await withPlan(open, io, async (service) => {
        const saved = await service.update({ document: parsed.document, comment: opts.comment }, { cli: true });
        io.out(`saved plan version ${saved.version}\n`);
      });
    });
}
