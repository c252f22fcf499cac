import { useCallback, useState } from 'react';

/**
 * State that belongs to the situation it was set in: a message, an estimate,
 * a refusal. It reads as undefined once `scope` (what produced it: a dataset,
 * a run, the form's spec) changes, so the page never shows a message that
 * has stopped being true. A value set by a command that began under an
 * earlier scope is kept under that one, so it never shows either.
 */
export function useScoped<T>(scope: string): [T | undefined, (value: T | undefined) => void] {
  const [held, setHeld] = useState<{ scope: string; value: T }>();
  const set = useCallback(
    (value: T | undefined) => setHeld(value === undefined ? undefined : { scope, value }),
    [scope],
  );
  return [held?.scope === scope ? held.value : undefined, set];
}
