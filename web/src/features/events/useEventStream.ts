import { useEffect, useState } from "react";
import { type DomainEvent, followEvents, type StreamState } from "./eventStream";

/** How many events the live list keeps; older ones drop off the end. */
const KEEP = 200;

/** The live events received while the component is mounted, newest first, and the stream's state. */
export function useEventStream(url = "/api/v1/events") {
  const [events, setEvents] = useState<DomainEvent[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  useEffect(
    () =>
      followEvents(url, {
        onEvent: (event) => setEvents((list) => [event, ...list.filter((e) => e.id !== event.id)].slice(0, KEEP)),
        onState: setState,
      }),
    [url],
  );
  return { events, state, clear: () => setEvents([]) };
}
