import { onBeforeUnmount, ref } from 'vue';
import { type QualityReport, checkImageQuality } from './useImageQuality.js';

/**
 * A photo being taken: the image, a preview URL (revoked when replaced or unmounted) and the
 * on-device quality check, which only guides; the server checks again.
 */
export function usePhoto() {
  const image = ref<Blob>();
  const preview = ref<string>();
  const quality = ref<QualityReport>();
  const checking = ref(false);

  function clear(): void {
    if (preview.value) URL.revokeObjectURL(preview.value);
    preview.value = undefined;
    image.value = undefined;
    quality.value = undefined;
  }
  onBeforeUnmount(clear);

  async function take(blob: Blob): Promise<void> {
    clear();
    image.value = blob;
    preview.value = URL.createObjectURL(blob);
    checking.value = true;
    try {
      quality.value = await checkImageQuality(blob);
    } catch {
      // Not decodable here (HEIC in some browsers): let the server judge it.
      quality.value = undefined;
    } finally {
      checking.value = false;
    }
  }

  return { image, preview, quality, checking, take, clear };
}
