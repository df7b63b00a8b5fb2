/**
 * A loader run once and shared, unless it fails: a failed load (a file briefly unreadable, memory
 * short at start) is forgotten, so the next call tries again instead of failing for ever.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
