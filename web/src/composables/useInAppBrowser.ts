/**
 * The apps whose own browser a shop link is often opened in. Their web views differ in what they
 * allow: some open the camera for a page, some only through a file input, some not at all.
 */
export const IN_APPS = ['wechat', 'wecom', 'qq', 'alipay', 'weibo', 'dingtalk', 'douyin', 'xiaohongshu'] as const;
export type InApp = (typeof IN_APPS)[number];

export interface InAppBrowser {
  app: InApp;
  /** Where the app's menu sends the page to: Safari on iOS, the default browser elsewhere. */
  platform: 'ios' | 'android' | 'other';
}

/** The markers each app puts in its web view's user agent (the first that matches wins). */
const MARKERS: [InApp, RegExp][] = [
  ['wecom', /\bwxwork\//iu],
  ['wechat', /\bMicroMessenger\//iu],
  ['alipay', /\bAlipayClient\//iu],
  ['dingtalk', /\bDingTalk\//iu],
  ['weibo', /(?:\bWeibo\b|__weibo__)/iu],
  ['douyin', /(?:\baweme[_/]|\bBytedanceWebview\b)/iu],
  ['xiaohongshu', /\bxhsdiscover\b/iu],
  // QQ's app says " QQ/x.y"; the QQ browser (MQQBrowser) is a browser of its own and is not matched.
  ['qq', /\sQQ\/\d/u],
];

/** The in-app browser a user agent names, if any. */
export function inAppBrowserOf(userAgent: string): InAppBrowser | undefined {
  const app = MARKERS.find(([, marker]) => marker.test(userAgent))?.[0];
  if (!app) return undefined;
  const platform = /\b(?:iPhone|iPad|iPod)\b/u.test(userAgent) ? 'ios' : /\bAndroid\b/u.test(userAgent) ? 'android' : 'other';
  return { app, platform };
}

/** This page's in-app browser, if it is in one. */
export function useInAppBrowser(): InAppBrowser | undefined {
  return typeof navigator === 'undefined' ? undefined : inAppBrowserOf(navigator.userAgent);
}

/** Whether this browser offers pages the camera at all (old web views, some apps and insecure pages do not). */
export const hasCameraApi = (): boolean => typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
