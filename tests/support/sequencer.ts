import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds the slowest files took in a full run (`npm test`, two workers). They start first: a long
 * file that starts last keeps one worker busy alone at the end of the run. Only the order matters;
 * a file not listed starts after these, in vitest's own order.
 */
const SLOW: Record<string, number> = {
  'tests/integration/orders.test.ts': 196,
  'tests/integration/fulfilment.test.ts': 166,
  'tests/e2e/inAppBrowsers.test.ts': 100,
  'tests/engine/evaluation.test.ts': 91,
  'tests/integration/liveness.test.ts': 90,
  'tests/e2e/buyerGuidance.test.ts': 90,
  'tests/integration/nodes.test.ts': 87,
  'tests/e2e/console.test.ts': 82,
  'tests/integration/crash.test.ts': 56,
  'tests/integration/records.test.ts': 52,
  'tests/integration/cardCap.test.ts': 43,
  'tests/e2e/courier.test.ts': 37,
  'tests/integration/review.test.ts': 36,
  'tests/engine/mockIdTool.test.ts': 36,
  'tests/integration/operatorCli.test.ts': 35,
  'tests/e2e/autoCapture.test.ts': 35,
  'tests/engine/mockCards.test.ts': 33,
  'tests/integration/operations.test.ts': 31,
  'tests/integration/campaigns.test.ts': 29,
  'tests/security/stayingUp.test.ts': 25,
  'tests/e2e/agents.test.ts': 24,
  'tests/engine/cardPhoto.test.ts': 23,
};

/** The slowest files first (see SLOW), the rest in vitest's order. */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const weight = (spec: TestSpecification): number => SLOW[path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/')] ?? 0;
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => weight(b.spec) - weight(a.spec) || a.i - b.i).map(({ spec }) => spec);
  }
}
