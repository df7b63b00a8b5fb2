import { ref } from 'vue';
import { useErrorMessage } from './useErrorMessage.js';

/**
 * A page's calls made one at a time: `busy` while one runs (its buttons disabled), the guidance for
 * its failure's code in `message`, cleared when the next starts.
 */
export function useAction() {
  const { message, show, clear } = useErrorMessage();
  const busy = ref(false);

  async function act(work: () => Promise<void>): Promise<void> {
    busy.value = true;
    clear();
    try {
      await work();
    } catch (e) {
      show(e);
    } finally {
      busy.value = false;
    }
  }

  return { busy, message, show, act };
}
