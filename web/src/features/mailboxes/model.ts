import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";

export type Mailbox = JsonBody<paths["/api/v1/mailboxes/{id}"]["get"]["responses"][200]>;
export type IntakeLogEntry = JsonBody<paths["/api/v1/mailboxes/{id}/log"]["get"]["responses"][200]>["items"][number];

export const levelColor: Record<IntakeLogEntry["level"], string> = { info: "blue", warn: "orange", error: "red" };
