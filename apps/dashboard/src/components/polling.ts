import { useEffect } from 'react';

/** Re-runs `refetch` every `ms` while `active` (a scan, upgrade or inspection still running), and stops when it ends. */
export function usePolling(active: boolean, refetch: () => void, ms = 1000): void {
  useEffect(() => {
    if (!active) return;
    const t = setInterval(refetch, ms);
    return () => clearInterval(t);
  }, [active, refetch, ms]);
}
