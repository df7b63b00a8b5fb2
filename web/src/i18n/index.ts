import { createI18n } from 'vue-i18n';
import en from './en.js';
import zhCN from './zh-CN.js';

type DeepString<T> = { [K in keyof T]: T[K] extends string ? string : DeepString<T[K]> };
/** Every locale has exactly the keys of the Chinese messages. */
export type Messages = DeepString<typeof zhCN>;

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const STORAGE_KEY = 'locale';

export function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : 'zh-CN';
}

export function rememberLocale(locale: Locale): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  // The console's times: to the second in logs, to the minute for locks and deadlines.
  datetimeFormats: Object.fromEntries(LOCALES.map((locale) => [locale, {
    long: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
    time: { hour: '2-digit', minute: '2-digit', hour12: false },
    day: { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Asia/Shanghai' },
  }])),
});
