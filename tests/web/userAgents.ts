/**
 * User agents of the apps' web views as they send them (published samples of recent versions), with
 * what the page should make of each. The browser tests take theirs from here too.
 */
export const IN_APP_AGENTS: Record<string, { agent: string; app: string; platform: 'ios' | 'android' | 'other' }> = {
  'WeChat on an iPhone': {
    agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
    app: 'wechat', platform: 'ios',
  },
  'WeChat on Android': {
    agent: 'Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1110005 MMWEBSDK/20231002 MMWEBID/2247 MicroMessenger/8.0.43.2480(0x28002B37) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
    app: 'wechat', platform: 'android',
  },
  'WeCom on an iPhone': {
    agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.20 MicroMessenger/7.0.1 Language/zh ColorScheme/Light',
    app: 'wecom', platform: 'ios',
  },
  'QQ on an iPhone': {
    agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/8.9.80.631 V1_IPH_SQ_8.9.80_1_APP_A Pixel/1170 Core/WKWebView Device/Apple(iPhone 14) NetType/WIFI QBWebViewType/1 WKType/1',
    app: 'qq', platform: 'ios',
  },
  'Alipay on Android': {
    agent: 'Mozilla/5.0 (Linux; U; Android 12; zh-CN; M2012K11AC Build/SKQ1.211006.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 UCBS/3.22.2.59_230217191008 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.3.86.8000) AlipayClient/10.3.86.8000 Language/zh-Hans',
    app: 'alipay', platform: 'android',
  },
  'Weibo on an iPhone': {
    agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Weibo (iPhone14,5__weibo__13.2.1__iphone__os16.3)',
    app: 'weibo', platform: 'ios',
  },
  'DingTalk on an iPhone': {
    agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.0.40) com.laiwang.DingTalk/31130843 Channel/201200 language/zh-Hans-CN UT4Aplus/0.0.6 WK',
    app: 'dingtalk', platform: 'ios',
  },
  'Douyin on Android': {
    agent: 'Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/99.0.4844.88 Mobile Safari/537.36 aweme_230400 JsSdk/1.0 NetType/WIFI Channel/huawei_1128_64 app_version/23.4.0 ByteLocale/zh-CN Region/CN BytedanceWebview/d8a21c6',
    app: 'douyin', platform: 'android',
  },
  'Xiaohongshu on an iPhone': {
    agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 discover/8.7 (iPhone; iOS 16.6; zh_CN) Resolution/1170*2532 Version/8.7 Build/8070106 Device/(Apple Inc.;iPhone14,5) NetType/WiFi xhsdiscover',
    app: 'xiaohongshu', platform: 'ios',
  },
};

export const SYSTEM_BROWSER_AGENTS: Record<string, string> = {
  'Safari on an iPhone': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Chrome on Android': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'QQ Browser on Android': 'Mozilla/5.0 (Linux; U; Android 12; zh-cn; PEHM00 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/98.0.4758.102 MQQBrowser/13.6 Mobile Safari/537.36 COVC/046335',
  'Chrome on a desktop': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
};
