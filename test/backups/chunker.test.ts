import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkerTables, chunkIds } from "../../src/modules/backups/chunker.js";
import { Restic, type SnapshotFile } from "../../src/modules/backups/restic.js";
import { verifyRestoredFiles } from "../../src/modules/backups/verify.js";

const MiB = 1024 * 1024;

function idsOf(polynomial: string, path: string): string[] {
  const fd = openSync(path, "r");
  try {
    return chunkIds(
      chunkerTables(polynomial),
      (b) => readSync(fd, b, 0, b.length, null),
      Buffer.alloc(MiB),
      createHash,
    );
  } finally {
    closeSync(fd);
  }
}

describe("restic's chunker, rewritten, against real restic", () => {
  let work: string;
  let source: string;
  let restic: Restic;
  let polynomial: string;
  let snapshot: string;
  let files: SnapshotFile[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "plantao-chunker-"));
    source = join(work, "source");
    mkdirSync(join(source, "deep", "er"), { recursive: true });
    writeFileSync(join(source, "empty"), "");
    writeFileSync(join(source, "one-byte"), "x");
    writeFileSync(join(source, "small.conf"), randomBytes(100_000));
    // Random data: cut where the fingerprint's low 20 bits are zero, about every MiB past the 512 KiB minimum.
    writeFileSync(join(source, "deep", "call.wav"), randomBytes(9 * MiB + 12_345));
    // Zeros: once the window holds only zeros the fingerprint is 0, so every chunk ends at the 512 KiB minimum.
    writeFileSync(join(source, "deep", "er", "zeros.img"), Buffer.alloc(17 * MiB));
    // Exactly the minimum and one byte either side of a chunk boundary.
    writeFileSync(join(source, "deep", "min.bin"), randomBytes(512 * 1024));
    restic = new Restic({
      repository: join(work, "repo"),
      password: "chunker-test",
      cacheDir: join(work, "cache"),
      timezone: "UTC",
    });
    await restic.exec(["init"]);
    snapshot = (await restic.backup([source], { tags: ["full"], host: "test", force: true })).snapshot_id!;
    polynomial = await restic.chunkerPolynomial();
    files = await restic.snapshotFiles(snapshot);
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("lists every file of the snapshot with restic's chunk ids, walking nested trees", () => {
    expect(files.map((f) => f.path)).toEqual(
      ["deep/call.wav", "deep/er/zeros.img", "deep/min.bin", "empty", "one-byte", "small.conf"].map(
        (p) => `${source}/${p}`,
      ),
    );
    const zeros = files.find((f) => f.path.endsWith("zeros.img"))!;
    expect(zeros.size).toBe(17 * MiB);
    expect(zeros.content).toHaveLength(34);
    // Cut points follow the repository's random polynomial; past the 8 MiB maximum there must be a cut.
    expect(files.find((f) => f.path.endsWith("call.wav"))!.content.length).toBeGreaterThan(1);
  });

  it("cuts every file where restic did, so each chunk's sha256 is restic's blob id", () => {
    for (const f of files) expect(idsOf(polynomial, f.path), f.path).toEqual(f.content);
  });

  it("gives the same cuts whatever the read size", () => {
    const path = join(source, "deep", "call.wav");
    const fd = openSync(path, "r");
    try {
      // Reads of 1 to 7,919 bytes: the state carried across reads, including the skipped first bytes.
      let k = 0;
      const ids = chunkIds(
        chunkerTables(polynomial),
        (b) => readSync(fd, b, 0, 1 + ((k++ * 104_729) % 7_919), null),
        Buffer.alloc(8_000),
        createHash,
      );
      expect(ids).toEqual(files.find((f) => f.path === path)!.content);
    } finally {
      closeSync(fd);
    }
  });

  it("refuses a polynomial restic would never draw", () => {
    expect(() => chunkerTables("ff")).toThrow(/degree/);
    expect(() => chunkerTables("not-hex")).toThrow(/polynomial/);
  });

  it("verifies a real restore, and names changed, truncated and missing files", async () => {
    const target = join(work, "restored");
    await restic.restore(snapshot, target);
    expect(await verifyRestoredFiles(target, files, polynomial)).toMatchObject({
      status: "passed",
      detail: "6 files match the chunk checksums recorded in the snapshot",
      key: "checksums.passed",
      params: { files: 6 },
    });

    const restored = (p: string) => join(target, source, p);
    const wav = randomBytes(9 * MiB + 12_345);
    writeFileSync(restored("deep/call.wav"), wav); // same size, other bytes
    truncateSync(restored("small.conf"), 10);
    rmSync(restored("one-byte"));
    const result = await verifyRestoredFiles(target, files, polynomial);
    expect(result.status).toBe("failed");
    expect(result.detail).toBe(
      `3 of 6 files: ${source}/deep/call.wav (content differs), ${source}/one-byte (missing), ` +
        `${source}/small.conf (10 bytes, the snapshot holds 100000)`,
    );
  });

  it("stops when aborted", async () => {
    const stop = new AbortController();
    const running = verifyRestoredFiles(join(work, "restored"), files, polynomial, stop.signal);
    stop.abort(new Error("cancelled"));
    await expect(running).rejects.toThrow("cancelled");
  });
});
