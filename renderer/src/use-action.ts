import { useCallback, useState } from 'react';
import type { ApiErrorData } from '../../core/contract/data';

/** The core's error, or a failure that never reached it (the network), which has a code of its own. */
export type ShownError = Omit<ApiErrorData, 'code'> & { code: string };

export interface Action {
  /** True while a run is under way: its buttons are disabled, so a click is not sent twice. */
  busy: boolean;
  /** Why the last run failed, until the next one starts. */
  error: ShownError | null;
  run(fn: () => Promise<unknown>): Promise<void>;
}

/**
 * What every button that calls the API needs: busy while the call runs, and its failure kept to be
 * shown in words, never swallowed. `run` itself never rejects, so a click handler can drop it.
 */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** An ApiError keeps the core's code and retriable; anything else (a network failure) gets its own. */
function toShownError(err: unknown): ShownError {
  const e = err as Partial<ShownError> | null;
  return {
    code: typeof e?.code === 'string' ? e.code : 'ERROR',
    message: typeof e?.message === 'string' ? e.message : String(err),
    retriable: e?.retriable ?? false,
    ...(e?.details ? { details: e.details } : {}),
  };
}
