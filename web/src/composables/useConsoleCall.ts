import { ApiError } from '../api/client.js';
import { useStaffStore } from '../stores/staff.js';
import { useErrorMessage } from './useErrorMessage.js';

/**
 * A console page's calls: a session that ended sends the person back to sign in; a refused field
 * shows the server's own message (it names the field); anything else, the guidance for its code.
 */
export function useConsoleCall() {
  const staff = useStaffStore();
  const { message: error, show, clear } = useErrorMessage();

  async function run(work: () => Promise<void>): Promise<void> {
    clear();
    try {
      await work();
    } catch (e) {
      if (staff.ended(e)) return;
      if (e instanceof ApiError && e.code === 'validation_failed') error.value = e.message;
      else show(e);
    }
  }

  return { error, run };
}
