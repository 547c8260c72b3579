/** What each kind of notice is called (toasts, Settings) and what it is about (Settings). */
import type { NoticeKind } from '../../src-preload/contract';

export const NOTICE_KIND_LABEL: Record<NoticeKind, string> = {
  failed: 'Failed',
  'crash-looping': 'Crash-looping',
  stalled: 'Stalled',
  threshold: 'Threshold',
  unkillable: 'Unkillable',
  zombie: 'Zombie',
  warning: 'Warning',
};

export const NOTICE_KIND_DESCRIPTION: Record<NoticeKind, string> = {
  failed: 'An agent ended with an error.',
  'crash-looping': 'An agent kept failing and its restart limit was reached.',
  stalled: 'An agent has been silent and idle for longer than its stall policy allows.',
  threshold: "An agent's resource guard limit was exceeded.",
  unkillable: 'A process survived SIGKILL.',
  zombie: 'An agent has zombie descendant processes.',
  warning: 'Anything else the host wants you to know.',
};
