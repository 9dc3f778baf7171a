import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestContext, testApp, tokenFor } from "../harness.js";

const run = promisify(execFile);
const AMTOOL = "/usr/bin/amtool";

describe.skipIf(!existsSync(AMTOOL))("amtool against Plantão's Alertmanager API", () => {
  let t: TestContext;
  let args: string[];
  beforeAll(async () => {
    t = await testApp("sqlite");
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { token } = await tokenFor(t, "admin");
    const dir = mkdtempSync(join(tmpdir(), "amtool-"));
    const config = join(dir, "http.yml");
    writeFileSync(config, `authorization:\n  type: Bearer\n  credentials: ${token}\n`);
    args = [`--alertmanager.url=${address}`, `--http.config.file=${config}`];
  }, 60_000);
  afterAll(async () => t?.close());

  it("adds an alert and a silence and lists them", async () => {
    await run(AMTOOL, [
      ...args,
      "alert",
      "add",
      "TrunkDown",
      "host=pbx-01",
      "severity=critical",
      "--annotation=summary=trunk down",
    ]);
    const alerts = await run(AMTOOL, [...args, "alert", "query", "-o", "json"]);
    expect(JSON.parse(alerts.stdout)).toMatchObject([{ labels: { alertname: "TrunkDown", host: "pbx-01" } }]);
    const silence = await run(AMTOOL, [
      ...args,
      "silence",
      "add",
      "host=pbx-01",
      "--comment=maintenance",
      "--author=noc",
      "--duration=1h",
    ]);
    const id = silence.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const silences = await run(AMTOOL, [...args, "silence", "query", "-o", "json"]);
    expect(JSON.parse(silences.stdout)).toMatchObject([{ id, createdBy: "noc", comment: "maintenance" }]);
    await run(AMTOOL, [...args, "silence", "expire", id]);
    const v1 = await t.services.alerts.listAlerts();
    expect(v1).toMatchObject([{ state: "firing", silenced: false }]);
  }, 30_000);
});
