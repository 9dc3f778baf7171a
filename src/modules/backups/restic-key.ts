import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/**
 * restic key files, written from restic's published repository format: a key file holds scrypt parameters, a
 * salt and the repository's master keys encrypted with the key derived from a password (AES-256-CTR, then a
 * Poly1305-AES MAC over the ciphertext; `data` is IV ‖ ciphertext ‖ MAC). The file's name is its sha256.
 *
 * Why Plantão writes one: restic derives the key from the password at every start, with the scrypt cost
 * `restic init` calibrated for a human password (about 0.45 s of CPU here), and Plantão starts restic many
 * times (every backup, snapshot list, tree read, check). Plantão adds its own key to the repositories it can
 * write directly (local paths), opened by a random 256-bit password: a secret that long cannot be guessed, so
 * stretching it buys nothing and its scrypt cost can be minimal. The job's own password keeps working for
 * people (and for disaster recovery without Plantão); `restic key list` shows the extra key, made by
 * "plantao".
 */

/** scrypt cost of the machine key: 4 MiB and a few milliseconds, enough since the password is 256 random bits. */
export const MACHINE_KDF = { N: 1 << 12, r: 8, p: 1 } as const;
const SALT_BYTES = 64;

interface KeyFile {
  created: string;
  username: string;
  hostname: string;
  kdf: string;
  N: number;
  r: number;
  p: number;
  salt: string;
  data: string;
}

export interface MachineKey {
  /** The key file's id, given to restic as `--key-hint` so it tries this key first. */
  id: string;
  password: string;
}

function littleEndian(bytes: Uint8Array): bigint {
  return bytes.length ? BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`) : 0n;
}

/** Poly1305 (RFC 8439 §2.5) of `message` under r (clamped here) and s. */
export function poly1305(message: Uint8Array, r: Uint8Array, s: Uint8Array): Buffer {
  const clamped = Buffer.from(r);
  for (const i of [3, 7, 11, 15]) clamped[i]! &= 15;
  for (const i of [4, 8, 12]) clamped[i]! &= 252;
  const rn = littleEndian(clamped);
  const p = (1n << 130n) - 5n;
  let acc = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const block = message.subarray(i, i + 16);
    acc = ((acc + littleEndian(block) + (1n << BigInt(8 * block.length))) * rn) % p;
  }
  const tag = (acc + littleEndian(s)) & ((1n << 128n) - 1n);
  return Buffer.from(tag.toString(16).padStart(32, "0"), "hex").reverse();
}

interface UserKey {
  encrypt: Buffer;
  macK: Buffer;
  macR: Buffer;
}

function deriveUserKey(password: string, salt: Buffer, N: number, r: number, p: number): Promise<UserKey> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 64, { N, r, p, maxmem: 256 * N * r + 16 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve({ encrypt: key.subarray(0, 32), macK: key.subarray(32, 48), macR: key.subarray(48) }),
    ),
  );
}

/** Poly1305-AES: the MAC key's s is the nonce encrypted with AES-128 under k. */
function mac(key: UserKey, nonce: Buffer, ciphertext: Buffer): Buffer {
  const aes = createCipheriv("aes-128-ecb", key.macK, null).setAutoPadding(false);
  const s = Buffer.concat([aes.update(nonce), aes.final()]);
  return poly1305(ciphertext, key.macR, s);
}

/** The master keys' JSON inside a key file, or null when `password` does not open it. */
export async function openKeyFile(file: KeyFile, password: string): Promise<Buffer | null> {
  if (file.kdf !== "scrypt") return null;
  const data = Buffer.from(file.data, "base64");
  if (data.length < 32) return null;
  const key = await deriveUserKey(password, Buffer.from(file.salt, "base64"), file.N, file.r, file.p);
  const nonce = data.subarray(0, 16);
  const ciphertext = data.subarray(16, data.length - 16);
  if (!timingSafeEqual(mac(key, nonce, ciphertext), data.subarray(data.length - 16))) return null;
  const aes = createDecipheriv("aes-256-ctr", key.encrypt, nonce);
  return Buffer.concat([aes.update(ciphertext), aes.final()]);
}

/** A key file holding `master` under `password`, and its id. */
export async function sealKeyFile(
  master: Buffer,
  password: string,
  kdf: { N: number; r: number; p: number },
  created: Date,
): Promise<{ id: string; text: string }> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveUserKey(password, salt, kdf.N, kdf.r, kdf.p);
  const nonce = randomBytes(16);
  const aes = createCipheriv("aes-256-ctr", key.encrypt, nonce);
  const ciphertext = Buffer.concat([aes.update(master), aes.final()]);
  const file: KeyFile = {
    created: created.toISOString(),
    username: "plantao",
    hostname: hostname(),
    kdf: "scrypt",
    ...kdf,
    salt: salt.toString("base64"),
    data: Buffer.concat([nonce, ciphertext, mac(key, nonce, ciphertext)]).toString("base64"),
  };
  const text = JSON.stringify(file);
  return { id: createHash("sha256").update(text).digest("hex"), text };
}

/** The directory of a repository Plantão can write directly: a plain absolute path or `local:<path>`. */
export function localRepositoryPath(url: string): string | null {
  if (url.startsWith("local:")) return url.slice("local:".length);
  return url.startsWith("/") ? url : null;
}

/**
 * Adds a machine key to a local repository, opening one of its keys with `password`; null when the repository
 * is not local or no key opens (restic itself then reports the wrong password). `verify` proves restic opens
 * the new key before it is used; a key restic refuses is removed again.
 */
export async function addMachineKey(
  repositoryUrl: string,
  password: string,
  now: Date,
  verify: (key: MachineKey) => Promise<boolean>,
): Promise<MachineKey | null> {
  const dir = localRepositoryPath(repositoryUrl);
  if (!dir) return null;
  let master: Buffer | null = null;
  for (const name of (await readdir(join(dir, "keys"))).sort()) {
    const file = JSON.parse(await readFile(join(dir, "keys", name), "utf8")) as KeyFile;
    master = await openKeyFile(file, password);
    if (master) break;
  }
  if (!master) return null;
  const key = { password: randomBytes(32).toString("base64url") };
  const { id, text } = await sealKeyFile(master, key.password, MACHINE_KDF, now);
  const path = join(dir, "keys", id);
  // restic's own files are read-only once written.
  await writeFile(path, text, { flag: "wx", mode: 0o400 });
  if (await verify({ id, ...key })) return { id, ...key };
  await unlink(path);
  return null;
}
