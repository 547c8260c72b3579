/** getHostInfo, once: what this host can do (open folders?) and its one-time warnings. */
import { useEffect, useState } from 'react';
import type { CorralApi, HostInfoView } from '../../src-preload/contract';
import { settle } from './call-result';

export function useHostInfo(api: CorralApi): HostInfoView | null {
  const [info, setInfo] = useState<HostInfoView | null>(null);
  useEffect(() => {
    let active = true;
    void settle(() => api.getHostInfo()).then((result) => {
      if (active && result.ok) setInfo(result.value);
    });
    return () => {
      active = false;
    };
  }, [api]);
  return info;
}
