import { describe, expect, it } from 'vitest';
import { ERROR_CODES, OUTCOME_REASONS } from '@shared';
import en from '../../web/src/i18n/en.js';
import zhCN from '../../web/src/i18n/zh-CN.js';

const LOCALES = { 'zh-CN': zhCN, en } as const;

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key));
}

describe('messages', () => {
  it('has the same keys in every locale', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort());
  });

  it.each(Object.entries(LOCALES))('%s turns every reason (decision, hand-over, activation) into guidance', (_locale, messages) => {
    const reasons = messages.reasons as Record<string, string>;
    for (const reason of OUTCOME_REASONS) expect(reasons[reason], reason).toMatch(/\S{4,}/);
  });

  it.each(Object.entries(LOCALES))('%s explains every error a buyer can meet', (_locale, messages) => {
    const errors = messages.errors as Record<string, string>;
    const internal = new Set(['bad_request', 'validation_failed', 'not_found', 'internal', 'illegal_transition']);
    for (const code of ERROR_CODES.filter((c) => !internal.has(c))) expect(errors[code], code).toMatch(/\S{4,}/);
    expect(errors.network).toBeTruthy();
    expect(errors.generic).toBeTruthy();
  });
});
