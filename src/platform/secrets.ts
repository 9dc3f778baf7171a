import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class SecretKeyError extends Error {}

/**
 * Encrypts secrets at rest with AES-256-GCM: TOTP seeds, webhook signing secrets, the secret settings of
 * monitors (SIP and database passwords), backup repository and source passwords, and queued restore targets.
 * The key comes from PLANTAO_SECRET_KEY, else from `<dataDir>/secret.key`, created on first start.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static load(env: NodeJS.ProcessEnv, dataDir: string): SecretBox {
    const given = env.PLANTAO_SECRET_KEY;
    if (given) return new SecretBox(createHash("sha256").update(given).digest());
    const file = join(dataDir, "secret.key");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    }
    const raw = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    if (raw.length !== 32) throw new SecretKeyError(`${file} does not hold a 32-byte base64 key`);
    return new SecretBox(raw);
  }

  /** For tests and tools that bring their own key material. */
  static fromPassphrase(passphrase: string): SecretBox {
    return new SecretBox(createHash("sha256").update(passphrase).digest());
  }

  /** A key for one purpose (signing links), derived from this one: every node of a cluster derives the same. */
  derive(purpose: string): Buffer {
    return createHmac("sha256", this.key).update(`plantao:${purpose}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `v1.${iv.toString("base64url")}.${body.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
  }

  open(sealed: string): string {
    const [v, iv, body, tag] = sealed.split(".");
    if (v !== "v1" || !iv || body === undefined || !tag) throw new SecretKeyError("sealed secret is malformed");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretKeyError(
        "the secret key does not open this database's secrets: restore the original PLANTAO_SECRET_KEY or data/secret.key",
      );
    }
  }
}
