import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";

export type Call = JsonBody<paths["/api/v1/calls"]["get"]["responses"][200]>["items"][number];
export type PbxConnection = JsonBody<paths["/api/v1/pbx-connections/{id}"]["get"]["responses"][200]>;

export const callStatuses = ["ringing", "answered", "completed", "missed"] as const;
export const callbackStatuses = ["pending", "overdue", "done"] as const;
export const callStatusColor: Record<string, string> = {
  ringing: "blue",
  answered: "green",
  completed: "gray",
  missed: "red",
};
/** A PBX connection's live state as the holding node reports it. */
export const pbxStates = ["connected", "connecting", "disconnected", "standby"] as const;
export const pbxStateColor: Record<string, string> = {
  connected: "green",
  connecting: "yellow",
  disconnected: "red",
  standby: "gray",
};

/** `PJSIP/1001 = ana@provedor` lines to the extensions map (blank lines ignored). */
export function parseExtensions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf("=");
    const iface = (at < 0 ? trimmed : trimmed.slice(0, at)).trim();
    out[iface] = at < 0 ? "" : trimmed.slice(at + 1).trim();
  }
  return out;
}

export const formatExtensions = (map: Record<string, string>) =>
  Object.entries(map)
    .map(([iface, email]) => `${iface} = ${email}`)
    .join("\n");

export const formatDuration = (seconds: number | null) =>
  seconds === null ? "—" : `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
