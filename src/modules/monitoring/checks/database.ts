import { type Static, Type } from "typebox";
import { DegradedAboveMs } from "./outcome.js";

/** What the postgres and mysql probes share: a `scheme://user@host:port/database` target and settings. */

export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

export function parseDatabaseTarget(
  target: string,
  schemes: readonly string[],
  defaultPort: number,
): DatabaseTarget | string {
  const example = `${schemes[0]}://monitor@db.example.com:${defaultPort}/app`;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `not a URL (expected ${example})`;
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) return `expected a ${schemes.join(" or ")} URL such as ${example}`;
  if (url.password) return "put the password in the settings (it is sealed there), not in the target URL";
  if (!url.hostname) return "the URL has no host";
  if (!url.username) return `the URL has no user (expected ${example})`;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database || database.includes("/")) return `the URL names no database (expected ${example})`;
  if (url.search || url.hash) return "query parameters are not supported; use the settings";
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : defaultPort,
    user: decodeURIComponent(url.username),
    database,
  };
}

export const DatabaseSettings = (defaultQuery: string) =>
  Type.Object(
    {
      password: Type.String({
        maxLength: 500,
        default: "",
        writeOnly: true,
        description: "Secret: the password of the target URL's user (sealed at rest, never returned)",
      }),
      query: Type.String({
        minLength: 1,
        maxLength: 2000,
        default: defaultQuery,
        description: "Query run after connecting; an error is DOWN (`query_failed`). Give the user read-only rights",
      }),
      tls: Type.Union([Type.Literal("disable"), Type.Literal("require"), Type.Literal("verify")], {
        default: "disable",
        description:
          "`require` encrypts without checking the certificate; `verify` also checks it against the system CAs",
      }),
      degradedAboveMs: DegradedAboveMs(null, "connect plus query"),
    },
    { additionalProperties: false },
  );
export type DatabaseSettings = Static<ReturnType<typeof DatabaseSettings>>;
