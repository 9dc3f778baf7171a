/**
 * Gathers single-key loads made close together (the cards of a page mounting or refreshing at once) into
 * requests for many keys, at most `max` each. Keys the answer leaves out resolve to undefined; a failed
 * request rejects every load it carried.
 */
export function batcher<V>(
  fetchMany: (keys: string[]) => Promise<ReadonlyMap<string, V>>,
  { max, waitMs }: { max: number; waitMs: number },
): (key: string) => Promise<V | undefined> {
  type Waiter = { resolve: (value: V | undefined) => void; reject: (error: unknown) => void };
  let pending = new Map<string, Waiter[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += max) {
      const chunk = keys.slice(i, i + max);
      const waiters = (key: string) => batch.get(key) ?? [];
      fetchMany(chunk).then(
        (found) => {
          for (const key of chunk) for (const w of waiters(key)) w.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const key of chunk) for (const w of waiters(key)) w.reject(error);
        },
      );
    }
  };
  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      const waiting = pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (pending.size >= max) send();
      else timer ??= setTimeout(send, waitMs);
    });
}
