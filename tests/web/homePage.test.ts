// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.vue';
import { i18n } from '../../web/src/i18n/index.js';
import { router } from '../../web/src/router/index.js';

async function mountApp() {
  const wrapper = mount(App, { global: { plugins: [createPinia(), i18n, router] } });
  await router.push('/');
  await router.isReady();
  await flushPromises();
  return wrapper;
}

describe('first page', () => {
  beforeAll(() => {
    // The deployment the pages describe: a sandbox.
    vi.stubGlobal('fetch', (url: string) => Promise.resolve(url === '/api/environment'
      ? Response.json({ mode: 'sandbox', operatorName: '沙盒移动 Sandbox Mobile' })
      : Response.json({ error: { code: 'not_found', message: 'no such endpoint' } }, { status: 404 })));
  });

  beforeEach(() => {
    localStorage.clear();
    i18n.global.locale.value = 'zh-CN';
  });

  it('speaks Chinese by default and lists the steps of the purchase', async () => {
    const wrapper = await mountApp();
    expect(wrapper.find('h1').text()).toBe('在线购卡，先完成实名认证');
    const steps = wrapper.findAll('.home-step h3').map((h) => h.text());
    expect(steps).toEqual(['选号', '拍摄身份证', '手持身份证拍照', '视频实人认证', '配送与激活']);
  });

  it('says on every page that it is a sandbox, when it is one', async () => {
    const wrapper = await mountApp();
    expect(wrapper.find('[data-testid="sandbox-banner"]').text()).toContain('沙盒环境');
    await router.push('/agents');
    await flushPromises();
    expect(wrapper.find('[data-testid="sandbox-banner"]').exists()).toBe(true);
  });

  it('switches to English and remembers the choice', async () => {
    const wrapper = await mountApp();
    const english = wrapper.findAll('.locale-switch button').find((b) => b.text() === 'English');
    await english?.trigger('click');
    await vi.waitFor(() => expect(i18n.global.locale.value).toBe('en'));
    await flushPromises();
    expect(wrapper.find('h1').text()).toBe('Buying a SIM online starts with verifying your identity');
    expect(wrapper.findAll('.home-needs li')).toHaveLength(3);
    expect(localStorage.getItem('locale')).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });
});
