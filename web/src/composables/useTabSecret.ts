import { ref } from 'vue';

/** A sign-in secret (an access code, a token) kept for this tab only: in sessionStorage, never in a URL. */
export function useTabSecret(key: string) {
  const secret = ref(sessionStorage.getItem(key) ?? '');

  function remember(value: string): void {
    secret.value = value;
    sessionStorage.setItem(key, value);
  }

  function forget(): void {
    secret.value = '';
    sessionStorage.removeItem(key);
  }

  return { secret, remember, forget };
}
