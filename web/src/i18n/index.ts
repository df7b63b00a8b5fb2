import { createI18n } from 'vue-i18n';
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
  // Chinese until the English messages have loaded (`useLocale`): they are not in the first screen's download.
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<Locale, Messages>,
  // The console's times: to the second in logs, to the minute for locks and deadlines.
  datetimeFormats: Object.fromEntries(LOCALES.map((locale) => [locale, {
    long: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
    time: { hour: '2-digit', minute: '2-digit', hour12: false },
    day: { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Asia/Shanghai' },
  }])),
});

/** Shows the pages in `locale`, its messages loaded first when they are not yet (English is loaded when asked for). */
export async function switchLocale(locale: Locale, remember = true): Promise<void> {
  if (!i18n.global.availableLocales.includes(locale)) i18n.global.setLocaleMessage(locale, (await import('./en.js')).default);
  i18n.global.locale.value = locale;
  if (remember) rememberLocale(locale);
}
