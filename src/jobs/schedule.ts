import type { CronItem } from 'graphile-worker';

/**
 * The one schedule: every recurring task, its default timing and why. Times are UTC.
 * Per-server work (usage sync, health) fans out from these entries.
 */
export const CRONTAB: CronItem[] = [];
