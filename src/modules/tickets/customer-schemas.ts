import { Type } from "typebox";
import { nullable } from "../../platform/http/schemas.js";
import { PortalAttachment, PortalMessage, PortalTicket } from "./portal-schemas.js";
import * as S from "./schemas.js";

/**
 * What a customer gets from the staff ticket routes: the portal's shapes (no tier, team, assignee, tags, tier
 * clocks, internal notes or staff ids), the ticket with its own id, which those routes address it by.
 */
export const CustomerTicket = Type.Object(
  { id: Type.String(), ...PortalTicket.properties },
  { description: "A ticket as a customer reads it (the portal's shape and the ticket's id)" },
);

const either = <A extends Parameters<typeof Type.Union>[0][number], B extends Parameters<typeof Type.Union>[0][number]>(
  staff: A,
  customer: B,
) => Type.Union([staff, customer], { description: "Staff get the first shape, customers the second" });

export const TicketView = either(S.Ticket, CustomerTicket);
export const TicketPageView = Type.Object({
  items: Type.Array(either(S.Ticket, CustomerTicket)),
  nextCursor: nullable(Type.String()),
});
export const MessageView = either(S.Message, PortalMessage);
export const TimelineView = either(S.Timeline, Type.Object({ messages: Type.Array(PortalMessage) }));
export const AttachmentView = either(S.Attachment, PortalAttachment);
export const AttachmentListView = Type.Object({ items: Type.Array(either(S.Attachment, PortalAttachment)) });
