import { lazy } from "react";
import type { Area } from "../../shell/area";
import { MailboxIcon } from "./MailboxIcon";

// Mailboxes hold IMAP credentials and decide where customers' mail goes: the server allows administrators only.
export const mailboxesArea: Area = {
  path: "/mailboxes",
  label: "mailboxes.nav",
  icon: MailboxIcon,
  roles: ["admin"],
  page: lazy(() => import("./MailboxesPage").then((m) => ({ default: m.MailboxesPage }))),
  subpages: [
    { path: "/mailboxes/:id", page: lazy(() => import("./MailboxPage").then((m) => ({ default: m.MailboxPage }))) },
  ],
};
