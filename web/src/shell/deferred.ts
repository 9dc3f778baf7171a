import { startTransition, useEffect, useState } from "react";

/**
 * False for a page's first paint, true just after: the heavy lower part of a page (a long form, side panels)
 * then mounts as a transition, which yields to the browser, so what the reader sees first (the header, the
 * largest text) paints without waiting for it. `ready` holds the second step back until the first has what
 * it shows.
 */
export function useAfterFirstPaint(ready = true): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => {
    if (ready) startTransition(() => setAfter(true));
  }, [ready]);
  return after;
}
