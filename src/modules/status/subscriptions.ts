import type { Clock } from "../../platform/clock.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import { newSecret, sha256 } from "../identity/credentials.js";
import type { Notifier } from "../notifications/service.js";
import { type Locale, localeOf } from "../notifications/templates.js";
import type { StatusRepository, SubscriptionRow } from "./repository.js";

export function subscriptionView(row: SubscriptionRow) {
  return {
    id: row.id,
    email: row.email,
    componentIds: JSON.parse(row.component_ids) as string[],
    locale: row.locale,
    status: row.unsubscribed_at ? "unsubscribed" : row.confirmed_at ? "confirmed" : "pending",
    confirmedAt: row.confirmed_at,
    unsubscribedAt: row.unsubscribed_at,
    createdAt: row.created_at,
  };
}

const invalidToken = () =>
  new Problem(404, "not-found", "Not found", "The link is not valid: it may have been used or replaced");

/**
 * Email subscriptions to status components, with double opt-in: a request mails a confirmation link and
 * nothing else is sent until it is followed. The secret token in the links is stored hashed (to find the row)
 * and sealed (to put the one-click unsubscribe link in every notice).
 */
export class SubscriptionService {
  private readonly repo: StatusRepository;
  private readonly clock: Clock;
  private readonly notifier: Notifier;
  private readonly secrets: SecretBox;
  private readonly publicUrl: string;
  private readonly events: EventBus;

  constructor(deps: {
    repo: StatusRepository;
    clock: Clock;
    notifier: Notifier;
    events: EventBus;
    secrets: SecretBox;
    publicUrl: string;
  }) {
    this.events = deps.events;
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.notifier = deps.notifier;
    this.secrets = deps.secrets;
    this.publicUrl = deps.publicUrl;
  }

  unsubscribeUrl = (row: SubscriptionRow): string =>
    `${this.publicUrl}/status/unsubscribe?token=${encodeURIComponent(this.secrets.open(row.token_sealed))}`;

  /** Records a pending subscription and mails its confirmation link; the answer is the same for any address. */
  async subscribe(input: { email: string; componentIds: string[]; locale?: string }): Promise<void> {
    const ids = [...new Set(input.componentIds)];
    const known = await this.repo.existingComponents(ids);
    const i = ids.findIndex((id) => !known.has(id));
    if (i >= 0) throw Problem.invalid({ in: "body", pointer: `/componentIds/${i}`, message: `no component ${ids[i]}` });
    const token = newSecret("sub_");
    const now = this.clock.now().toISOString();
    const locale: Locale = localeOf(input.locale);
    const email = input.email.trim().toLowerCase();
    await this.repo.transaction(async (trx) => {
      await this.repo.insertSubscription(
        {
          id: uuidv7(),
          email,
          component_ids: ids,
          locale,
          token_hash: sha256(token),
          token_sealed: this.secrets.seal(token),
          confirmed_at: null,
          unsubscribed_at: null,
          created_at: now,
          updated_at: now,
        },
        trx,
      );
      await this.notifier.enqueue(
        [
          {
            to: { email, locale },
            template: "status.subscription-confirm",
            params: { link: `${this.publicUrl}/status/confirm?token=${encodeURIComponent(token)}` },
          },
        ],
        trx,
      );
    });
  }

  /** Follows a confirmation link: the subscription starts, replacing the address's earlier ones. */
  async confirm(token: string) {
    const row = await this.repo.subscriptionByToken(sha256(token));
    if (!row || row.unsubscribed_at) throw invalidToken();
    if (row.confirmed_at) return subscriptionView(row);
    const now = this.clock.now().toISOString();
    await this.repo.transaction(async (trx) => {
      for (const other of await this.repo.activeSubscriptions(trx))
        if (other.email === row.email && other.id !== row.id)
          await this.repo.updateSubscription(other.id, { unsubscribed_at: now, updated_at: now }, trx);
      await this.repo.updateSubscription(row.id, { confirmed_at: now, updated_at: now }, trx);
      await this.events.publish(
        {
          type: "status_subscription.confirmed",
          subjectId: row.id,
          payload: { subscriptionId: row.id, componentIds: JSON.parse(row.component_ids) as string[] },
        },
        trx,
      );
    });
    return subscriptionView((await this.repo.subscriptionByToken(sha256(token)))!);
  }

  /** One-click unsubscribe (RFC 8058): the subscription ends; repeating it is harmless. */
  async unsubscribe(token: string) {
    const row = await this.repo.subscriptionByToken(sha256(token));
    if (!row) throw invalidToken();
    if (!row.unsubscribed_at) {
      const now = this.clock.now().toISOString();
      await this.repo.updateSubscription(row.id, { unsubscribed_at: now, updated_at: now });
    }
    return subscriptionView((await this.repo.subscriptionByToken(sha256(token)))!);
  }

  async list(page: { limit: number; after?: string }) {
    return (await this.repo.subscriptions(page)).map(subscriptionView);
  }

  async remove(id: string): Promise<void> {
    await this.repo.deleteSubscription(id);
  }
}
