import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Restic } from "../../src/modules/backups/restic.js";
import {
  addMachineKey,
  localRepositoryPath,
  type MachineKey,
  openKeyFile,
  poly1305,
} from "../../src/modules/backups/restic-key.js";

const hex = (s: string) => Buffer.from(s.replace(/[: ]/g, ""), "hex");

describe("restic key files", () => {
  it("computes Poly1305 as RFC 8439 §2.5.2 says", () => {
    const tag = poly1305(
      Buffer.from("Cryptographic Forum Research Group"),
      hex("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8"),
      hex("01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b"),
    );
    expect(tag.toString("hex")).toBe("a8061dc1305136c6c22b8baf0c0127a9");
    expect(poly1305(Buffer.alloc(0), Buffer.alloc(16, 1), Buffer.alloc(16, 2)).toString("hex")).toBe("02".repeat(16));
  });

  it("takes local paths only", () => {
    expect(localRepositoryPath("/srv/backups/pbx")).toBe("/srv/backups/pbx");
    expect(localRepositoryPath("local:/srv/backups/pbx")).toBe("/srv/backups/pbx");
    expect(localRepositoryPath("sftp:backup@host:/srv/restic")).toBeNull();
    expect(localRepositoryPath("s3:https://s3.example.com/bucket")).toBeNull();
  });

  describe("against real restic", () => {
    let work: string;
    let repo: string;
    const restic = (password: string, extra: Partial<ConstructorParameters<typeof Restic>[0]> = {}) =>
      new Restic({ repository: repo, password, cacheDir: join(work, "cache"), timezone: "UTC", ...extra });
    const keyFiles = () => readdirSync(join(repo, "keys"));

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "plantao-restic-key-"));
      repo = join(work, "repo");
      await restic("the job's password").exec(["init"]);
    }, 30_000);
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it("opens restic's own key file with its password only (restic's MAC, restic's cipher)", async () => {
      const file = JSON.parse(readFileSync(join(repo, "keys", keyFiles()[0]!), "utf8"));
      const master = await openKeyFile(file, "the job's password");
      expect(JSON.parse(master!.toString())).toEqual({
        mac: { k: expect.any(String), r: expect.any(String) },
        encrypt: expect.any(String),
      });
      expect(await openKeyFile(file, "another password")).toBeNull();
    });

    let key: MachineKey;

    it("adds a key restic opens quickly, beside the job's own", async () => {
      const verify = (k: MachineKey) =>
        restic(k.password, { keyHint: k.id })
          .exec(["cat", "config", "--no-lock"])
          .then(
            () => true,
            () => false,
          );
      expect(await addMachineKey(repo, "a wrong password", new Date(), verify)).toBeNull();
      expect(keyFiles()).toHaveLength(1);
      key = (await addMachineKey(repo, "the job's password", new Date("2026-11-25T12:00:00Z"), verify))!;
      expect(key.id).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.from(key.password, "base64url")).toHaveLength(32);
      expect(keyFiles().sort()).toContain(key.id);

      const started = performance.now();
      await restic(key.password, { keyHint: key.id }).snapshots();
      const machine = performance.now() - started;
      // The calibrated key costs restic ~0.45 s of scrypt at every start; the machine key a few milliseconds.
      expect(machine).toBeLessThan(2_000);

      const keys = await restic("the job's password").exec(["key", "list", "--json"]);
      const list = JSON.parse(keys) as { userName: string; id: string }[];
      expect(list.map((k) => k.userName).sort()).toEqual(["plantao", "root"].sort());
      expect(await addMachineKey("sftp:backup@host:/srv/restic", "x", new Date(), verify)).toBeNull();
    });

    it("falls back to the job's password when the machine key is gone, touching nothing first", async () => {
      rmSync(join(repo, "keys", key.id), { force: true });
      const withKey = restic(key.password, { keyHint: key.id, fallbackPassword: "the job's password" });
      expect(await withKey.snapshots()).toEqual([]);
      await expect(restic(key.password, { keyHint: key.id }).snapshots()).rejects.toMatchObject({
        reason: "wrong-password",
      });
    });
  });
});
