import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { MailboxIcon } from "./MailboxIcon";

// Mailboxes hold IMAP credentials and decide where customers' mail goes: the server allows administrators only.
export const mailboxesArea: Area = {
  path: "/mailboxes",
  label: "mailboxes.nav",
  icon: MailboxIcon,
  roles: ["admin"],
  page: lazyPage(() => import("./MailboxesPage").then((m) => ({ default: m.MailboxesPage }))),
  subpages: [
    { path: "/mailboxes/:id", page: lazyPage(() => import("./MailboxPage").then((m) => ({ default: m.MailboxPage }))) },
  ],
};
