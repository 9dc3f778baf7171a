import type { severities, statuses } from "../../../../src/modules/tickets/model";
import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import type { tiers } from "../../auth/access";

// The ticket vocabulary is the server's own, so the lists here cannot drift from what the API accepts.
export { severities, statuses, ticketTypes } from "../../../../src/modules/tickets/model";

/**
 * The staff's shape of what the ticket routes answer: the same routes give customers the portal's shapes (no tier,
 * assignee, notes...), which the staff app never receives.
 */
export type StaffView<T> = T extends { items: Array<infer I> }
  ? Omit<T, "items"> & { items: Array<StaffView<I>> }
  : Extract<T, { tier: string } | { visibility: string } | { history: unknown } | { sha256: string }>;
export const staffView = <T>(answer: T) => answer as StaffView<T>;

export type Ticket = StaffView<paths["/api/v1/tickets/{id}"]["get"]["responses"][200]["content"]["application/json"]>;
export type SlaClock =
  paths["/api/v1/tickets/{id}/sla"]["get"]["responses"][200]["content"]["application/json"]["clocks"][number];
export type Status = (typeof statuses)[number];
export type Severity = (typeof severities)[number];
export type Tier = (typeof tiers)[number];

export const slaStatusColor: Record<SlaClock["status"], string> = {
  running: "blue",
  paused: "gray",
  fulfilled: "green",
  breached: "red",
  stopped: "gray",
};

export const severityColor: Record<string, string> = { critical: "red", high: "orange", medium: "yellow", low: "gray" };
export const statusColor: Record<string, string> = {
  new: "blue",
  open: "cyan",
  pending_customer: "yellow",
  pending_vendor: "yellow",
  on_hold: "gray",
  resolved: "green",
  closed: "dark",
};

/** Staff who can be assigned tickets, for pickers; the first 200 are plenty for a support team. */
export async function staffUsers(signal: AbortSignal) {
  const { items } = unwrap(await api.GET("/api/v1/users", { params: { query: { limit: 200 } }, signal }));
  return items.filter((u) => !["customer", "customer-admin"].includes(u.role) && !u.disabled);
}

export type TicketLink = JsonBody<paths["/api/v1/tickets/{id}/links"]["get"]["responses"][200]>["items"][number];
export type LinkKind = TicketLink["kind"];
export type Attachment = StaffView<
  JsonBody<paths["/api/v1/tickets/{id}/attachments"]["get"]["responses"][200]>["items"][number]
>;

/** How a link can be made from this ticket, in the order the picker offers them. */
export const linkKinds: readonly LinkKind[] = ["related", "duplicate_of", "duplicated_by", "parent_of", "child_of"];

/** A typed number that names no ticket the user can see: said next to the number, before asking the server. */
export class UnknownTicketNumber extends Error {}

/**
 * The ticket a typed number (`123` or `#123`) names, among those the user can see; null when none does.
 * The queue's search matches the number exactly, and words too, so the match is picked by number.
 */
export async function ticketByNumber(text: string, signal?: AbortSignal) {
  const number = /^#?(\d{1,15})$/.exec(text.trim())?.[1];
  if (!number) return null;
  const { items } = unwrap(
    await api.GET("/api/v1/tickets", { params: { query: { q: `#${number}`, limit: 50 } }, signal }),
  );
  return items.find((t) => t.number === Number(number)) ?? null;
}

/** A byte count people read: "812 B", "14.2 KB", "3.1 MB". */
export function fileSize(bytes: number, locale: string): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toLocaleString(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}

/** A file's bytes as base64, the form the attachment upload takes. */
function fileBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(file);
  });
}

/** Where the browser downloads an attachment from: the session cookie authorizes it. */
export const attachmentUrl = (ticketId: string, attachmentId: string) =>
  `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(attachmentId)}`;

/** Uploads a file to a ticket, on one of its messages when `messageId` is given. */
export async function uploadAttachment(ticketId: string, file: File, messageId?: string) {
  return unwrap(
    await api.POST("/api/v1/tickets/{id}/attachments", {
      params: { path: { id: ticketId } },
      body: { filename: file.name, data: await fileBase64(file), ...(messageId ? { messageId } : {}) },
    }),
  );
}
