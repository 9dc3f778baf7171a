import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileManifest } from "../../src/modules/backups/manifest.js";
import { mysqlDumpCounts } from "../../src/modules/backups/sources.js";

const T = 1_767_225_600;
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

describe("file manifest", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "plantao-manifest-"));
    mkdirSync(join(dir, "sip"));
    writeFileSync(join(dir, "sip", "peers.conf"), "[100]\n");
    writeFileSync(join(dir, "extensions.conf"), "[default]\n");
    writeFileSync(join(dir, "debug.log"), "noise\n");
    writeFileSync(join(dir, "big.wav"), Buffer.alloc(3 * 1024 * 1024 + 7, 1));
    symlinkSync(join(dir, "extensions.conf"), join(dir, "link.conf"));
    // Whole seconds, so utimes can put the very same mtime back later.
    for (const f of ["sip/peers.conf", "extensions.conf", "debug.log", "big.wav"]) utimesSync(join(dir, f), T, T);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("hashes every regular file in path order, leaving out excludes and symbolic links", async () => {
    const files = await fileManifest([dir], ["*.log"], undefined);
    expect(files.map((f) => f.path)).toEqual([
      join(dir, "big.wav"),
      join(dir, "extensions.conf"),
      join(dir, "sip", "peers.conf"),
    ]);
    expect(files[0]).toMatchObject({ size: 3 * 1024 * 1024 + 7, sha256: sha(Buffer.alloc(3 * 1024 * 1024 + 7, 1)) });
    expect(files[2]).toMatchObject({ sha256: sha("[100]\n"), ino: statSync(join(dir, "sip", "peers.conf")).ino });
  });

  it("keeps a checksum only while size, mtime, ctime and inode are all unchanged", async () => {
    const first = await fileManifest([dir], [], undefined);
    // A forged previous checksum shows which entries were reused and which were read again.
    const forged = first.map((f) => ({ ...f, sha256: "reused" }));
    expect((await fileManifest([dir], [], forged)).every((f) => f.sha256 === "reused")).toBe(true);

    // Same size, mtime put back with utimes: only the ctime tells, and it does.
    const conf = join(dir, "extensions.conf");
    const before = statSync(conf);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(conf, "[DEFAULT]\n");
    utimesSync(conf, T, T);
    expect(statSync(conf)).toMatchObject({ mtimeMs: before.mtimeMs, size: before.size, ino: before.ino });
    // Replaced by another file (another inode), metadata otherwise alike.
    const peers = join(dir, "sip", "peers.conf");
    writeFileSync(`${peers}.new`, "[200]\n");
    utimesSync(`${peers}.new`, T, T);
    renameSync(`${peers}.new`, peers);

    const again = await fileManifest([dir], [], forged);
    const byPath = new Map(again.map((f) => [f.path, f.sha256]));
    expect(byPath.get(conf)).toBe(sha("[DEFAULT]\n"));
    expect(byPath.get(peers)).toBe(sha("[200]\n"));
    expect(byPath.get(join(dir, "big.wav"))).toBe("reused");
  });

  it("stops hashing when the run is cancelled", async () => {
    const stop = new AbortController();
    const running = fileManifest([dir], [], undefined, stop.signal);
    stop.abort(new Error("restic failed"));
    await expect(running).rejects.toThrow("restic failed");
  });
});

describe("MySQL dump row counts", () => {
  it("counts the tuples of INSERT statements, one line or one tuple a line, whatever the strings hold", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plantao-dump-"));
    try {
      const file = join(dir, "dump.sql");
      writeFileSync(
        file,
        [
          "CREATE TABLE `empty``one` (",
          "  `id` int",
          ");",
          "CREATE TABLE `cdr` (",
          "  `note` text",
          ");",
          "INSERT INTO `cdr` VALUES (1,'x;)'),(2,'it\\'s (3),(4)'),(3,'back\\\\'),(4,0x28);",
          "INSERT INTO `cdr` VALUES",
          "(5,'a'),",
          '(6,"b);(c"),',
          "(7,NULL);",
          "/*!50001 CREATE TABLE `a_view` */;",
          "",
        ].join("\n"),
      );
      expect(await mysqlDumpCounts(file)).toEqual({ "empty`one": 0, cdr: 7 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
