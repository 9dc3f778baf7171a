import { spawn } from "node:child_process";
import { type Static, Type } from "typebox";
import { DegradedAboveMs, degraded, down, isHostname, slowOrUp, timedOut, withAbort } from "./outcome.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

export const IcmpSettings = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: "Echo requests sent, 200 ms apart" }),
    degradedAboveMs: DegradedAboveMs(null, "the average round trip"),
  },
  { additionalProperties: false },
);
export type IcmpSettings = Static<typeof IcmpSettings>;

function validateTarget(target: string): string | null {
  return isHostname(target) ? null : "expected a host name or an IP address";
}

export interface PingSummary {
  transmitted: number;
  received: number;
  lossPercent: number;
  rtt: { min: number; avg: number; max: number } | null;
  /** The first "From … Destination Host Unreachable"-style line, when the network said so. */
  unreachable: string | null;
}

/** Parses the summary of iputils (and busybox) `ping`; null when there is none (e.g. an unknown host). */
export function parsePing(output: string): PingSummary | null {
  const counts =
    /(\d+) packets transmitted, (\d+) (?:packets )?received(?:, \+\d+ errors)?, ([\d.]+)% packet loss/.exec(output);
  if (!counts) return null;
  const rtt = /(?:rtt|round-trip) min\/avg\/max(?:\/[a-z]+)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(output);
  const unreachable = /^From .*(?:Unreachable|Prohibited|Time to live exceeded).*$/im.exec(output);
  return {
    transmitted: Number(counts[1]),
    received: Number(counts[2]),
    lossPercent: Number(counts[3]),
    rtt: rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } : null,
    unreachable: unreachable ? unreachable[0].trim() : null,
  };
}

/**
 * Runs the system `ping` (setuid or ICMP datagram sockets: no raw-socket privilege needed here), with a
 * deadline inside the check timeout; the child is killed if the check is aborted first.
 */
function run(target: string, settings: IcmpSettings, ctx: CheckContext): Promise<CheckResult> {
  // ping's own deadline ends a little before the check's, so its summary (loss, unreachable) is read.
  const deadline = Math.max(1, Math.floor((ctx.timeoutMs - 300) / 1000));
  const args = [
    "-n",
    "-c",
    String(settings.count),
    "-i",
    "0.2",
    "-W",
    String(deadline),
    "-w",
    String(deadline),
    target,
  ];
  const child = spawn("ping", args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, LC_ALL: "C" },
  });
  return withAbort(
    ctx,
    () => child.kill("SIGKILL"),
    (aborted) =>
      new Promise<CheckResult>((resolve) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
          out += d;
        });
        child.stderr.on("data", (d) => {
          err += d;
        });
        child.once("error", (error) => resolve(down(null, "ping_unavailable", `cannot run ping: ${error.message}`)));
        child.once("close", (code) => {
          if (aborted()) return resolve(timedOut(ctx, `no ping summary for ${target}`));
          const summary = parsePing(out);
          const problem = err.trim().split("\n").pop() ?? "";
          if (!summary) {
            if (/not known|resolv|no address|Temporary failure in name/i.test(problem))
              return resolve(down(null, "dns_not_found", problem));
            if (/unreachable/i.test(problem)) return resolve(down(null, "host_unreachable", problem));
            return resolve(down(null, "ping_failed", problem || `ping exited with code ${code}`));
          }
          const details = { ...summary };
          if (summary.received === 0) {
            if (summary.unreachable) return resolve(down(null, "host_unreachable", summary.unreachable, details));
            return resolve(
              down(null, "timeout", `no reply to ${summary.transmitted} echo requests within ${deadline} s`, details),
            );
          }
          const avg = summary.rtt?.avg ?? 0;
          if (summary.received < summary.transmitted)
            return resolve(
              degraded(
                avg,
                "packet_loss",
                `${summary.lossPercent}% packet loss (${summary.received}/${summary.transmitted} replies)`,
                details,
              ),
            );
          resolve(slowOrUp(avg, settings.degradedAboveMs, "the average round trip", details));
        });
      }),
  );
}

export const icmp: ProbeType<IcmpSettings> = { type: "icmp", settings: IcmpSettings, validateTarget, run };
