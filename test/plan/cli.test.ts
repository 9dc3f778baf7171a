import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { registerPlanCommands } from "../../src/modules/plan/cli.js";
import type { PlanService } from "../../src/modules/plan/service.js";
import { parsePlanYaml } from "../../src/modules/plan/yaml.js";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp } from "../harness.js";

describe.each(engines)("plan commands on %s", (engine) => {
  const clock = new ManualClock("2026-03-10T15:00:00Z");
  let t: TestContext;
  let plan: PlanService;
  let dir: string;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    plan = t.services.plan;
    dir = mkdtempSync(join(tmpdir(), "plantao-plan-"));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  /** Runs `plantao <args>` as the real CLI would (with its own --version flag), capturing the output. */
  async function run(...args: string[]) {
    const output = { out: "", err: "" };
    const program = new Command("plantao").version("0.0.0", "-V, --version").exitOverride();
    registerPlanCommands(program, async () => ({ services: { plan }, close: async () => {} }), {
      out: (s) => (output.out += s),
      err: (s) => (output.err += s),
    });
    await program.parseAsync(["node", "plantao", ...args]);
    return { ...output, exitCode: process.exitCode ?? 0 };
  }

  it("exports the current plan as YAML to stdout, and a version to a file", async () => {
    const stdout = await run("plan", "export");
    expect(stdout.exitCode).toBe(0);
    expect(parsePlanYaml(stdout.out)).toEqual({ ok: true, document: (await plan.current()).document });

    const file = join(dir, "v1.yaml");
    const written = await run("plan", "export", "--version", "1", "--output", file);
    expect(written.out).toBe(`wrote plan version 1 to ${file}\n`);
    expect(readFileSync(file, "utf8")).toBe(stdout.out);
    expect(await run("plan", "export", "--version", "7")).toMatchObject({
      exitCode: 1,
      err: "plantao: Plan version 7 was not found\n",
    });
  });

  it("imports a file as a new version authored by the CLI", async () => {
    const file = join(dir, "edited.yaml");
    writeFileSync(file, (await run("plan", "export")).out.replace("noticeHours: 48", "noticeHours: 72"));
    expect(await run("plan", "import", file, "--comment", "Aviso com 72 h")).toMatchObject({
      exitCode: 0,
      out: "saved plan version 2\n",
    });
    const saved = await plan.current();
    expect(saved).toMatchObject({ version: 2, author: { userId: null, name: "cli" }, comment: "Aviso com 72 h" });
    expect(saved.document.maintenanceWindow.noticeHours).toBe(72);
    const [entry] = await t.services.auditRepo.list({ action: "plan.updated", limit: 1 });
    expect(entry).toMatchObject({ actor_label: "cli", target_id: "2" });
  });

  it("prints each error with file, line and field, exits 1 and changes nothing", async () => {
    const file = join(dir, "broken.yaml");
    const text = (await run("plan", "export")).out
      .replace("noticeHours: 72", "noticeHours: -1")
      .replace("calendar: 24x7", "calendar: 24x8");
    writeFileSync(file, text);
    const line = text.split("\n").findIndex((l) => l.includes("noticeHours")) + 1;
    const result = await run("plan", "import", file, "--comment", "quebrado");
    expect(result).toMatchObject({ exitCode: 1, out: "" });
    expect(result.err).toBe(`${file}:${line}:3: /maintenanceWindow/noticeHours: must be >= 0\n`);
    expect((await run("plan", "import", join(dir, "missing.yaml"), "--comment", "x")).err).toMatch(
      /^plantao: cannot read .*missing\.yaml/,
    );
    expect((await plan.current()).version).toBe(2);
  });
});
