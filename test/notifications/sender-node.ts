/**
 * A separate app node for test/notifications/crash.test.ts: runs the notification outbox's delivery jobs
 * against the SMTP server given, until it is killed.
 * Usage: node --import tsx test/notifications/sender-node.ts <database-url> <smtp-url>
 */
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";

const [databaseUrl, smtpUrl] = process.argv.slice(2);
if (!databaseUrl || !smtpUrl) throw new Error("usage: sender-node.ts <database-url> <smtp-url>");

const node = await openNode(databaseUrl, "sender", {
  config: { smtpUrl, jobConcurrency: 4, jobPollMs: 100, jobLeaseMs: 1_000 },
});
createServices(node);
await node.start();
process.stdout.write("ready\n");
