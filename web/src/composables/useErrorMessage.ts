import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/client.js';
import { tellHost } from '../embed/host.js';

/** The message shown for a failed call: the guidance for its code, or a generic one. */
export function useErrorMessage() {
  const { t } = useI18n();
  const message = ref<string>();

  /** Shows the guidance for `error` and returns its code (for pages that act on some codes). */
  function show(error: unknown): string {
    const code = error instanceof ApiError ? error.code : 'generic';
    message.value = t(`errors.${code}`, t('errors.generic'));
    tellHost('error', { code });
    return code;
  }

  function clear(): void {
    message.value = undefined;
  }

  return { message, show, clear };
}
