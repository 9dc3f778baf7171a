import { Command, CommanderError } from "commander";
import { registerBackupCommands } from "./modules/backups/cli.js";
import { registerIdentityCommands } from "./modules/identity/cli.js";
import { registerPlanCommands } from "./modules/plan/cli.js";
import { ConfigError, loadConfig } from "./platform/config.js";
import { DatabaseError, openDatabase } from "./platform/db/database.js";
import { MigrationError, migrateToLatest, schemaVersion } from "./platform/db/migrate.js";
import { createLogger, createPlatform } from "./platform/runtime.js";
import { SecretKeyError } from "./platform/secrets.js";
import { packageVersion, readCommit } from "./platform/version.js";
import { runServer } from "./server.js";
import { createServices } from "./services.js";

/** Errors a user can act on are one line on stderr and exit code 1, never a stack trace. */
function fail(err: unknown): never {
  if (
    err instanceof ConfigError ||
    err instanceof DatabaseError ||
    err instanceof MigrationError ||
    err instanceof SecretKeyError
  ) {
    process.stderr.write(`plantao: ${err.message}\n`);
  } else if (err instanceof Error && "code" in err && err.code === "EADDRINUSE") {
    process.stderr.write(`plantao: ${err.message} (set PLANTAO_PORT to another port)\n`);
  } else {
    process.stderr.write(
      `plantao: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
}

export function buildCli(): Command {
  const program = new Command("plantao")
    .description("Plantão: support and operations platform for VoIP providers")
    .version(packageVersion, "-V, --version");

  program
    .command("start")
    .description("serve the web app and API (migrates the database first)")
    .action(async () => {
      await runServer(loadConfig()).catch(fail);
    });

  program
    .command("migrate")
    .description("apply pending database migrations and exit")
    .action(async () => {
      try {
        const { db, close } = await openDatabase(loadConfig().databaseUrl);
        try {
          const applied = await migrateToLatest(db);
          process.stdout.write(
            applied.length ? `applied: ${applied.join(", ")}\n` : `already at ${await schemaVersion(db)}\n`,
          );
        } finally {
          await close();
        }
      } catch (err) {
        fail(err);
      }
    });

  program
    .command("version")
    .description("print version, commit and database schema version")
    .action(async () => {
      try {
        const config = loadConfig();
        const { db, dialect, close } = await openDatabase(config.databaseUrl);
        try {
          const info = {
            version: packageVersion,
            commit: config.commit || readCommit(),
            databaseEngine: dialect.engine,
            schemaVersion: await schemaVersion(db),
          };
          process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        } finally {
          await close();
        }
      } catch (err) {
        fail(err);
      }
    });
  registerIdentityCommands(program, openServices);
  registerPlanCommands(program, openServices);
  registerBackupCommands(program, openServices);
  return program;
}

/** The platform and services for a one-shot command: migrated database, no background work, quiet logs. */
async function openServices() {
  try {
    const config = loadConfig();
    const platform = await createPlatform({ config, logger: createLogger(process.env.PLANTAO_LOG_LEVEL || "warn") });
    const services = createServices(platform);
    await services.plan.ensureSeeded();
    await services.directory.bootstrap({ providerName: config.providerName });
    return { services, close: () => platform.close() };
  } catch (err) {
    fail(err);
  }
}

buildCli()
  .exitOverride()
  .parseAsync(process.argv)
  .catch((err) => {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    fail(err);
  });
