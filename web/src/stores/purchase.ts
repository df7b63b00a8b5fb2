import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { type CreatedHandoff, type CreatedOrder, type DeliveryPath, type HandoffProgress, type Hold, type OrderView, EVIDENCE_KINDS } from '@shared';
import { api } from '../api/client.js';
import { embedContext, tellHost } from '../embed/host.js';

const STORAGE_KEY = 'purchase';

interface Saved {
  hold?: Hold;
  orderId?: string;
  orderToken?: string;
  /** On the first device: the hand-off to a phone in progress (its code is shown until it is taken). */
  handoff?: CreatedHandoff;
  /** On the phone: the hand-off this device's token came from (the token is kept as `orderToken`). */
  device?: { handoffId: string };
}

/** Where an order goes on: the first photo missing, the live check, or the review. */
export function nextStepOf(order: OrderView): string {
  const missing = EVIDENCE_KINDS.find((kind) => !order.evidence[kind]);
  if (missing) return `/buy/capture/${missing}`;
  return order.liveness === 'missing' ? '/buy/liveness' : '/buy/review';
}

/**
 * The purchase in progress. What identifies it (hold, order id, order token) is kept in
 * sessionStorage so a reload mid-flow resumes; it is never put in a URL. Everything else is fetched.
 */
export const usePurchaseStore = defineStore('purchase', () => {
  const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as Saved;

  /** The number held for this buyer, before the order exists. */
  const hold = ref<Hold | undefined>(saved.hold);
  const orderId = ref<string | undefined>(saved.orderId);
  /** Secret for every call about the order. */
  const orderToken = ref<string | undefined>(saved.orderToken);
  /** The order as the server last described it. */
  const order = ref<OrderView | undefined>();
  const handoff = ref<CreatedHandoff | undefined>(saved.handoff);
  const device = ref<{ handoffId: string } | undefined>(saved.device);

  watch([hold, orderId, orderToken, handoff, device], () => {
    const value: Saved = { hold: hold.value, orderId: orderId.value, orderToken: orderToken.value, handoff: handoff.value, device: device.value };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
  });

  const hasOrder = computed(() => Boolean(orderId.value && orderToken.value));

  async function holdNumber(msisdn: string): Promise<void> {
    hold.value = await api.hold(msisdn);
  }

  async function createOrder(deliveryPath: DeliveryPath): Promise<void> {
    if (!hold.value) throw new Error('no number held');
    // Embedded in an agent's storefront, the order is that agent's (by the session the operator gave the frame).
    const created = await api.createOrder(hold.value, deliveryPath, embedContext()?.session);
    orderId.value = created.order.id;
    orderToken.value = created.orderToken;
    order.value = created.order;
    tellHost('started', { orderId: created.order.id });
  }

  /** Takes on an order made elsewhere (a re-registration's identity check): this tab goes on with it. */
  function adopt(created: CreatedOrder): void {
    reset();
    orderId.value = created.order.id;
    orderToken.value = created.orderToken;
    order.value = created.order;
  }

  async function refresh(): Promise<OrderView | undefined> {
    if (!orderId.value || !orderToken.value) return undefined;
    order.value = await api.order(orderId.value, orderToken.value);
    return order.value;
  }

  function credentials(): { id: string; token: string } {
    if (!orderId.value || !orderToken.value) throw new Error('no order');
    return { id: orderId.value, token: orderToken.value };
  }

  function reset(): void {
    hold.value = undefined;
    orderId.value = undefined;
    orderToken.value = undefined;
    order.value = undefined;
    handoff.value = undefined;
    device.value = undefined;
  }

  /** First device: a code for the phone (one at a time: a new one cancels the one before). */
  async function startHandoff(): Promise<CreatedHandoff> {
    const { id, token } = credentials();
    handoff.value = await api.createHandoff(id, token);
    return handoff.value;
  }

  /** First device: where the phone is; the order as it left it. */
  async function followHandoff(): Promise<HandoffProgress | undefined> {
    if (!handoff.value) return undefined;
    const { id, token } = credentials();
    const progress = await api.handoff(id, token, handoff.value.handoff.id);
    order.value = progress.order;
    return progress;
  }

  /**
   * First device: the phone's part is over. `finished`: the phone said so; `seen`: every step is
   * done, the hand-off is ended from here; `cancelled`: the buyer goes on here instead.
   */
  async function endHandoff(how: 'finished' | 'seen' | 'cancelled'): Promise<void> {
    const made = handoff.value;
    handoff.value = undefined;
    if (!made || how === 'finished') return;
    const { id, token } = credentials();
    await (how === 'seen' ? api.finishHandoff(id, token, made.handoff.id) : api.cancelHandoff(id, token, made.handoff.id));
  }

  /** Phone: takes the code; this tab goes on with the order on a token of its own. */
  async function claimHandoff(code: string): Promise<OrderView> {
    const claimed = await api.claimHandoff(code);
    reset();
    orderId.value = claimed.orderId;
    orderToken.value = claimed.deviceToken;
    device.value = { handoffId: claimed.handoff.id };
    order.value = claimed.order;
    return claimed.order;
  }

  /** Phone: its part is done; the first device goes on, and this tab forgets the order. */
  async function finishOnPhone(): Promise<void> {
    if (!device.value) return;
    const { id, token } = credentials();
    // The first device may have seen the check pass and ended the hand-off already.
    await api.finishHandoff(id, token, device.value.handoffId).catch(() => undefined);
    reset();
  }

  return {
    hold, orderId, orderToken, order, handoff, device, hasOrder, holdNumber, createOrder, adopt, refresh, credentials, reset,
    startHandoff, followHandoff, endHandoff, claimHandoff, finishOnPhone,
  };
});
