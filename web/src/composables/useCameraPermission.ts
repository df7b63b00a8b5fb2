import { onScopeDispose, ref } from 'vue';

/**
 * Where the buyer stands with camera access:
 * - checking: asking the browser what it already knows
 * - primer: never asked; we explain why before the browser's prompt appears
 * - granted / denied: as the browser says (denied shows how to recover)
 * - unavailable: no camera or no API (old web views, insecure pages); offer the file upload
 */
export type CameraPermission = 'checking' | 'primer' | 'granted' | 'denied' | 'unavailable';

export function useCameraPermission() {
  const state = ref<CameraPermission>('checking');
  let status: PermissionStatus | undefined;
  const onChange = (): void => {
    if (status) state.value = status.state === 'granted' ? 'granted' : status.state === 'denied' ? 'denied' : 'primer';
  };

  async function check(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      state.value = 'unavailable';
      return;
    }
    try {
      // Safari before 16 and some web views do not know the 'camera' permission name.
      status = await navigator.permissions.query({ name: 'camera' });
      onChange();
      status.addEventListener('change', onChange);
    } catch {
      state.value = 'primer';
    }
  }

  onScopeDispose(() => status?.removeEventListener('change', onChange));
  void check();
  return { state, check };
}
