import type { CronItem } from 'graphile-worker';

/**
 * The one schedule: every recurring task, its default timing and why. Times are UTC.
 * Per-server work (usage sync, nightly reconciliation) fans out from these entries; the health
 * check probes every server in one run with bounded concurrency.
 */
export const CRONTAB: CronItem[] = [
  // Every minute: subscriptions past expiry or quota end (EXPIRED / DEPLETED), warnings and end
  // notices are queued, grace-period revokes start (setting grace_days), and one sync_server_usage
  // is enqueued per active, not DOWN server whose last sync is older than usage_sync_minutes
  // (default 5). Warning thresholds: warning_traffic_percents, warning_expiry_hours.
  { task: 'schedule_usage_sync', match: '* * * * *', identifier: 'schedule_usage_sync', options: { backfillPeriod: 0, maxAttempts: 1, jobKey: 'cron:schedule_usage_sync' } },
  // Every minute: unpaid card-to-card payments past their deadline (payment_deadline_minutes,
  // default 60) expire, their order is cancelled and the customer told.
  { task: 'expire_payments', match: '* * * * *', identifier: 'expire_payments', options: { backfillPeriod: 0, maxAttempts: 1, jobKey: 'cron:expire_payments' } },
  // Every minute: one run probes every active server (adapter.health(), 8 in parallel) and moves it
  // between HEALTHY / DEGRADED / DOWN with hysteresis: health_failures_to_down (default 3) failures
  // in a row → DOWN; health_successes_to_recover (default 2) good probes → back; slower than
  // health_degraded_latency_ms (default 2000) or health_flaky_failures (default 2) failure episodes
  // in the last 10 probes → DEGRADED. Each change alerts the admins once. No retry: the next
  // minute probes again; the cron tick makes a double run count once.
  { task: 'check_server_health', match: '* * * * *', identifier: 'check_server_health', options: { backfillPeriod: 0, maxAttempts: 1, jobKey: 'cron:check_server_health' } },
  // Hourly at :17; only the run in the UTC hour of reconcile_hour_utc (default 3, i.e. 03:17 UTC)
  // fans out one reconcile_server per active server (and per evacuated server with leftovers):
  // drift report, drift_detected_at flags, leftover clean-up, repair when reconcile_auto_repair
  // (default false), one admin alert per server and day when drift was found.
  { task: 'reconcile_server', match: '17 * * * *', identifier: 'reconcile_server', payload: { scheduled: true }, options: { backfillPeriod: 0, maxAttempts: 1, jobKey: 'cron:reconcile_server' } },
  // Hourly at :05; only the run in the UTC hour of daily_report_hour_utc (default unset: no report)
  // sends the daily report alert to every admin, once per UTC date.
  { task: 'daily_report', match: '5 * * * *', identifier: 'daily_report', options: { backfillPeriod: 0, maxAttempts: 1, jobKey: 'cron:daily_report' } },
];
