import { createRouter, createWebHistory } from 'vue-router';
import { usePurchaseStore } from '../stores/purchase.js';
import { tellHost } from '../embed/host.js';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('../pages/public/HomePage.vue') },
    { path: '/buy/number', component: () => import('../pages/buy/BuyNumberPage.vue') },
    { path: '/buy/delivery', component: () => import('../pages/buy/BuyDeliveryPage.vue'), meta: { needs: 'hold' } },
    { path: '/buy/consent', component: () => import('../pages/buy/BuyConsentPage.vue'), meta: { needs: 'order' } },
    { path: '/buy/capture/:kind(portrait|emblem|handheld)', component: () => import('../pages/buy/BuyCapturePage.vue'), meta: { needs: 'order' } },
    { path: '/buy/liveness', component: () => import('../pages/buy/BuyLivenessPage.vue'), meta: { needs: 'order' } },
    { path: '/buy/review', component: () => import('../pages/buy/BuyReviewPage.vue'), meta: { needs: 'order' } },
    { path: '/buy/status', component: () => import('../pages/buy/BuyStatusPage.vue'), meta: { needs: 'order' } },
    // A phone going on with an order started on another device (the code in the link's fragment).
    { path: '/h', component: () => import('../pages/buy/BuyHandoffPage.vue') },
    { path: '/buy/phone-done', component: () => import('../pages/buy/BuyPhoneDonePage.vue') },
    { path: '/courier', component: () => import('../pages/courier/CourierPage.vue') },
    { path: '/activate', component: () => import('../pages/activate/ActivatePage.vue') },
    // An existing subscriber registers their number's identity (补登记): the number proven, then the buyer's checks.
    { path: '/reregister', component: () => import('../pages/reregister/ReregisterPage.vue') },
    // Reports from the public: a shop, a fraud number, or a number opened in the reporter's name (after an identity check).
    { path: '/report', component: () => import('../pages/public/ReportPage.vue') },
    { path: '/agents', component: () => import('../pages/public/AgentsPage.vue') },
    { path: '/agents/verify', component: () => import('../pages/public/AgentVerifyPage.vue') },
    { path: '/sandbox/sms', component: () => import('../pages/public/SandboxSmsPage.vue') },
    { path: '/embed', component: () => import('../pages/buy/EmbedPage.vue') },
    {
      path: '/console',
      component: () => import('../pages/console/ConsoleLayout.vue'),
      children: [
        { path: 'staff', component: () => import('../pages/console/manage/ConsoleStaffPage.vue') },
        { path: 'reviews', component: () => import('../pages/console/review/ConsoleReviewsPage.vue') },
        { path: 'reviews/:id', component: () => import('../pages/console/review/ConsoleReviewCasePage.vue') },
        { path: 'audit', component: () => import('../pages/console/records/ConsoleAuditPage.vue') },
        { path: 'channels', component: () => import('../pages/console/manage/ConsoleChannelsPage.vue') },
        { path: 'actions', component: () => import('../pages/console/records/ConsoleActionsPage.vue') },
        { path: 'registrations', component: () => import('../pages/console/records/ConsoleRegistrationsPage.vue') },
        { path: 'requests', component: () => import('../pages/console/records/ConsoleRequestsPage.vue') },
        { path: 'operations', component: () => import('../pages/console/manage/ConsoleOperationsPage.vue') },
        { path: 'campaigns', component: () => import('../pages/console/manage/ConsoleCampaignsPage.vue') },
        { path: 'alerts', component: () => import('../pages/console/watch/ConsoleAlertsPage.vue') },
        { path: 'dashboard', component: () => import('../pages/console/watch/ConsoleDashboardPage.vue') },
        { path: 'cases', component: () => import('../pages/console/watch/ConsoleCasesPage.vue') },
      ],
    },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
});

// A step that needs a held number or an order sends a buyer without one back to choosing a number.
router.beforeEach((to) => {
  const purchase = usePurchaseStore();
  if (to.meta.needs === 'hold' && !purchase.hold) return '/buy/number';
  if (to.meta.needs === 'order' && !purchase.hasOrder) return '/buy/number';
  return true;
});

// An embedding storefront follows the buyer's steps (the path's last part: number, portrait, liveness, …).
router.afterEach((to) => {
  if (to.path.startsWith('/buy/')) tellHost('step', { step: to.path.split('/').at(-1) ?? '' });
});

declare module 'vue-router' {
  interface RouteMeta {
    needs?: 'hold' | 'order';
  }
}
