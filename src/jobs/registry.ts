import applyOrder from './apply_order';
import type { TaskName } from './enqueue';
import type { JobDefinition } from './job.types';
import sendNotification from './send_notification';
import provisionSubscription from './provision_subscription';
import revokeSubscription from './revoke_subscription';

/** Every task the worker runs. A task's file name is its identifier. */
export const JOBS: Array<JobDefinition<TaskName>> = [
  provisionSubscription as unknown as JobDefinition<TaskName>,
  applyOrder as unknown as JobDefinition<TaskName>,
  revokeSubscription as unknown as JobDefinition<TaskName>,
  sendNotification as unknown as JobDefinition<TaskName>,
];
