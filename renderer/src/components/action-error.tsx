import type { ShownError } from '../use-action';

/** A failed action in the words the core chose, with its code for a search or a bug report. */
export function ActionError({ error, testId }: { error: ShownError | null; testId?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" data-testid={testId}>
      <strong>{error.code}</strong>: {error.message}
    </p>
  );
}
