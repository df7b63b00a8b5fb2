import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { StaffPermission, StaffSession } from '@shared';
import { ApiError } from '../api/client.js';
import { consoleApi, useCsrfToken } from '../api/console.js';

/** Who is signed in to the console: the session lives in an httpOnly cookie; this is what the server said of it. */
export const useStaffStore = defineStore('staff', () => {
  const session = ref<StaffSession>();
  /** The session was asked for at least once (until then the console does not know whether to show sign-in). */
  const known = ref(false);

  function use(value: StaffSession | undefined): void {
    session.value = value;
    useCsrfToken(value?.csrfToken ?? '');
    known.value = true;
  }

  async function load(): Promise<void> {
    try {
      use(await consoleApi.session());
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) use(undefined);
      else throw e;
    }
  }

  async function signOut(): Promise<void> {
    await consoleApi.signOut().catch(() => undefined);
    use(undefined);
  }

  /** A call answered "sign in" (idle too long, disabled): back to the sign-in form. */
  function ended(e: unknown): boolean {
    if (e instanceof ApiError && e.status === 401) {
      use(undefined);
      return true;
    }
    return false;
  }

  const can = (permission: StaffPermission): boolean => session.value?.permissions.includes(permission) ?? false;
  const name = computed(() => session.value?.staff.name ?? '');
  return { session, known, use, load, signOut, ended, can, name };
});
