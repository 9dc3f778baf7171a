import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config.js";
import { createPlatform } from "../../src/platform/runtime.js";
import { SecretKeyError } from "../../src/platform/secrets.js";
import { engines, type ScratchDatabase, scratchDatabase } from "../harness.js";

describe.each(engines)("the secret key on %s", (engine) => {
  let db: ScratchDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await scratchDatabase(engine);
    dataDir = mkdtempSync(join(tmpdir(), "plantao-key-"));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = (env: NodeJS.ProcessEnv) =>
    createPlatform({
      config: loadConfig({ PLANTAO_LOG_LEVEL: "silent" }, { databaseUrl: db.url, dataDir }),
      logger: pino({ level: "silent" }),
      env,
    });

  it("seals secrets with the configured key and refuses to start with another one", async () => {
    const first = await open({ PLANTAO_SECRET_KEY: "the original key" });
    const sealed = first.secrets.seal("sip-password");
    expect(sealed).not.toContain("sip-password");
    expect(first.secrets.open(sealed)).toBe("sip-password");
    await first.close();

    const again = await open({ PLANTAO_SECRET_KEY: "the original key" });
    await again.close();

    const wrong = open({ PLANTAO_SECRET_KEY: "a different key" });
    await expect(wrong).rejects.toBeInstanceOf(SecretKeyError);
    await expect(open({ PLANTAO_SECRET_KEY: "a different key" })).rejects.toThrow(
      /not the one this database's secrets were sealed with/,
    );
    // Without PLANTAO_SECRET_KEY a new key file is made, which is not the original either.
    await expect(open({})).rejects.toThrow(/restore the original key/);
  });
});
