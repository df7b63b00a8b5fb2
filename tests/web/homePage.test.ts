// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
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

  it('switches to English and remembers the choice', async () => {
    const wrapper = await mountApp();
    const english = wrapper.findAll('.locale-switch button').find((b) => b.text() === 'English');
    await english?.trigger('click');
    expect(wrapper.find('h1').text()).toBe('Buying a SIM online starts with verifying your identity');
    expect(wrapper.findAll('.home-needs li')).toHaveLength(3);
    expect(localStorage.getItem('locale')).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });
});
