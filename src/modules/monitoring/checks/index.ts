import type { TSchema } from "typebox";
import { dns } from "./dns.js";
import { http } from "./http.js";
import { icmp } from "./icmp.js";
import { mysqlProbe } from "./mysql.js";
import { postgres } from "./postgres.js";
import { sipOptions } from "./sip-options.js";
import { sipRegister } from "./sip-register.js";
import { tcp } from "./tcp.js";
import type { ProbeType } from "./types.js";

export type { CheckContext, CheckResult, CheckStatus, ProbeType } from "./types.js";

/** Every actively probed monitor type by its `type` id (heartbeat and group are the engine's own). */
export const probeTypes: Record<string, ProbeType> = Object.fromEntries(
  [http, tcp, dns, icmp, postgres, mysqlProbe, sipOptions, sipRegister].map((p) => [p.type, p]),
);

/**
 * Names of the settings fields marked `writeOnly` (passwords), which the engine seals at rest and never
 * returns; writeOnly is the standard JSON Schema/OpenAPI mark, so validators and the OpenAPI document accept it.
 */
export function secretSettings(probe: ProbeType): string[] {
  return Object.entries(probe.settings.properties as Record<string, TSchema & { writeOnly?: boolean }>)
    .filter(([, schema]) => schema.writeOnly === true)
    .map(([name]) => name);
}
