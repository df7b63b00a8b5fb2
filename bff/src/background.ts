/** Runs work nobody waits for: its failure is logged, and never ends the process. */
export type Background = (what: string, work: Promise<unknown>) => void;

/**
 * What is logged of a failure: its kind and code (SQLITE_BUSY, ENOSPC), never its message, which
 * may quote the input and the input may be identity data.
 */
export function failureName(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}

export function backgroundRunner(log: (level: 'error' | 'info', message: string) => void): Background {
  return (what, work) => {
    work.catch((error: unknown) => log('error', `${what} failed: ${failureName(error)}`));
  };
}
