import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { AuthenticationService } from "../identity/service.js";
import type { AttachmentStore } from "../tickets/attachments.js";
import { safeFilename, sniffContentType } from "../tickets/sniff.js";
import { maySecurityWrite, presentAccount, presentEvidence } from "./model.js";
import type { AccountRow, IncidentRepository } from "./repository.js";
import type { IncidentService, RequestInfo } from "./service.js";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/**
 * What only security incidents have: evidence files kept with their SHA-256, and the accounts and tokens
 * they affect, which can be disabled or revoked from the incident (through the identity services, audited).
 */
export class SecurityIncidentService {
  private readonly repo: IncidentRepository;
  private readonly incidents: IncidentService;
  private readonly directory: DirectoryService;
  private readonly authentication: AuthenticationService;
  private readonly store: AttachmentStore;
  private readonly maxBytes: number;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor(deps: {
    incidents: IncidentService;
    directory: DirectoryService;
    authentication: AuthenticationService;
    store: AttachmentStore;
    maxBytes: number;
    audit: AuditService;
    clock: Clock;
  }) {
    this.incidents = deps.incidents;
    this.repo = deps.incidents.repo;
    this.directory = deps.directory;
    this.authentication = deps.authentication;
    this.store = deps.store;
    this.maxBytes = deps.maxBytes;
    this.audit = deps.audit;
    this.clock = deps.clock;
  }

  /** A security incident the actor may read (others answer 404, as if they did not exist). */
  private async securityIncident(actor: Actor, id: string, write: boolean) {
    const row = await this.incidents.row(actor, id);
    if (row.kind !== "security") throw Problem.conflict("Only security incidents keep evidence and affected accounts");
    if (write && !maySecurityWrite(actor)) throw forbidden();
    return row;
  }

  async addEvidence(
    actor: Actor,
    id: string,
    input: { filename: string; data: string; description?: string },
    req: RequestInfo,
  ) {
    await this.securityIncident(actor, id, true);
    const data = Buffer.from(input.data, "base64");
    if (data.length === 0) throw invalid("/data", "is empty or not base64");
    if (data.length > this.maxBytes) throw invalid("/data", `is larger than ${this.maxBytes} bytes`);
    const row = {
      id: uuidv7(),
      incident_id: id,
      filename: safeFilename(input.filename),
      content_type: sniffContentType(data),
      size: data.length,
      sha256: await this.store.put(data),
      description: input.description ?? "",
      uploaded_by: actor.userId,
      created_at: this.clock.now().toISOString(),
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.insertEvidence(row, trx);
      await this.audit.record(
        {
          action: "incident.evidence.added",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { evidenceId: row.id, sha256: row.sha256, size: row.size },
        },
        trx,
      );
    });
    return presentEvidence(row);
  }

  async evidence(actor: Actor, id: string) {
    await this.securityIncident(actor, id, false);
    return (await this.repo.evidenceOf(id)).map(presentEvidence);
  }

  async download(actor: Actor, id: string, evidenceId: string) {
    await this.securityIncident(actor, id, false);
    const row = await this.repo.findEvidence(id, evidenceId);
    if (!row) throw Problem.notFound("Evidence");
    return { evidence: presentEvidence(row), stream: this.store.open(row.sha256) };
  }

  async linkAccount(
    actor: Actor,
    id: string,
    input: { kind: "user" | "token"; refId: string; note?: string },
    req: RequestInfo,
  ) {
    await this.securityIncident(actor, id, true);
    if (input.kind === "user") {
      await this.directory.getUser(input.refId).catch(() => {
        throw invalid("/refId", "is not a user");
      });
    } else {
      const { tokens } = await this.directory.directorySnapshot();
      if (!tokens.some((t) => t.id === input.refId)) throw invalid("/refId", "is not an API token");
    }
    const row: AccountRow = {
      id: uuidv7(),
      incident_id: id,
      kind: input.kind,
      ref_id: input.refId,
      note: input.note ?? "",
      action: null,
      action_at: null,
      action_by: null,
      linked_at: this.clock.now().toISOString(),
    };
    await this.repo.db.transaction().execute(async (trx) => {
      if (!(await this.repo.linkAccount(row, trx))) throw Problem.conflict(`That ${input.kind} is already linked`);
      await this.audit.record(
        {
          action: "incident.account.linked",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { kind: input.kind, refId: input.refId },
        },
        trx,
      );
    });
    return presentAccount(row);
  }

  async accounts(actor: Actor, id: string) {
    await this.securityIncident(actor, id, false);
    return (await this.repo.accountsOf(id)).map(presentAccount);
  }

  /** Disables the linked user or revokes the linked token; doing it twice answers the first time's record. */
  async contain(actor: Actor, id: string, accountId: string, req: RequestInfo) {
    await this.securityIncident(actor, id, true);
    const account = await this.repo.findAccount(id, accountId);
    if (!account) throw Problem.notFound("Linked account");
    if (account.action) return presentAccount(account);
    if (account.kind === "user") await this.directory.disableForIncident(actor, account.ref_id, id, req);
    else await this.authentication.revokeForIncident(actor, account.ref_id, id, req);
    const action = account.kind === "user" ? "disabled" : "revoked";
    const at = this.clock.now().toISOString();
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.accountActed(accountId, action, at, actor.userId, trx);
    });
    return presentAccount({ ...account, action, action_at: at, action_by: actor.userId });
  }
}
