import { startSipp } from "../test/fixtures/sipp.js";
import { benchEngines } from "./harness.js";
import { measureMonitoring } from "./monitoring-core.js";

/**
 * SIP OPTIONS monitoring cost: PLANTAO_BENCH_SIP_MONITORS (default 2,000) sip-options monitors every 30 s over
 * UDP against SIPp answering 200 OK, in its own process. Uptime Kuma has no SIP monitor: the issue holds it to
 * the HTTP goal (0.75 CPU-ms per check, ratio 4 against Kuma's 3.0 per HTTP check).
 */
const MONITORS = Number(process.env.PLANTAO_BENCH_SIP_MONITORS || 2_000);

export default async function monitoringSip(): Promise<void> {
  for (const engine of benchEngines) {
    // A fresh SIPp per engine: it quits by itself after 5 minutes.
    const sipp = await startSipp("options-200.xml", "udp");
    try {
      await measureMonitoring(engine, {
        name: "monitoring-sip-options",
        type: "sip-options",
        monitors: MONITORS,
        intervalSeconds: 30,
        target: (i) => sipp.uri(`probe${i}`),
        reference: "the HTTP goal: Uptime Kuma 2.5.3's 3.0 CPU-ms per HTTP check / 4 (it has no SIP monitor)",
      });
    } finally {
      await sipp.stop();
    }
  }
}
