import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnNode } from "../fixtures/processes.js";

const STACK_FRAME = /^\s+at /m;

describe("plantao start with a broken setup", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "plantao-cli-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs `node bin/plantao.js start` with only the given settings (plus PATH and a private data dir). */
  async function start(env: Record<string, string>) {
    const child = spawnNode(["bin/plantao.js", "start"], {
      PATH: process.env.PATH,
      PLANTAO_DATA_DIR: dataDir,
      PLANTAO_LOG_LEVEL: "error",
      ...env,
    });
    const t0 = Date.now();
    const timer = setTimeout(() => child.process.kill("SIGKILL"), 15_000);
    const exit = await child.exited;
    clearTimeout(timer);
    return { ...exit, ms: Date.now() - t0, stderr: child.stderr() };
  }

  it("names an unreachable PostgreSQL with the password masked and exits 1", async () => {
    const r = await start({ PLANTAO_DATABASE_URL: "postgres://bob:secret@127.0.0.1:1/x" });
    expect(r.code).toBe(1);
    // Mostly the TypeScript loader starting on a busy machine (10.2 s once beside the other test worker); the
    // refused connection itself is instant. The point is a prompt exit, not a hang until the 15 s kill.
    expect(r.ms).toBeLessThan(14_000);
    expect(r.stderr).toContain("postgres://bob:***@127.0.0.1:1/x");
    expect(r.stderr).not.toContain("secret");
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it.each([
    ["not a number", "abc", "PLANTAO_PORT must be an integer from 0 to 65535"],
    ["out of range", "70000", "PLANTAO_PORT must be an integer from 0 to 65535"],
  ])("rejects a port that is %s", async (_what, port, message) => {
    const r = await start({ PLANTAO_PORT: port });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`plantao: ${message}, got "${port}"`);
  });

  describe("when the port is taken", () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it("says so and suggests PLANTAO_PORT", async () => {
      const r = await start({
        PLANTAO_PORT: String(port),
        PLANTAO_HOST: "127.0.0.1",
        PLANTAO_DATABASE_URL: `sqlite:${join(dataDir, "plantao.db")}`,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("EADDRINUSE");
      expect(r.stderr).toContain("set PLANTAO_PORT to another port");
      expect(r.stderr).not.toMatch(STACK_FRAME);
    });
  });
});
