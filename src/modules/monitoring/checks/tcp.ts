import net from "node:net";
import { type Static, Type } from "typebox";
import {
  DegradedAboveMs,
  down,
  networkFailure,
  parseHostPort,
  since,
  slowOrUp,
  timedOut,
  withAbort,
} from "./outcome.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

/** At most this much of the banner is read while looking for `expect`. */
const BANNER_LIMIT = 16 * 1024;

export const TcpSettings = Type.Object(
  {
    send: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 4000 })], {
      default: null,
      description: "Text written once connected (JSON escapes such as \\r\\n give line ends); null sends nothing",
    }),
    expect: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 500 })], {
      default: null,
      description:
        "Text the peer must send within the timeout (searched in the first 16 KiB, `banner_mismatch`); null only connects",
    }),
    degradedAboveMs: DegradedAboveMs(null, "the connect (and banner, when expected)"),
  },
  { additionalProperties: false },
);
export type TcpSettings = Static<typeof TcpSettings>;

function validateTarget(target: string): string | null {
  return parseHostPort(target) ? null : "expected host:port (IPv6 as [addr]:port), port 1-65535";
}

function run(target: string, settings: TcpSettings, ctx: CheckContext): Promise<CheckResult> {
  const hostPort = parseHostPort(target);
  if (!hostPort) return Promise.resolve(down(null, "invalid_target", "expected host:port"));
  const start = performance.now();
  const socket = net.connect({ host: hostPort.host, port: hostPort.port });
  return withAbort(
    ctx,
    () => socket.destroy(),
    (aborted) =>
      new Promise<CheckResult>((resolve) => {
        let banner = "";
        let connectMs: number | null = null;
        let done = false;
        const finish = (result: CheckResult) => {
          if (done) return;
          done = true;
          socket.destroy();
          resolve(result);
        };
        socket.once("error", (error) => finish(networkFailure(error)));
        socket.once("close", () => {
          if (aborted())
            finish(
              timedOut(ctx, connectMs !== null ? `"${settings.expect}" not received` : "no TCP connection established"),
            );
          else if (connectMs !== null)
            finish(
              down(since(start), "banner_mismatch", `connection closed without "${settings.expect}"`, {
                banner: banner.slice(0, 200),
              }),
            );
        });
        socket.once("connect", () => {
          connectMs = since(start);
          if (settings.send !== null) socket.write(settings.send);
          if (settings.expect === null) return finish(slowOrUp(connectMs, settings.degradedAboveMs, "the connect"));
          const expected = settings.expect;
          socket.on("data", (chunk: Buffer) => {
            banner += chunk.toString("latin1");
            if (banner.includes(expected))
              finish(slowOrUp(since(start), settings.degradedAboveMs, "the banner", { connectMs }));
            else if (banner.length >= BANNER_LIMIT)
              finish(
                down(since(start), "banner_mismatch", `"${expected}" not in the first ${BANNER_LIMIT} bytes`, {
                  banner: banner.slice(0, 200),
                }),
              );
          });
        });
      }),
  );
}

export const tcp: ProbeType<TcpSettings> = { type: "tcp", settings: TcpSettings, validateTarget, run };
