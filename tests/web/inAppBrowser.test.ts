import { describe, expect, it } from 'vitest';
import { inAppBrowserOf } from '../../web/src/composables/useInAppBrowser.js';
import { IN_APP_AGENTS, SYSTEM_BROWSER_AGENTS } from './userAgents.js';

describe('in-app browsers', () => {
  it.each(Object.entries(IN_APP_AGENTS))('recognises %s', (name, { agent, app, platform }) => {
    expect(inAppBrowserOf(agent), name).toEqual({ app, platform });
  });

  it.each(Object.entries(SYSTEM_BROWSER_AGENTS))('leaves %s alone (a browser of its own)', (_name, agent) => {
    expect(inAppBrowserOf(agent)).toBeUndefined();
  });
});
