import { z } from 'zod';
import { sendDailyReportIfDue } from '../services/daily-report.service';
import { defineJob } from './job.types';

/** The hourly cron tick (no payload fields). */
export const dailyReportPayload = z.object({}).passthrough();
export type DailyReportPayload = z.infer<typeof dailyReportPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    daily_report: DailyReportPayload;
  }
}

/** Hourly: the daily report alert in the hour of `daily_report_hour_utc` (once per UTC date). */
export default defineJob({
  name: 'daily_report',
  schema: dailyReportPayload,
  async run(_payload, ctx) {
    const sent = await ctx.em.transactional((tx) => sendDailyReportIfDue(tx));
    if (sent) ctx.logger.info('daily report sent to the admins');
  },
});
