/**
 * A value that follows `value` at most once per `intervalMs`: the first change
 * after a quiet spell shows at once, later ones within the interval are folded
 * into one trailing update when it ends (so the latest value always shows).
 */
import { useEffect, useRef, useState } from 'react';

/** `value`, updated at most once per `intervalMs` (leading and trailing). */
export function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const lastShownAt = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = lastShownAt.current + intervalMs - performance.now();
    if (wait <= 0) {
      lastShownAt.current = performance.now();
      setShown(() => value);
      return;
    }
    const timer = setTimeout(() => {
      lastShownAt.current = performance.now();
      setShown(() => value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs]);
  return shown;
}
