import { API_TOPICS, type ApiEvents, type ApiTopic } from '../contract/api';

/**
 * Pub/sub for what the core pushes (status changes, metrics, new preview points). Services publish
 * here without knowing how, or whether, anything reaches a UI; the transports subscribe.
 */
export class EventHub {
  private listeners = new Map<ApiTopic, Set<(data: unknown) => void>>();

  subscribe<T extends ApiTopic>(topic: T, listener: (data: ApiEvents[T]) => void): () => void {
    const set = this.listeners.get(topic) ?? new Set();
    set.add(listener as (data: unknown) => void);
    this.listeners.set(topic, set);
    return () => set.delete(listener as (data: unknown) => void);
  }

  /** Any topic, for transports that forward everything. */
  subscribeAll(listener: (topic: ApiTopic, data: unknown) => void): () => void {
    const offs = API_TOPICS.map((t) => this.subscribe(t, (d) => listener(t, d)));
    return () => {
      for (const off of offs) off();
    };
  }

  publish<T extends ApiTopic>(topic: T, data: ApiEvents[T]): void {
    for (const l of this.listeners.get(topic) ?? []) {
      try {
        l(data);
      } catch {
        // One broken subscriber (e.g. a closed window) must not stop the others.
      }
    }
  }
}
