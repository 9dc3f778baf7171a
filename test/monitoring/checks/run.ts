import { Value } from "typebox/value";
import type { CheckResult, ProbeType } from "../../../src/modules/monitoring/checks/index.js";

/** Runs one check the way the engine does: a valid target, settings with defaults, a signal aborted at the timeout. */
export async function check(
  probe: ProbeType,
  target: string,
  settings: Record<string, unknown> = {},
  timeoutMs = 5000,
): Promise<CheckResult> {
  const invalid = probe.validateTarget(target);
  if (invalid) throw new Error(`invalid target ${target}: ${invalid}`);
  const resolved = Value.Default(probe.settings, structuredClone(settings));
  if (!Value.Check(probe.settings, resolved))
    throw new Error(`invalid settings: ${JSON.stringify([...Value.Errors(probe.settings, resolved)])}`);
  return probe.run(target, resolved as Record<string, unknown>, { signal: AbortSignal.timeout(timeoutMs), timeoutMs });
}
