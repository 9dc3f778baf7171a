import { startSipp } from "../test/fixtures/sipp.js";
import { benchEngines } from "./harness.js";
import { measureMonitoring } from "./monitoring-core.js";

/**
 * SIP OPTIONS monitoring at scale: PLANTAO_BENCH_SIP_MONITORS (default 50,000) sip-options monitors every
 * PLANTAO_BENCH_SIP_INTERVAL seconds (default 60) over UDP against SIPp answering 200 OK, in its own process,
 * on one node: on schedule (rate vs schedule, delay) in under 1 GiB RSS. Uptime Kuma has no SIP monitor: the
 * figure is held to the HTTP goal (ten times less CPU than Kuma's HTTP check).
 */
const MONITORS = Number(process.env.PLANTAO_BENCH_SIP_MONITORS || 50_000);
const INTERVAL = Number(process.env.PLANTAO_BENCH_SIP_INTERVAL || 60);

export default async function monitoringSip(): Promise<void> {
  for (const engine of benchEngines) {
    // A fresh SIPp per engine: it quits by itself after 5 minutes.
    const sipp = await startSipp("options-200.xml", "udp");
    try {
      await measureMonitoring(engine, {
        name: "monitoring-sip-options",
        type: "sip-options",
        monitors: MONITORS,
        intervalSeconds: INTERVAL,
        target: (i) => sipp.uri(`probe${i}`),
        reference: "the HTTP goal: ten times less than Uptime Kuma 2.5.3's HTTP check (it has no SIP monitor)",
      });
    } finally {
      await sipp.stop();
    }
  }
}
