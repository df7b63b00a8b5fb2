import type { ChannelsDb, WebhookDeliveryRow } from '../providers/db/channels.db.js';
import { signWebhook } from '../crypto/webhookSignature.js';
import type { ChannelService } from './channelService.js';

/** Waits before the next try of a notice, by tries made; after the last, it is given up (and logged). */
const RETRY_DELAYS_MS = [1000, 5000, 30_000, 120_000, 600_000, 3_600_000];
const SEND_TIMEOUT_MS = 5000;
/** Notices of one channel taken at a time: their sends, one after another, fit in the claim. */
const CLAIM_BATCH = 5;

export interface WebhookSenderDeps {
  channels: ChannelsDb;
  service: ChannelService;
  log: (level: 'error' | 'info', message: string) => void;
  now: () => number;
  /** How long a process has the notices it took; after that, another may take them. */
  claimMs: number;
  fetch?: typeof fetch;
}

/**
 * Sends the order notices queued for storefronts: each a JSON body signed with the channel's secret
 * (`X-Sim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), retried with back-off
 * until the storefront answers 2xx. Every try is in the delivery log. The browser's events are a
 * convenience; these, and the outcome API, are what a storefront may trust.
 */
export class WebhookSender {
  readonly #d: WebhookSenderDeps;
  #running: Promise<void> | undefined;

  constructor(deps: WebhookSenderDeps) {
    this.#d = deps;
  }

  /** Sends what is due; one run at a time. */
  runDue(): Promise<void> {
    this.#running ??= this.sendDue().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * Sends what is due: each channel's notices in order, the channels side by side, so a storefront
   * that is slow to answer delays only its own notices.
   */
  private async sendDue(): Promise<void> {
    const byChannel = new Map<string, WebhookDeliveryRow[]>();
    const now = this.#d.now();
    for (const delivery of await this.#d.channels.claimDueDeliveries(now, now + Math.max(this.#d.claimMs, CLAIM_BATCH * SEND_TIMEOUT_MS + 5000), CLAIM_BATCH)) {
      byChannel.set(delivery.channel_id, [...(byChannel.get(delivery.channel_id) ?? []), delivery]);
    }
    await Promise.all([...byChannel.values()].map(async (deliveries) => {
      for (const delivery of deliveries) await this.send(delivery);
    }));
  }

  private async send(delivery: WebhookDeliveryRow): Promise<void> {
    const channel = await this.#d.channels.byId(delivery.channel_id);
    const nextAt = (): number | null => {
      const delay = RETRY_DELAYS_MS[delivery.attempts];
      return delay === undefined ? null : this.#d.now() + delay;
    };
    if (!channel?.webhook_url) {
      await this.#d.channels.recordDelivery(delivery.id, { ok: false, status: null, error: 'no webhook address', nextAt: null }, this.#d.now());
      return;
    }
    const signature = signWebhook(this.#d.service.webhookSecret(channel), delivery.body, Math.floor(this.#d.now() / 1000));
    let result: { ok: boolean; status: number | null; error: string | null };
    try {
      const res = await (this.#d.fetch ?? fetch)(channel.webhook_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sim-signature': signature, 'x-sim-delivery': delivery.id },
        body: delivery.body,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'error',
      });
      await res.body?.cancel();
      result = { ok: res.ok, status: res.status, error: res.ok ? null : `HTTP ${res.status}` };
    } catch (error) {
      result = { ok: false, status: null, error: error instanceof Error ? error.name : 'error' };
    }
    const next = result.ok ? null : nextAt();
    await this.#d.channels.recordDelivery(delivery.id, { ...result, nextAt: next }, this.#d.now());
    if (!result.ok && next === null) this.#d.log('error', `webhook ${delivery.id} to channel ${channel.agent_number} given up: ${result.error ?? 'error'}`);
  }
}
