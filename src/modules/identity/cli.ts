import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { Problem } from "../../platform/http/problems.js";
import type { Services } from "../../services.js";
import { type Role, roleScopes, roles, type Tier, tiers } from "./roles.js";

export type OpenServices = () => Promise<{ services: Services; close(): Promise<void> }>;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  return data.trim();
}

/** A Problem becomes one line on stderr naming the field, like the API's problem+json. */
function describe(err: unknown): string {
  if (err instanceof Problem) {
    const fields = err.errors?.map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ");
    return fields ? `${err.title}: ${fields}` : `${err.title}: ${err.detail ?? ""}`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function withServices<T>(open: OpenServices, fn: (s: Services) => Promise<T>): Promise<T> {
  const { services, close } = await open();
  try {
    return await fn(services);
  } catch (err) {
    process.stderr.write(`plantao: ${describe(err)}\n`);
    process.exitCode = 1;
    return undefined as T;
  } finally {
    await close();
  }
}

export function registerIdentityCommands(program: Command, open: OpenServices): void {
  const users = program.command("users").description("manage users");
  users
    .command("create")
    .description("create a user; the password is read from stdin, or generated and printed")
    .requiredOption("--email <email>", "login email")
    .requiredOption("--role <role>", `one of ${roles.join(", ")}`)
    .option("--name <name>", "display name (default: the part of the email before @)")
    .option("--org <organization>", "organization id or slug (customers; staff default to the provider)")
    .option("--tier <tier>", `agent tier: ${tiers.join(", ")}`)
    .action(async (opts: { email: string; role: string; name?: string; org?: string; tier?: string }) => {
      if (!roles.includes(opts.role as Role)) {
        process.stderr.write(`plantao: --role must be one of ${roles.join(", ")}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.tier && !tiers.includes(opts.tier as Tier)) {
        process.stderr.write(`plantao: --tier must be one of ${tiers.join(", ")}\n`);
        process.exitCode = 1;
        return;
      }
      const given = await readStdin();
      const password = given || randomBytes(12).toString("base64url");
      await withServices(open, async ({ directory }) => {
        const org = opts.org ? await directory.findOrganizationBySlugOrId(opts.org) : undefined;
        if (opts.org && !org) throw new Error(`organization ${opts.org} not found`);
        const user = await directory.createUser(null, {
          email: opts.email,
          name: opts.name ?? opts.email.split("@")[0]!,
          role: opts.role as Role,
          organizationId: org?.id,
          tier: opts.tier as Tier | undefined,
          password,
        });
        process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
        if (!given) process.stdout.write(`password: ${password}\n`);
      });
    });

  program
    .command("tokens")
    .description("manage API tokens")
    .command("create")
    .description("create a personal API token for a user and print only the token")
    .requiredOption("--email <email>", "owner's email")
    .requiredOption("--name <name>", "what the token is for")
    .option("--scopes <scopes...>", "scopes like organizations:read users:write (default: everything the role allows)")
    .option("--expires <instant>", "ISO-8601 expiry")
    .action(async (opts: { email: string; name: string; scopes?: string[]; expires?: string }) => {
      await withServices(open, async ({ authentication, directory }) => {
        const actor = await directory.findUserByEmail(opts.email);
        if (!actor) throw new Error(`no user with email ${opts.email}`);
        const scopes = (opts.scopes ?? roleScopes(actor.role)).flatMap((s) => s.split(",")).filter(Boolean);
        const { token } = await authentication.createToken(actor, { name: opts.name, scopes, expiresAt: opts.expires });
        process.stdout.write(`${token}\n`);
      });
    });

  program
    .command("audit")
    .description("audit trail")
    .command("verify")
    .description("check the audit trail's hash chain; names the first broken row")
    .action(async () => {
      await withServices(open, async ({ audit }) => {
        const r = await audit.verify();
        if (r.firstBreak) {
          process.stderr.write(
            `audit chain broken at seq ${r.firstBreak.seq} (${r.firstBreak.reason}); ${r.rows} rows read\n`,
          );
          process.exitCode = 1;
        } else process.stdout.write(`audit chain intact: ${r.rows} rows verified\n`);
      });
    });
}
