import { type Ref, ref } from 'vue';
import type { Environment } from '@shared';
import { api } from '../api/client.js';

const environment = ref<Environment>();
let asked: Promise<void> | undefined;

/**
 * The deployment every page describes itself in: the sandbox says so on every page. Asked once per
 * page load; until the answer arrives, nothing is claimed either way.
 */
export function useEnvironment(): { environment: Ref<Environment | undefined> } {
  asked ??= api.environment().then((value) => {
    environment.value = value;
  }, () => {
    asked = undefined;
  });
  return { environment };
}
