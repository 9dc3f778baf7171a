import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { RequestInfo } from "../tickets/activity.js";
import type { TicketService } from "../tickets/service.js";
import { AmiCallTracker } from "./ami-calls.js";
import { AmiClient, type AmiClientOptions } from "./ami-client.js";
import { toE164 } from "./phone-numbers.js";
import type { PbxConnectionRow, TelephonyRepository } from "./repository.js";
import { type CallService, presentCall } from "./service.js";

export interface PbxConnectionInput {
  name: string;
  host: string;
  port?: number;
  username: string;
  secret: string;
  enabled?: boolean;
  extensions?: Record<string, string>;
  originateContext?: string;
}

export function presentConnection(c: PbxConnectionRow) {
  return {
    id: c.id,
    name: c.name,
    host: c.host,
    port: Number(c.port),
    username: c.username,
    enabled: Boolean(c.enabled),
    extensions: JSON.parse(c.extensions) as Record<string, string>,
    originateContext: c.originate_context,
    holder: c.lease_owner,
    state: c.lease_owner ? c.state : ("standby" as const),
    lastError: c.last_error,
    connectedAt: c.connected_at,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

export interface PbxServiceDeps {
  repo: TelephonyRepository;
  calls: CallService;
  tickets: TicketService;
  directory: DirectoryService;
  audit: AuditService;
  secrets: SecretBox;
  clock: Clock;
  log: Logger;
  nodeId: string;
  /** How long a node's hold on a connection lasts without renewal; renewed every third of it. */
  leaseMs?: number;
  /** Client settings (tests shorten the backoff and keepalive). */
  client?: Pick<AmiClientOptions, "keepaliveMs" | "timeoutMs" | "backoff">;
}

interface Link {
  client: AmiClient;
  tracker: AmiCallTracker;
  row: PbxConnectionRow;
  /** Steps are recorded in order, one after another, so a call's answer never overtakes its ringing. */
  queue: Promise<void>;
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/**
 * PBX connections over AMI and the one live session each: whichever node holds a connection's lease keeps its
 * AMI client running and feeds its events to the call service; the others stand by and take over when the lease
 * lapses (the holder died). Click-to-call Originates through the holder's session, or a one-shot session.
 */
export class PbxService {
  readonly #links = new Map<string, Link>();
  #timer?: NodeJS.Timeout;
  #ticking?: Promise<void>;
  #round?: Promise<void>;
  private readonly leaseMs: number;

  constructor(private readonly deps: PbxServiceDeps) {
    this.leaseMs = deps.leaseMs ?? 30_000;
  }

  // connections -----------------------------------------------------------------------------------------

  async create(actor: Actor, input: PbxConnectionInput, req: RequestInfo) {
    await this.checkExtensions(input.extensions);
    const now = this.deps.clock.now().toISOString();
    const row: PbxConnectionRow = {
      id: uuidv7(),
      name: input.name,
      host: input.host,
      port: input.port ?? 5038,
      username: input.username,
      secret: this.deps.secrets.seal(input.secret),
      enabled: input.enabled ?? true,
      extensions: JSON.stringify(input.extensions ?? {}),
      originate_context: input.originateContext ?? "from-internal",
      lease_owner: null,
      lease_until: null,
      state: "disconnected",
      last_error: null,
      connected_at: null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    await this.deps.repo.db.transaction().execute(async (trx) => {
      await this.deps.repo.insertConnection(row, trx);
      await this.deps.audit.record(
        { action: "telephony.pbx.created", actor, target: { type: "pbx_connection", id: row.id }, request: req },
        trx,
      );
    });
    return presentConnection(row);
  }

  async update(actor: Actor, id: string, patch: Partial<PbxConnectionInput>, req: RequestInfo) {
    await this.checkExtensions(patch.extensions);
    const before = await this.deps.repo.findConnection(id);
    if (!before) throw Problem.notFound("PBX connection");
    const now = this.deps.clock.now().toISOString();
    const after: PbxConnectionRow = {
      ...before,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.host !== undefined ? { host: patch.host } : {}),
      ...(patch.port !== undefined ? { port: patch.port } : {}),
      ...(patch.username !== undefined ? { username: patch.username } : {}),
      ...(patch.secret !== undefined ? { secret: this.deps.secrets.seal(patch.secret) } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.extensions !== undefined ? { extensions: JSON.stringify(patch.extensions) } : {}),
      ...(patch.originateContext !== undefined ? { originate_context: patch.originateContext } : {}),
      updated_at: now,
    };
    await this.deps.repo.db.transaction().execute(async (trx) => {
      await this.deps.repo.updateConnection(id, after, trx);
      await this.deps.audit.record(
        {
          action: "telephony.pbx.updated",
          actor,
          target: { type: "pbx_connection", id },
          request: req,
          // The sealed secret never goes into the trail; that it changed does.
          change: { before: presentConnection(before), after: presentConnection(after) },
          details: { secretChanged: patch.secret !== undefined },
        },
        trx,
      );
    });
    // The holder reconnects with the new settings on its next tick.
    await this.drop(id);
    return presentConnection(after);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    const before = await this.deps.repo.findConnection(id);
    if (!before) throw Problem.notFound("PBX connection");
    await this.drop(id);
    await this.deps.repo.db.transaction().execute(async (trx) => {
      await this.deps.repo.deleteConnection(id, trx);
      await this.deps.audit.record(
        { action: "telephony.pbx.deleted", actor, target: { type: "pbx_connection", id }, request: req },
        trx,
      );
    });
  }

  async get(id: string) {
    const row = await this.deps.repo.findConnection(id);
    if (!row) throw Problem.notFound("PBX connection");
    return presentConnection(row);
  }

  async list(page: { limit: number; after?: string }) {
    return (await this.deps.repo.listConnections(page)).map(presentConnection);
  }

  private async checkExtensions(extensions: Record<string, string> | undefined) {
    for (const [iface, email] of Object.entries(extensions ?? {})) {
      if (!(await this.deps.calls.isStaffEmail(email)))
        throw invalid(
          `/extensions/${iface.replace(/~/g, "~0").replace(/\//g, "~1")}`,
          "must be an active staff user's email",
        );
    }
  }

  // the live sessions -----------------------------------------------------------------------------------

  /** Holds (or stands by for) every enabled connection, every third of the lease. */
  start(): void {
    const tick = () => {
      this.#ticking = this.tick().catch((err: Error) => this.deps.log.error({ err }, "PBX link tick failed"));
    };
    tick();
    this.#timer = setInterval(tick, Math.max(100, Math.floor(this.leaseMs / 3)));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking;
    for (const id of [...this.#links.keys()]) await this.drop(id);
  }

  /**
   * One round: renew or take the lease of each enabled connection and run its session; let go of the ones this
   * node lost or that were disabled or deleted. A takeover from another node is logged with who held it.
   */
  tick(): Promise<void> {
    // One round at a time: the timer's and a caller's rounds never both open a session.
    const round = (this.#round ?? Promise.resolve()).then(() => this.round());
    this.#round = round.catch(() => undefined);
    return round;
  }

  private async round(): Promise<void> {
    const now = this.deps.clock.now();
    const rows = await this.deps.repo.enabledConnections();
    const enabled = new Set(rows.map((r) => r.id));
    for (const id of this.#links.keys()) if (!enabled.has(id)) await this.drop(id);
    for (const row of rows) {
      const { won, previous } = await this.deps.repo.claimLease(
        row.id,
        this.deps.nodeId,
        now.toISOString(),
        new Date(now.getTime() + this.leaseMs).toISOString(),
      );
      if (!won) {
        if (this.#links.has(row.id)) {
          this.deps.log.warn({ connection: row.id, holder: previous }, "lost the PBX connection's lease; standing by");
          await this.drop(row.id, false);
        }
        continue;
      }
      if (previous && previous !== this.deps.nodeId) {
        this.deps.log.warn(
          { connection: row.id, from: previous, node: this.deps.nodeId },
          "took over the AMI connection: its holder's lease lapsed",
        );
      }
      if (!this.#links.has(row.id)) this.open(row);
    }
  }

  /** Whether this node runs the connection's session now (tests and the status read it). */
  holds(id: string): AmiClient | undefined {
    return this.#links.get(id)?.client;
  }

  private options(row: PbxConnectionRow, reconnect: boolean): AmiClientOptions {
    return {
      host: row.host,
      port: Number(row.port),
      username: row.username,
      secret: this.deps.secrets.open(row.secret),
      events: reconnect ? "on" : "off",
      reconnect,
      ...this.deps.client,
    };
  }

  private open(row: PbxConnectionRow) {
    const client = new AmiClient(this.options(row, true));
    const link: Link = {
      client,
      tracker: new AmiCallTracker(() => this.deps.clock.now()),
      row,
      queue: Promise.resolve(),
    };
    this.#links.set(row.id, link);
    const log = this.deps.log.child({ connection: row.id });
    const state = (patch: Parameters<TelephonyRepository["setState"]>[2]) =>
      this.deps.repo
        .setState(row.id, this.deps.nodeId, patch)
        .catch((err: Error) => log.error({ err }, "could not record the AMI state"));
    client.on("connected", () => {
      log.info("AMI session logged in");
      void state({ state: "connected", last_error: null, connected_at: this.deps.clock.now().toISOString() });
    });
    client.on("disconnected", (err: Error) => {
      log.warn({ reason: err.message }, "AMI session lost; reconnecting with backoff");
      void state({ state: "disconnected", last_error: err.message });
    });
    client.on("malformed", (line: string) => log.warn({ line }, "malformed AMI line skipped"));
    client.on("event", (message) => {
      for (const step of link.tracker.consume(message)) {
        link.queue = link.queue
          .then(async () => {
            const fresh = (await this.deps.repo.findConnection(row.id)) ?? row;
            const actor = fresh.created_by ? await this.deps.calls.staffActor(fresh.created_by) : undefined;
            await this.deps.calls.ingest(step, { actor, connection: fresh });
          })
          .catch((err: Error) => log.error({ err, step }, "could not record a call step"));
      }
    });
    void state({ state: "connecting" });
    client.start().catch(() => {
      // The first attempt failed: the client keeps retrying with backoff; `disconnected` logged why.
    });
  }

  /** Stops this node's session of a connection, letting go of its lease unless another node already has it. */
  private async drop(id: string, release = true) {
    const link = this.#links.get(id);
    if (!link) return;
    this.#links.delete(id);
    await link.client.stop();
    await link.queue;
    if (release) await this.deps.repo.releaseLease(id, this.deps.nodeId);
  }

  /** Waits until every step received so far is recorded (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.#links.values()].map((l) => l.queue));
  }

  // click-to-call ---------------------------------------------------------------------------------------

  /**
   * Rings the agent's own extension and, once they pick up, dials the customer (AMI Originate with a ChannelId
   * we choose, so the call's events land on the call row made here, already on the ticket). Audited.
   */
  async originate(actor: Actor, ticketId: string, input: { to?: string; connectionId?: string }, req: RequestInfo) {
    if (!isStaff(actor.role)) throw forbidden("Only staff place calls");
    const ticket = await this.deps.tickets.get(actor, ticketId);
    const rows = input.connectionId
      ? [await this.deps.repo.findConnection(input.connectionId)].filter((r) => r !== undefined)
      : await this.deps.repo.enabledConnections();
    const row = rows.find((r) => Boolean(r.enabled));
    if (!row)
      throw input.connectionId
        ? invalid("/connectionId", "no such enabled PBX connection")
        : Problem.conflict("No PBX connection is configured for click-to-call");
    const extensions = JSON.parse(row.extensions) as Record<string, string>;
    const agentInterface = Object.keys(extensions).find(
      (k) => extensions[k]!.toLowerCase() === actor.email.toLowerCase(),
    );
    if (!agentInterface) throw Problem.conflict("You have no extension on this PBX connection (its extensions map)");
    const raw = input.to ?? ticket.requester.phone;
    if (!raw) throw invalid("/to", "is required: the requester has no phone number");
    const number = toE164(raw);
    if (!number) throw invalid("/to", "is not a phone number (E.164 or a Brazilian format)");
    const channelId = uuidv7();
    const call = await this.deps.calls.startOutbound({
      actor,
      connection: row,
      externalId: `ami:${row.id}:${channelId}`,
      from: agentInterface,
      to: number,
      ticketId: ticket.id,
      organizationId: ticket.organizationId,
    });
    const fields = {
      Action: "Originate",
      Channel: agentInterface,
      ChannelId: channelId,
      Context: row.originate_context,
      // Dial plans usually take national numbers; the E.164 `+` is left out.
      Exten: number.replace(/^\+55/, "0").replace(/^\+/, "00"),
      Priority: 1,
      CallerID: `"${ticket.number}" <${agentInterface.split("/").at(-1)}>`,
      Async: true,
      Timeout: 30000,
      Variable: `PLANTAO_TICKET=${ticket.number}`,
    };
    let outcome: "success" | "failure" = "success";
    let error: string | undefined;
    try {
      const held = this.#links.get(row.id)?.client;
      if (held?.state === "connected") await held.action(fields);
      else await this.oneShot(row, fields);
    } catch (err) {
      outcome = "failure";
      error = (err as Error).message;
    }
    await this.deps.audit.record({
      action: "telephony.call.originated",
      outcome,
      actor,
      organizationId: ticket.organizationId,
      target: { type: "ticket", id: ticket.id },
      request: req,
      details: { callId: call.id, to: number, agentInterface, ...(error ? { error } : {}) },
    });
    if (error) {
      await this.deps.calls.failOutbound(call.id);
      throw new Problem(502, "pbx-unavailable", "The PBX did not place the call", error);
    }
    return presentCall(call);
  }

  /** An action through a short session of its own, for a node that does not hold the connection. */
  private async oneShot(row: PbxConnectionRow, fields: Record<string, string | number | boolean>) {
    const client = new AmiClient(this.options(row, false));
    try {
      await client.start();
      await client.action(fields);
    } finally {
      await client.stop();
    }
  }
}
