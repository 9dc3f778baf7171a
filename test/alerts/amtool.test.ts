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
  let auth: { authorization: string };
  beforeAll(async () => {
    t = await testApp("sqlite");
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { token, headers } = await tokenFor(t, "admin");
    auth = headers;
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
    await run(AMTOOL, [...args, "alert", "add", "DiskFull", "host=db-01", "severity=medium"]);
    const alerts = await run(AMTOOL, [...args, "alert", "query", "-o", "json", "host=~pbx-.*"]);
    expect(JSON.parse(alerts.stdout)).toMatchObject([{ labels: { alertname: "TrunkDown", host: "pbx-01" } }]);
    const all = await run(AMTOOL, [...args, "alert", "query", "-o", "json"]);
    expect(JSON.parse(all.stdout)).toHaveLength(2);
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
    const silences = await run(AMTOOL, [...args, "silence", "query", "-o", "json", "host=pbx-01"]);
    expect(JSON.parse(silences.stdout)).toMatchObject([{ id, createdBy: "noc", comment: "maintenance" }]);
    const none = await run(AMTOOL, [...args, "silence", "query", "-o", "json", "host=pbx-02"]);
    expect(JSON.parse(none.stdout)).toEqual([]);
    await run(AMTOOL, [...args, "silence", "expire", id]);
    const v1 = await t.services.alerts.listAlerts();
    expect(v1.find((a) => a.labels.alertname === "TrunkDown")).toMatchObject({ state: "firing", silenced: false });
  }, 30_000);

  it("shows the API's errors, not a media type it cannot read", async () => {
    const failure = async (argv: string[]) => {
      const err = await run(AMTOOL, argv).then(
        () => null,
        (e: { stderr: string }) => e,
      );
      expect(err).not.toBeNull();
      expect(err!.stderr).not.toMatch(/no consumer/);
      return err!.stderr;
    };
    const missing = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    expect(await failure([...args, "silence", "expire", missing])).toMatch(/404/);
    const wrongToken = join(mkdtempSync(join(tmpdir(), "amtool-")), "http.yml");
    writeFileSync(wrongToken, "authorization:\n  type: Bearer\n  credentials: not-a-token\n");
    expect(await failure([args[0]!, `--http.config.file=${wrongToken}`, "alert", "query"])).toMatch(/401/);
  }, 30_000);

  it("answers Alertmanager's JSON-string errors to clients that accept only JSON, problem+json otherwise", async () => {
    const post = (accept?: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/v2/silences",
        headers: { ...auth, ...(accept ? { accept } : {}) },
        payload: {
          matchers: [{ name: "host", value: "a", isRegex: false }],
          startsAt: "2026-12-06T10:00:00Z",
          endsAt: "2026-12-06T11:00:00Z",
          comment: "x",
        },
      });
    const amtoolLike = await post("application/json");
    expect(amtoolLike.statusCode).toBe(400);
    expect(amtoolLike.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(amtoolLike.body)).toMatch(/createdBy/);
    for (const accept of [undefined, "application/problem+json, application/json", "*/*"]) {
      const res = await post(accept);
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, errors: [expect.objectContaining({ pointer: "/createdBy" })] });
    }
  });
});
