import { onScopeDispose, ref, shallowRef } from 'vue';
import { hasCameraApi } from './useInAppBrowser.js';

export type CameraError = 'denied' | 'unavailable' | 'failed';

/**
 * One camera stream: start it, capture a still, stop every track when done or when the component
 * goes away (a forgotten track keeps the camera light on).
 */
export function useCamera() {
  const stream = shallowRef<MediaStream | undefined>();
  const error = ref<CameraError | undefined>();
  const starting = ref(false);

  async function start(facingMode: 'user' | 'environment'): Promise<boolean> {
    stop();
    error.value = undefined;
    if (!hasCameraApi()) {
      error.value = 'unavailable';
      return false;
    }
    starting.value = true;
    try {
      // Only an ideal width: Safari throws OverconstrainedError when width and height are both required.
      stream.value = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: facingMode }, width: { ideal: 1920 } },
        audio: false,
      });
      return true;
    } catch (e) {
      const name = e instanceof DOMException ? e.name : '';
      error.value = name === 'NotAllowedError' || name === 'SecurityError' ? 'denied'
        : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'unavailable' : 'failed';
      return false;
    } finally {
      starting.value = false;
    }
  }

  function stop(): void {
    stream.value?.getTracks().forEach((track) => track.stop());
    stream.value = undefined;
  }

  /** The current frame of a playing video element, as a JPEG. */
  async function capture(video: HTMLVideoElement): Promise<Blob> {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    return new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('capture failed'))), 'image/jpeg', 0.92);
    });
  }

  onScopeDispose(stop);
  return { stream, error, starting, start, stop, capture };
}
