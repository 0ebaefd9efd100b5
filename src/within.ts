/** Waits for `promise` at most `ms`: its value, or `onTimeout` when it has not settled by then. */
export async function valueWithin<T, D>(promise: Promise<T>, ms: number, onTimeout: D): Promise<T | D> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<D>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `promise` settled (fulfilled or rejected) within `ms`. */
export const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  valueWithin(
    promise.then(
      () => true,
      () => true,
    ),
    ms,
    false,
  );
