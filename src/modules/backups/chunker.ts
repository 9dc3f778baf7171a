/**
 * restic's content-defined chunking, written anew from its published algorithm (the restic/chunker package
 * restic 0.14 uses): a Rabin fingerprint over a 64-byte window with the repository's random polynomial of
 * degree 53; a chunk ends where the fingerprint's low 20 bits are zero, and holds 512 KiB to 8 MiB. The first
 * 512 KiB - 64 bytes of a chunk are not fed to the window. A blob's id is the sha256 of its chunk, so hashing
 * the chunks of a restored file gives the ids restic recorded in the snapshot's tree at backup time.
 *
 * Plain JavaScript in a string: the restore test evaluates it in a worker thread (so the event loop never waits
 * on a multi-gigabyte file, and it runs the same from compiled output, tsx and Vitest), and `chunkIds` below
 * evaluates the same text for callers on the main thread and for the tests.
 *
 * The fingerprint stays below 2^53 and reaches 2^61 for one step, so it is held as two 32-bit halves.
 */
export const CHUNKER_SOURCE = `
const MIN_SIZE = 512 * 1024;
const MAX_SIZE = 8 * 1024 * 1024;
const WINDOW = 64;
const SPLIT_MASK = (1 << 20) - 1;

function degree(x) {
  return x === 0n ? -1 : x.toString(2).length - 1;
}

function polMod(x, d) {
  const dd = degree(d);
  for (let k = degree(x); k >= dd; k = degree(x)) x ^= d << BigInt(k - dd);
  return x;
}

/** The tables for a polynomial given as restic prints it in the repository's config (hex). */
function chunkerTables(polynomialHex) {
  if (!/^[0-9a-f]{1,16}$/i.test(polynomialHex)) throw new Error("not a chunker polynomial: " + polynomialHex);
  const pol = BigInt("0x" + polynomialHex);
  const k = degree(pol);
  // restic draws polynomials of degree 53; the two-halves arithmetic below needs 40..53.
  if (k < 40 || k > 53) throw new Error("unsupported chunker polynomial degree " + k);
  const outHi = new Uint32Array(256);
  const outLo = new Uint32Array(256);
  const modHi = new Uint32Array(256);
  const modLo = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    // The fingerprint of b followed by 63 zero bytes: XOR-ing it slides b out of the window.
    let h = polMod(BigInt(b), pol);
    for (let i = 0; i < WINDOW - 1; i++) h = polMod(h << 8n, pol);
    outHi[b] = Number(h >> 32n);
    outLo[b] = Number(h & 0xffffffffn);
    // Reduces the 8 bits shifted above the degree and clears them, in one XOR.
    const m = polMod(BigInt(b) << BigInt(k), pol) | (BigInt(b) << BigInt(k));
    modHi[b] = Number(m >> 32n);
    modLo[b] = Number(m & 0xffffffffn);
  }
  return { outHi, outLo, modHi, modLo, shift: k - 8 - 32 };
}

/**
 * The sha256 (hex) of every chunk of what read(buffer) yields (a count of bytes, 0 at the end), in order;
 * empty input has no chunk.
 */
function chunkIds(tables, read, buffer, createHash) {
  const { outHi, outLo, modHi, modLo, shift } = tables;
  const win = new Uint8Array(WINDOW);
  const ids = [];
  let hash = createHash("sha256");
  let pending = 0;
  // A new chunk: an empty window with one byte 1 slid in, and its first bytes skipped.
  win[0] = 1;
  let wpos = 1;
  let hi = 0;
  let lo = 1;
  let count = 0;
  let pre = MIN_SIZE - WINDOW;
  for (let n; (n = read(buffer)) > 0; ) {
    let from = 0;
    while (from < n) {
      let i = from;
      let cut = -1;
      if (pre > 0) {
        const skip = Math.min(pre, n - i);
        pre -= skip;
        count += skip;
        i += skip;
      }
      for (; i < n; i++) {
        const b = buffer[i];
        const out = win[wpos];
        win[wpos] = b;
        wpos = (wpos + 1) & (WINDOW - 1);
        hi ^= outHi[out];
        lo ^= outLo[out];
        const index = hi >>> shift;
        hi = ((hi << 8) | (lo >>> 24)) ^ modHi[index];
        lo = ((lo << 8) | b) ^ modLo[index];
        count++;
        if (((lo & SPLIT_MASK) === 0 || count >= MAX_SIZE) && count >= MIN_SIZE) {
          cut = i + 1;
          break;
        }
      }
      if (cut < 0) {
        hash.update(buffer.subarray(from, n));
        pending += n - from;
        from = n;
        continue;
      }
      hash.update(buffer.subarray(from, cut));
      ids.push(hash.digest("hex"));
      hash = createHash("sha256");
      pending = 0;
      win.fill(0);
      win[0] = 1;
      wpos = 1;
      hi = 0;
      lo = 1;
      count = 0;
      pre = MIN_SIZE - WINDOW;
      from = cut;
    }
  }
  if (pending > 0) ids.push(hash.digest("hex"));
  return ids;
}
`;

export interface ChunkerTables {
  readonly outHi: Uint32Array;
  readonly outLo: Uint32Array;
  readonly modHi: Uint32Array;
  readonly modLo: Uint32Array;
  readonly shift: number;
}

type CreateHash = (algorithm: string) => { update(data: Uint8Array): unknown; digest(encoding: "hex"): string };

const evaluated = new Function(`${CHUNKER_SOURCE}\nreturn { chunkerTables, chunkIds };`)() as {
  chunkerTables(polynomialHex: string): ChunkerTables;
  chunkIds(tables: ChunkerTables, read: (buffer: Buffer) => number, buffer: Buffer, createHash: CreateHash): string[];
};

export const chunkerTables = evaluated.chunkerTables;
export const chunkIds = evaluated.chunkIds;
