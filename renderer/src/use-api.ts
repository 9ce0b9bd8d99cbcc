import { useEffect, useRef, useState } from 'react';
import type { ApiEvents, ApiTopic } from '../../core/contract/api';
import { api } from './api-client';

/** The latest value of a pushed topic, seeded by one call so the view is filled at once. */
export function useTopic<T extends ApiTopic>(
  topic: T,
  initial: () => Promise<ApiEvents[T]>,
): ApiEvents[T] | null {
  const [value, setValue] = useState<ApiEvents[T] | null>(null);
  // The first fetch is fixed at mount; a new closure each render must not resubscribe.
  const initialRef = useRef(initial);
  useEffect(() => {
    let live = true;
    const off = api.subscribe(topic, (v) => live && setValue(v));
    initialRef
      .current()
      .then((v) => live && setValue((cur) => cur ?? v))
      .catch(() => {});
    return () => {
      live = false;
      off();
    };
  }, [topic]);
  return value;
}

/** Keeps the last `n` samples of a number for small trend charts. */
export function useHistory(
  value: number | null | undefined,
  at: number | undefined,
  n = 120,
): { t: number; v: number }[] {
  const [history, setHistory] = useState<{ t: number; v: number }[]>([]);
  useEffect(() => {
    if (value === null || value === undefined || at === undefined) return;
    setHistory((h) => [...h.slice(-(n - 1)), { t: at, v: value }]);
  }, [value, at, n]);
  return history;
}
