import { hostname } from "node:os";
import { resolve } from "node:path";

/** Every setting Plantão reads from the environment; `configDocs` documents each (the README's table, tested). */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  logLevel: string;
  nodeId: string;
  /** Whether this process claims and runs jobs (an API-only node may turn it off). */
  jobsEnabled: boolean;
  jobConcurrency: number;
  /** How long a claimed job stays leased to this node without a heartbeat. */
  jobLeaseMs: number;
  /** How often an idle worker looks for jobs enqueued by other nodes. */
  jobPollMs: number;
  timezone: string;
  commit: string;
  /** Directory of the built web app; without an index.html there the API runs without the UI. */
  webDir: string;
  /** Base URL users reach the server at, for links in mail and the setup URL. */
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  providerName: string;
  /** Mark the session cookie Secure (on when publicUrl is https). */
  secureCookies: boolean;
  attachmentsDir: string;
  attachmentMaxBytes: number;
  /** Largest knowledge-base video accepted, in bytes. */
  kbVideoMaxBytes: number;
  /** Whether this node runs monitor checks (it shares the monitors with the other nodes that do). */
  monitoringEnabled: boolean;
  monitorConcurrency: number;
  /** Lease of a node on its monitor shards; another node takes them over after expiry. */
  monitorLeaseMs: number;
  monitorRetention: { minutesHours: number; hoursDays: number; daysDays: number };
  /** The SMTP listener for inbound mail: off while `port` is undefined; AUTH and STARTTLS when configured. */
  mailIntake: MailIntakeConfig;
}

export interface MailIntakeConfig {
  port: number | undefined;
  host: string;
  /** AUTH PLAIN/LOGIN credentials the sending server must give; none means no AUTH. */
  user: string | undefined;
  password: string | undefined;
  /** PEM files for STARTTLS; without them STARTTLS is not offered. */
  tlsKeyFile: string | undefined;
  tlsCertFile: string | undefined;
  maxBytes: number;
}

export const configDocs: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: "PLANTAO_PORT", default: "8080", meaning: "HTTP port to listen on" },
  { name: "PLANTAO_HOST", default: "0.0.0.0", meaning: "Address to bind" },
  {
    name: "PLANTAO_DATABASE_URL",
    default: "sqlite:./data/plantao.db",
    meaning: "`sqlite:<path>` for the embedded database or `postgres://user:pass@host:port/db`",
  },
  {
    name: "PLANTAO_DATA_DIR",
    default: "./data",
    meaning: "Directory for the SQLite file, keys, attachments and backup scratch space",
  },
  { name: "PLANTAO_LOG_LEVEL", default: "info", meaning: "pino level: trace, debug, info, warn, error, fatal, silent" },
  { name: "PLANTAO_NODE_ID", default: "`<hostname>-<pid>`", meaning: "Name of this app node in job leases and logs" },
  { name: "PLANTAO_JOBS", default: "on", meaning: "`off` makes this node serve HTTP only and claim no jobs" },
  { name: "PLANTAO_JOB_CONCURRENCY", default: "8", meaning: "Jobs one node runs at once" },
  {
    name: "PLANTAO_JOB_LEASE_MS",
    default: "30000",
    meaning: "Lease of a claimed job; another node takes it over after expiry",
  },
  { name: "PLANTAO_JOB_POLL_MS", default: "1000", meaning: "How often an idle node looks for jobs enqueued elsewhere" },
  {
    name: "PLANTAO_TIMEZONE",
    default: "America/Sao_Paulo",
    meaning: "Default IANA zone for schedules and business time",
  },
  { name: "PLANTAO_WEB_DIR", default: "dist/web", meaning: "Directory of the built web app served at /" },
  {
    name: "PLANTAO_PUBLIC_URL",
    default: "http://localhost:<port>",
    meaning: "Base URL users reach Plantão at (links in mail, setup URL); https makes cookies Secure",
  },
  {
    name: "PLANTAO_SECRET_KEY",
    default: "key file `<data>/secret.key`, created on first start",
    meaning:
      "Key that encrypts secrets at rest (TOTP seeds, webhook secrets, monitor and backup passwords); losing it makes them unreadable",
  },
  {
    name: "PLANTAO_SMTP_URL",
    default: "(none: mail is written to the log)",
    meaning: "Outgoing mail server, e.g. `smtp://user:pass@mail.example.com:587`",
  },
  { name: "PLANTAO_MAIL_FROM", default: "plantao@localhost", meaning: "Sender address of outgoing mail" },
  {
    name: "PLANTAO_ADMIN_EMAIL",
    default: "(none)",
    meaning:
      "With PLANTAO_ADMIN_PASSWORD, creates the first admin on an empty database; without them the log prints a one-time setup URL",
  },
  {
    name: "PLANTAO_ADMIN_PASSWORD",
    default: "(none)",
    meaning: "Password of that first admin (at least 10 characters)",
  },
  {
    name: "PLANTAO_PROVIDER_NAME",
    default: "Provedor",
    meaning: "Name of the provider organization created on first start",
  },
  {
    name: "PLANTAO_ATTACHMENTS_DIR",
    default: "`<data>/attachments`",
    meaning: "Where ticket attachments are stored (a mounted volume or network path works)",
  },
  { name: "PLANTAO_ATTACHMENT_MAX_BYTES", default: "10485760", meaning: "Largest attachment accepted, in bytes" },
  {
    name: "PLANTAO_KB_VIDEO_MAX_BYTES",
    default: "524288000",
    meaning: "Largest knowledge-base video accepted, in bytes",
  },
  { name: "PLANTAO_COMMIT", default: "read from git, else `unknown`", meaning: "Commit shown by `/api/v1/version`" },
  { name: "PLANTAO_MONITORING", default: "on", meaning: "`off` makes this node run no monitor checks" },
  { name: "PLANTAO_MONITOR_CONCURRENCY", default: "1000", meaning: "Monitor checks one node runs at once" },
  {
    name: "PLANTAO_MONITOR_LEASE_MS",
    default: "3000",
    meaning: "Lease of a node on its share of the monitors; another node takes them over after expiry",
  },
  { name: "PLANTAO_MONITOR_MINUTES_HOURS", default: "48", meaning: "Hours per-minute monitor aggregates are kept" },
  { name: "PLANTAO_MONITOR_HOURS_DAYS", default: "90", meaning: "Days per-hour monitor aggregates are kept" },
  { name: "PLANTAO_MONITOR_DAYS_DAYS", default: "730", meaning: "Days per-day monitor aggregates are kept" },
  {
    name: "PLANTAO_MAIL_INTAKE_PORT",
    default: "off",
    meaning: "Port of the SMTP listener that takes in mail for the mailboxes (an MX or a forward points here)",
  },
  { name: "PLANTAO_MAIL_INTAKE_HOST", default: "0.0.0.0", meaning: "Address the SMTP listener binds" },
  {
    name: "PLANTAO_MAIL_INTAKE_USER",
    default: "none",
    meaning: "User the sending server must authenticate as (with `PLANTAO_MAIL_INTAKE_PASSWORD`); no AUTH when unset",
  },
  { name: "PLANTAO_MAIL_INTAKE_PASSWORD", default: "none", meaning: "Password for `PLANTAO_MAIL_INTAKE_USER`" },
  {
    name: "PLANTAO_MAIL_INTAKE_TLS_KEY",
    default: "none",
    meaning: "PEM private key file: with `PLANTAO_MAIL_INTAKE_TLS_CERT`, the listener offers STARTTLS",
  },
  { name: "PLANTAO_MAIL_INTAKE_TLS_CERT", default: "none", meaning: "PEM certificate chain file for STARTTLS" },
  {
    name: "PLANTAO_MAIL_INTAKE_MAX_BYTES",
    default: "52428800",
    meaning: "Largest mail the listener accepts (SIZE); attachments still obey `PLANTAO_ATTACHMENT_MAX_BYTES`",
  },
];

function int(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be an integer ${range}, got "${raw}"`);
  }
  return value;
}

export class ConfigError extends Error {}

function onOff(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = (env[name] || "on").toLowerCase();
  if (value !== "on" && value !== "off") throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
  return value === "on";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const dataDir = resolve(env.PLANTAO_DATA_DIR || "./data");
  const timezone = env.PLANTAO_TIMEZONE || "America/Sao_Paulo";
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new ConfigError(`PLANTAO_TIMEZONE must be an IANA zone, got "${timezone}"`);
  }
  const port = int(env, "PLANTAO_PORT", 8080, 0, 65_535);
  const publicUrl = (env.PLANTAO_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl))
    throw new ConfigError(`PLANTAO_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  if (env.PLANTAO_ADMIN_PASSWORD && env.PLANTAO_ADMIN_PASSWORD.length < 10) {
    throw new ConfigError("PLANTAO_ADMIN_PASSWORD must have at least 10 characters");
  }
  return {
    port,
    host: env.PLANTAO_HOST || "0.0.0.0",
    databaseUrl: env.PLANTAO_DATABASE_URL || `sqlite:${dataDir}/plantao.db`,
    dataDir,
    logLevel: env.PLANTAO_LOG_LEVEL || "info",
    nodeId: env.PLANTAO_NODE_ID || `${hostname()}-${process.pid}`,
    jobsEnabled: onOff(env, "PLANTAO_JOBS"),
    jobConcurrency: int(env, "PLANTAO_JOB_CONCURRENCY", 8, 1),
    jobLeaseMs: int(env, "PLANTAO_JOB_LEASE_MS", 30_000, 1_000),
    jobPollMs: int(env, "PLANTAO_JOB_POLL_MS", 1_000, 10),
    timezone,
    commit: env.PLANTAO_COMMIT || "",
    webDir: resolve(env.PLANTAO_WEB_DIR || "dist/web"),
    publicUrl,
    smtpUrl: env.PLANTAO_SMTP_URL || undefined,
    mailFrom: env.PLANTAO_MAIL_FROM || "plantao@localhost",
    adminEmail: env.PLANTAO_ADMIN_EMAIL || undefined,
    adminPassword: env.PLANTAO_ADMIN_PASSWORD || undefined,
    providerName: env.PLANTAO_PROVIDER_NAME || "Provedor",
    secureCookies: publicUrl.startsWith("https:"),
    // Under the data directory actually in force, also when a caller overrides it.
    attachmentsDir: resolve(env.PLANTAO_ATTACHMENTS_DIR || `${overrides.dataDir ?? dataDir}/attachments`),
    attachmentMaxBytes: int(env, "PLANTAO_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, 1),
    kbVideoMaxBytes: int(env, "PLANTAO_KB_VIDEO_MAX_BYTES", 500 * 1024 * 1024, 1),
    monitoringEnabled: onOff(env, "PLANTAO_MONITORING"),
    monitorConcurrency: int(env, "PLANTAO_MONITOR_CONCURRENCY", 1000, 1),
    monitorLeaseMs: int(env, "PLANTAO_MONITOR_LEASE_MS", 3_000, 500),
    monitorRetention: {
      minutesHours: int(env, "PLANTAO_MONITOR_MINUTES_HOURS", 48, 1),
      hoursDays: int(env, "PLANTAO_MONITOR_HOURS_DAYS", 90, 1),
      daysDays: int(env, "PLANTAO_MONITOR_DAYS_DAYS", 730, 1),
    },
    mailIntake: mailIntakeOf(env),
    ...overrides,
  };
}

function mailIntakeOf(env: NodeJS.ProcessEnv): MailIntakeConfig {
  const user = env.PLANTAO_MAIL_INTAKE_USER || undefined;
  const password = env.PLANTAO_MAIL_INTAKE_PASSWORD || undefined;
  if (Boolean(user) !== Boolean(password))
    throw new ConfigError("PLANTAO_MAIL_INTAKE_USER and PLANTAO_MAIL_INTAKE_PASSWORD go together");
  const tlsKeyFile = env.PLANTAO_MAIL_INTAKE_TLS_KEY || undefined;
  const tlsCertFile = env.PLANTAO_MAIL_INTAKE_TLS_CERT || undefined;
  if (Boolean(tlsKeyFile) !== Boolean(tlsCertFile))
    throw new ConfigError("PLANTAO_MAIL_INTAKE_TLS_KEY and PLANTAO_MAIL_INTAKE_TLS_CERT go together");
  const port = env.PLANTAO_MAIL_INTAKE_PORT;
  return {
    port:
      port === undefined || port === "" || port === "off"
        ? undefined
        : int(env, "PLANTAO_MAIL_INTAKE_PORT", 0, 0, 65_535),
    host: env.PLANTAO_MAIL_INTAKE_HOST || "0.0.0.0",
    user,
    password,
    tlsKeyFile,
    tlsCertFile,
    maxBytes: int(env, "PLANTAO_MAIL_INTAKE_MAX_BYTES", 50 * 1024 * 1024, 1024),
  };
}
