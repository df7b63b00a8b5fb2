import type { AuthorityConfig } from '../../config.js';
import { AlibabaAuthority } from './alibaba.authority.js';
import type { AuthorityPort } from './authority.port.js';
import { HttpAuthority } from './http.authority.js';
import { MockAuthority } from './mock.authority.js';
import { TencentAuthority } from './tencent.authority.js';

/** The configured adapter. Each attempt gets a third of the overall time, so retries fit in it. */
export function createAuthority(config: AuthorityConfig): AuthorityPort {
  const retry = { attempts: 3, backoffMs: 200, timeoutMs: Math.max(100, Math.floor(config.timeoutMs / 3)) };
  switch (config.adapter) {
    case 'mock':
      return new MockAuthority();
    case 'tencent':
      return new TencentAuthority({ ...config, retry });
    case 'alibaba':
      return new AlibabaAuthority({ ...config, retry });
    case 'http':
      return new HttpAuthority({ ...config, retry });
  }
}
