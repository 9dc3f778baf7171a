import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { type Static, Type } from "typebox";
import { DegradedAboveMs, down, isHostname, networkFailure, since, slowOrUp, timedOut, withAbort } from "./outcome.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

const recordTypes = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV"] as const;
type RecordType = (typeof recordTypes)[number];

export const DnsSettings = Type.Object(
  {
    recordType: Type.Union(
      recordTypes.map((t) => Type.Literal(t)),
      { default: "A", description: "Record type queried" },
    ),
    server: Type.Union(
      [Type.Null(), Type.String({ maxLength: 100, pattern: "^(\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?|[0-9A-Fa-f:.]+)$" })],
      {
        default: null,
        description:
          "Name server asked: `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53` or `[2001:db8::53]:5353`; null uses the system's",
      },
    ),
    expected: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 500 })], {
      default: null,
      description:
        "A value one of the answers must equal (case-insensitive, trailing dot ignored; `dns_value_mismatch`): the address for A/AAAA, the name for CNAME/NS, `priority exchange` for MX, the joined strings for TXT, `priority weight port target` for SRV. Null only requires an answer",
    }),
    degradedAboveMs: DegradedAboveMs(null, "the answer"),
  },
  { additionalProperties: false },
);
export type DnsSettings = Static<typeof DnsSettings>;

function validateTarget(target: string): string | null {
  return isHostname(target) && isIP(target) === 0 ? null : "expected a DNS name such as pbx.example.com";
}

/** Answers as comparable text, one per record. */
async function query(resolver: Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(name);
    case "AAAA":
      return resolver.resolve6(name);
    case "CNAME":
      return resolver.resolveCname(name);
    case "NS":
      return resolver.resolveNs(name);
    case "MX":
      return (await resolver.resolveMx(name)).map((r) => `${r.priority} ${r.exchange}`);
    case "TXT":
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
    case "SRV":
      return (await resolver.resolveSrv(name)).map((r) => `${r.priority} ${r.weight} ${r.port} ${r.name}`);
  }
}

const normalize = (value: string) => value.trim().toLowerCase().replace(/\.$/, "");

const dnsReasons: Record<string, string> = {
  ENOTFOUND: "dns_not_found",
  ENODATA: "dns_no_records",
  ESERVFAIL: "dns_server_failure",
  EREFUSED: "dns_refused",
  ETIMEOUT: "timeout",
  ECONNREFUSED: "connection_refused",
  EBADRESP: "dns_bad_response",
  EFORMERR: "dns_bad_response",
};

/** Tolerates a server given as `host:port` with an IPv6 host unbracketed only when no port is given. */
function serverAddress(server: string): string {
  return isIP(server) === 6 ? `[${server}]` : server;
}

async function run(target: string, settings: DnsSettings, ctx: CheckContext): Promise<CheckResult> {
  // A resolver per check: cancel() aborts every query of a resolver, so a shared one would let one check's
  // timeout fail the others. c-ares applies its timeout per try: one try, bounded by the check timeout.
  const resolver = new Resolver({ timeout: Math.max(1, ctx.timeoutMs), tries: 1 });
  if (settings.server !== null) resolver.setServers([serverAddress(settings.server)]);
  const start = performance.now();
  return withAbort(
    ctx,
    () => resolver.cancel(),
    async (aborted) => {
      try {
        const answers = await query(resolver, target, settings.recordType);
        const latencyMs = since(start);
        const details = { answers: answers.slice(0, 20) };
        if (answers.length === 0)
          return down(latencyMs, "dns_no_records", `no ${settings.recordType} records for ${target}`, details);
        if (settings.expected !== null && !answers.some((a) => normalize(a) === normalize(settings.expected!)))
          return down(
            latencyMs,
            "dns_value_mismatch",
            `${settings.recordType} ${target} is ${answers.slice(0, 5).join(", ")}, expected ${settings.expected}`,
            details,
          );
        return slowOrUp(latencyMs, settings.degradedAboveMs, `the ${settings.recordType} answer`, details);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        if (aborted() || code === "ECANCELLED") return timedOut(ctx, `no DNS answer for ${target}`);
        const reason = dnsReasons[code];
        if (!reason) return networkFailure(error);
        if (reason === "timeout") return down(null, "timeout", `the name server did not answer (${code})`);
        return down(since(start), reason, `${settings.recordType} ${target}: ${code}`);
      }
    },
  );
}

export const dns: ProbeType<DnsSettings> = { type: "dns", settings: DnsSettings, validateTarget, run };
