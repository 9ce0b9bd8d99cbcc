/**
 * Many subscribers over one event connection. A page subscribes to several topics; a connection
 * per subscription costs a socket each, and a browser allows six per host, so a few tabs used them
 * all up. The connection opens with the first listener, closes with the last, and each event goes
 * to the listeners of its topic.
 */

export type Dispatch = (topic: string, data: unknown) => void;

export interface EventConnection {
  /** Called once per topic and connection, before that topic's first listener is added. */
  listen?(topic: string): void;
  close(): void;
}

export interface TopicFanout {
  subscribe(topic: string, listener: (data: unknown) => void): () => void;
}

export function createTopicFanout(connect: (dispatch: Dispatch) => EventConnection): TopicFanout {
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let connection: EventConnection | null = null;
  let listened = new Set<string>();
  let count = 0;

  const dispatch: Dispatch = (topic, data) => {
    // A copy: a listener may unsubscribe (itself or another) while being called.
    for (const l of [...(listeners.get(topic) ?? [])]) {
      try {
        l(data);
      } catch {
        // One broken view must not keep the event from the others.
      }
    }
  };

  return {
    subscribe(topic, listener) {
      connection ??= connect(dispatch);
      if (!listened.has(topic)) {
        listened.add(topic);
        connection.listen?.(topic);
      }
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      // A wrapper per subscription: the same function subscribed twice is two subscriptions.
      const entry = (data: unknown) => listener(data);
      set.add(entry);
      count++;
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        set.delete(entry);
        if (set.size === 0) listeners.delete(topic);
        if (--count === 0) {
          connection?.close();
          connection = null;
          listened = new Set();
        }
      };
    },
  };
}
