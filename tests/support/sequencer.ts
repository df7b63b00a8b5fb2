import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds the slowest files took in a full run (`npm test`, two workers). They start first: a long
 * file that starts last keeps one worker busy alone at the end of the run. Only the order matters;
 * a file not listed starts after these, in vitest's own order.
 */
const SLOW: Record<string, number> = {
  'tests/integration/orders.test.ts': 184,
  'tests/integration/fulfilment.test.ts': 172,
  'tests/integration/liveness.test.ts': 160,
  'tests/engine/evaluation.test.ts': 151,
  'tests/e2e/console.test.ts': 132,
  'tests/integration/nodes.test.ts': 82,
  'tests/e2e/inAppBrowsers.test.ts': 81,
  'tests/integration/records.test.ts': 79,
  'tests/integration/cardCap.test.ts': 78,
  'tests/integration/crash.test.ts': 70,
  'tests/engine/mockCards.test.ts': 64,
  'tests/integration/review.test.ts': 60,
  'tests/engine/cardPhoto.test.ts': 55,
  'tests/integration/campaigns.test.ts': 52,
  'tests/engine/mockIdTool.test.ts': 50,
  'tests/engine/liveMotion.test.ts': 43,
  'tests/security/limits.test.ts': 37,
  'tests/integration/channels.test.ts': 30,
  'tests/integration/operatorCli.test.ts': 30,
  'tests/security/authority.test.ts': 29,
  'tests/e2e/autoCapture.test.ts': 28,
  'tests/integration/staff.test.ts': 26,
  'tests/engine/livenessMeasures.test.ts': 24,
  'tests/integration/operations.test.ts': 21,
};

/** The slowest files first (see SLOW), the rest in vitest's order. */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const weight = (spec: TestSpecification): number => SLOW[path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/')] ?? 0;
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => weight(b.spec) - weight(a.spec) || a.i - b.i).map(({ spec }) => spec);
  }
}
