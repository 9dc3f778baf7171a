import { type ComponentType, createElement, type ReactPromise, use } from "react";

/** An area's page in a chunk of its own: loaded on first use, or ahead of it by `preload`. */
export interface LazyPage {
  /** Starts loading the page's code, once; the component once loaded. */
  preload(): Promise<ComponentType>;
}

/**
 * Like React.lazy, with the load exposed: the page an address opens is preloaded beside the app's own code
 * (main.tsx), so by the time the shell draws it, it renders at once. A React.lazy component suspends on its
 * first render even when its code is already there, the loader shows, and React holds the reveal that follows
 * a fallback for up to 300 ms: the queue waited that long before it even asked for its tickets.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  // Marked fulfilled once loaded, the protocol by which React's `use` reads a promise without suspending.
  let loading: (Promise<ComponentType> & ReactPromise<ComponentType>) | undefined;
  return {
    preload() {
      if (!loading) {
        const started = load().then((m) => m.default);
        loading = started;
        started.then(
          (page) => {
            loading = Object.assign(started, { status: "fulfilled" as const, value: page });
          },
          // A failed load (a network error, a release that replaced the chunk) is tried again next time.
          () => {
            loading = undefined;
          },
        );
      }
      return loading;
    },
  };
}

/** Renders an area's page, suspending only while its code is still on the way. */
export function AreaPage({ page }: { page: LazyPage }) {
  return createElement(use(page.preload() as ReactPromise<ComponentType>));
}
