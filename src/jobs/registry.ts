import applyOrder from './apply_order';
import type { TaskName } from './enqueue';
import type { JobDefinition } from './job.types';
import sendNotification from './send_notification';
import provisionSubscription from './provision_subscription';
import revokeSubscription from './revoke_subscription';
import expirePayments from './expire_payments';
import scheduleUsageSync from './schedule_usage_sync';
import setClientEnabled from './set_client_enabled';
import syncServerUsage from './sync_server_usage';
import checkServerHealth from './check_server_health';
import reconcileServer from './reconcile_server';
import evacuateServer from './evacuate_server';
import resetSubscriptionTraffic from './reset_subscription_traffic';
import updateReceiptMessages from './update_receipt_messages';
import broadcast from './broadcast';

/** Every task the worker runs. A task's file name is its identifier. */
export const JOBS: Array<JobDefinition<TaskName>> = [
  provisionSubscription as unknown as JobDefinition<TaskName>,
  applyOrder as unknown as JobDefinition<TaskName>,
  revokeSubscription as unknown as JobDefinition<TaskName>,
  sendNotification as unknown as JobDefinition<TaskName>,
  scheduleUsageSync as unknown as JobDefinition<TaskName>,
  syncServerUsage as unknown as JobDefinition<TaskName>,
  setClientEnabled as unknown as JobDefinition<TaskName>,
  expirePayments as unknown as JobDefinition<TaskName>,
  checkServerHealth as unknown as JobDefinition<TaskName>,
  reconcileServer as unknown as JobDefinition<TaskName>,
  evacuateServer as unknown as JobDefinition<TaskName>,
  resetSubscriptionTraffic as unknown as JobDefinition<TaskName>,
  updateReceiptMessages as unknown as JobDefinition<TaskName>,
  broadcast as unknown as JobDefinition<TaskName>,
];
