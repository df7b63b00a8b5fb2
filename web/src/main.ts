import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n, initialLocale, switchLocale } from './i18n/index.js';
import { router } from './router/index.js';
import './styles.css';
import { applyTheme, embedContext } from './embed/host.js';

// Reloaded inside a storefront's frame: keep the look the host asked for.
const embedded = embedContext();
if (embedded) applyTheme(embedded.theme);

const app = createApp(App).use(createPinia()).use(i18n).use(router);
// The remembered language first (English messages are loaded only for those who chose it).
void switchLocale(initialLocale(), false).finally(() => app.mount('#app'));
