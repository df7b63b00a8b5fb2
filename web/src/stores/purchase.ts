import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { DeliveryPath, Hold, OrderView } from '@shared';
import { api } from '../api/client.js';
import { embedContext, tellHost } from '../embed/host.js';

const STORAGE_KEY = 'purchase';

interface Saved {
  hold?: Hold;
  orderId?: string;
  orderToken?: string;
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

  watch([hold, orderId, orderToken], () => {
    const value: Saved = { hold: hold.value, orderId: orderId.value, orderToken: orderToken.value };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
  });

  const hasOrder = computed(() => Boolean(orderId.value && orderToken.value));

  async function holdNumber(msisdn: string): Promise<void> {
    hold.value = await api.hold(msisdn);
  }

  async function createOrder(deliveryPath: DeliveryPath): Promise<void> {
    if (!hold.value) throw new Error('no number held');
    // Embedded in an agent's storefront, the order is that agent's.
    const created = await api.createOrder(hold.value, deliveryPath, embedContext()?.agent);
    orderId.value = created.order.id;
    orderToken.value = created.orderToken;
    order.value = created.order;
    tellHost('started', { orderId: created.order.id });
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
  }

  return { hold, orderId, orderToken, order, hasOrder, holdNumber, createOrder, refresh, credentials, reset };
});
