import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { CHUNKER_SOURCE } from "./chunker.js";
import type { SnapshotFile } from "./restic.js";

export interface CheckResult {
  name: string;
  status: "passed" | "failed";
  /** In English, for logs and the CLI. */
  detail: string;
  /** The detail as a message key and its values, for clients that word it in their reader's language. */
  key?: string;
  params?: Record<string, string | number>;
}

/** Where restic restored an absolute path from the snapshot under `target`. */
export const restoredPath = (target: string, path: string) => join(target, path);

interface WorkerInput {
  polynomial: string;
  files: { path: string; restored: string; size: number; content: string[] }[];
  bufferSize: number;
}

/**
 * Chunks and hashes every restored file in a worker thread with synchronous reads into one buffer, so the event
 * loop never waits on a large file. Plain JavaScript evaluated as CommonJS, as the chunker itself.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
${CHUNKER_SOURCE}
const { polynomial, files, bufferSize } = workerData;
const tables = chunkerTables(polynomial);
const buffer = Buffer.allocUnsafe(bufferSize);
const bad = [];
for (const f of files) {
  let fd;
  try {
    fd = fs.openSync(f.restored, "r");
  } catch {
    bad.push(f.path + " (missing)");
    continue;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size !== f.size) {
      bad.push(f.path + " (" + size + " bytes, the snapshot holds " + f.size + ")");
      continue;
    }
    const ids = chunkIds(tables, (b) => fs.readSync(fd, b, 0, b.length, null), buffer, createHash);
    if (ids.length !== f.content.length || ids.some((id, i) => id !== f.content[i])) bad.push(f.path + " (content differs)");
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.postMessage({ bad });
`;

/**
 * Compares every file restored under `target` with what the snapshot recorded at backup time: its size and the
 * sha256 of each of its chunks (restic's blob ids), recomputed here by our own chunker, not by restic.
 */
export function verifyRestoredFiles(
  target: string,
  files: SnapshotFile[],
  polynomial: string,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const input: WorkerInput = {
    polynomial,
    files: files.map((f) => ({ ...f, restored: restoredPath(target, f.path) })),
    bufferSize: 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: input });
    const abort = () => {
      void worker.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
    const settle = () => signal?.removeEventListener("abort", abort);
    worker.once("message", ({ bad }: { bad: string[] }) => {
      settle();
      resolve(
        bad.length
          ? {
              name: "checksums",
              status: "failed",
              detail: `${bad.length} of ${files.length} files: ${bad.slice(0, 5).join(", ")}`,
              key: "checksums.failed",
              params: { bad: bad.length, files: files.length, paths: bad.slice(0, 5).join(", ") },
            }
          : {
              name: "checksums",
              status: "passed",
              detail: `${files.length} files match the chunk checksums recorded in the snapshot`,
              key: "checksums.passed",
              params: { files: files.length },
            },
      );
    });
    worker.once("error", (err) => {
      settle();
      reject(err);
    });
    // Ended without an answer (terminated, out of memory): the test must not wait forever.
    worker.once("exit", (code) => {
      settle();
      reject(new Error(`the verification's worker thread stopped (exit ${code}) before it finished`));
    });
  });
}
