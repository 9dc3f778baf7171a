import { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { MailIntake } from "./intake.js";
import type { MailRepository } from "./repository.js";
import type { ImapSettings } from "./service.js";

/** The cron tick that hands each polled mailbox to a node. */
export const POLL_TICK_JOB = "mail.poll";
/** One mailbox's poll on one node: read what is new, then watch with IDLE until the next tick. */
export const POLL_MAILBOX_JOB = "mail.poll.mailbox";

export interface ImapPollerDeps {
  repo: MailRepository;
  intake: MailIntake;
  secrets: SecretBox;
  jobs: JobQueue;
  clock: Clock;
  log: Logger;
  nodeId: string;
  /** How long one poll keeps watching with IDLE before it ends (the next tick starts another). */
  watchMs?: number;
  /** Connection and greeting timeouts, short enough that a dead server frees the lease soon. */
  timeoutMs?: number;
}

export interface PollResult {
  taken: number;
  skipped?: "leased" | "disabled";
  error?: string;
}

/**
 * IMAP polling of the mailboxes that have IMAP settings. Each minute one job per mailbox (the same on every node,
 * made unique by its key) runs on one node, which also holds the mailbox's lease while it polls, so two nodes never
 * read one folder. A poll resumes after the last UID taken in, records the UID after each mail it files, and
 * watches with IDLE where the server offers it; a connection dropped mid-fetch ends the poll with an intake log
 * entry, and the next one resumes from the UID reached: nothing is taken in twice (UIDs and Message-IDs are unique
 * per mailbox), nothing skipped.
 */
export class ImapPoller {
  constructor(private readonly deps: ImapPollerDeps) {}

  /** The tick: one poll job per enabled IMAP mailbox. */
  async tick(): Promise<void> {
    const minute = this.deps.clock.now().toISOString().slice(0, 16);
    for (const m of await this.deps.repo.pollable())
      await this.deps.jobs.enqueue(POLL_MAILBOX_JOB, { mailboxId: m.id }, { dedupeKey: `mail-poll:${m.id}:${minute}` });
  }

  async poll(mailboxId: string, signal?: AbortSignal, watchMs = this.deps.watchMs ?? 50_000): Promise<PollResult> {
    const { repo, clock, nodeId } = this.deps;
    const mailbox = await repo.findMailbox(mailboxId);
    if (!mailbox?.imap || !mailbox.enabled) return { taken: 0, skipped: "disabled" };
    const leaseMs = watchMs + 60_000;
    const leaseUntil = () => new Date(clock.now().getTime() + leaseMs).toISOString();
    if (!(await repo.lease(mailboxId, nodeId, clock.now().toISOString(), leaseUntil())))
      return { taken: 0, skipped: "leased" };
    const settings = JSON.parse(mailbox.imap) as ImapSettings;
    const timeout = this.deps.timeoutMs ?? 15_000;
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.tls,
      auth: { user: settings.user, pass: this.deps.secrets.open(mailbox.imap_password!) },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: Math.max(timeout, watchMs + 30_000),
      tls: { rejectUnauthorized: false },
    });
    // A dropped connection is reported by the failing command; the event itself must not crash the process.
    client.on("error", (err: Error) => this.deps.log.debug({ err, mailbox: mailbox.address }, "IMAP connection error"));
    let taken = 0;
    try {
      await client.connect();
      const box = await client.mailboxOpen(settings.folder);
      let state = { validity: String(box.uidValidity), last: Number(mailbox.last_uid) };
      if (mailbox.uid_validity !== state.validity) {
        // A new folder generation renumbers its mail: read it all again (Message-IDs stop doubles).
        state = { validity: state.validity, last: 0 };
        await repo.updateMailbox(mailboxId, { uid_validity: state.validity, last_uid: 0 });
      }
      const fetchNew = async () => {
        const found = await client.search({ uid: `${state.last + 1}:*` }, { uid: true });
        const uids = (found || []).filter((u) => u > state.last).sort((a, b) => a - b);
        for (const uid of uids) {
          if (signal?.aborted) return;
          const msg = await client.fetchOne(String(uid), { source: true, uid: true }, { uid: true });
          const source = msg ? msg.source : undefined;
          if (source) {
            const result = await this.deps.intake.take(source, {
              mailbox,
              via: "imap",
              imapUid: `${state.validity}:${uid}`,
            });
            if (result.outcome !== "duplicate") taken++;
          }
          state.last = uid;
          await repo.updateMailbox(mailboxId, { last_uid: uid, poll_until: leaseUntil() });
        }
      };
      await fetchNew();
      if (watchMs > 0 && client.capabilities.has("IDLE")) {
        const deadline = Date.now() + watchMs;
        let more = false;
        client.on("exists", () => {
          more = true;
        });
        while (!signal?.aborted && Date.now() < deadline) {
          const idle = client.idle();
          const stop = setTimeout(
            () => void client.noop().catch(() => undefined),
            Math.min(deadline - Date.now(), 25_000),
          );
          const abort = () => void client.noop().catch(() => undefined);
          signal?.addEventListener("abort", abort, { once: true });
          await idle;
          clearTimeout(stop);
          signal?.removeEventListener("abort", abort);
          if (more) {
            more = false;
            await fetchNew();
          }
        }
      }
      await repo.updateMailbox(mailboxId, { last_polled_at: clock.now().toISOString(), last_error: null });
      await client.logout().catch(() => undefined);
      return { taken };
    } catch (err) {
      const error = (err as Error).message || String(err);
      client.close();
      await repo.updateMailbox(mailboxId, { last_error: error.slice(0, 500) });
      await this.deps.intake.log(
        mailboxId,
        "error",
        "poll_failed",
        `IMAP ${settings.host}:${settings.port} failed after ${taken} new mail(s): ${error}; the next poll resumes after UID ${(await repo.findMailbox(mailboxId))?.last_uid ?? 0}`,
      );
      return { taken, error };
    } finally {
      await repo.release(mailboxId, nodeId);
    }
  }
}
