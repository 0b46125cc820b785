import applyOrder from './apply_order';
import broadcast from './broadcast';
import checkServerHealth from './check_server_health';
import dailyReport from './daily_report';
import deliverWebhook from './deliver_webhook';
import type { TaskName } from './enqueue';
import evacuateServer from './evacuate_server';
import expirePayments from './expire_payments';
import type { Job } from './job.types';
import moveSubscription from './move_subscription';
import provisionSubscription from './provision_subscription';
import reconcileServer from './reconcile_server';
import removeFailedClient from './remove_failed_client';
import resetSubscriptionTraffic from './reset_subscription_traffic';
import revokeSubscription from './revoke_subscription';
import scheduleUsageSync from './schedule_usage_sync';
import sendNotification from './send_notification';
import setClientEnabled from './set_client_enabled';
import syncServerUsage from './sync_server_usage';
import updateReceiptMessages from './update_receipt_messages';

/**
 * Every task the worker runs, by identifier (= file name). Typed per task: a task whose payload
 * is declared (src/jobs/enqueue.ts `TaskPayloads`) but not registered here does not compile.
 */
export const JOB_REGISTRY: { [T in TaskName]: Job<T> } = {
  apply_order: applyOrder,
  broadcast,
  check_server_health: checkServerHealth,
  daily_report: dailyReport,
  deliver_webhook: deliverWebhook,
  evacuate_server: evacuateServer,
  expire_payments: expirePayments,
  move_subscription: moveSubscription,
  provision_subscription: provisionSubscription,
  reconcile_server: reconcileServer,
  remove_failed_client: removeFailedClient,
  reset_subscription_traffic: resetSubscriptionTraffic,
  revoke_subscription: revokeSubscription,
  schedule_usage_sync: scheduleUsageSync,
  send_notification: sendNotification,
  set_client_enabled: setClientEnabled,
  sync_server_usage: syncServerUsage,
  update_receipt_messages: updateReceiptMessages,
};

/** The registry as a list (what the worker builds its task list from). */
export const JOBS: Job[] = Object.values(JOB_REGISTRY);
