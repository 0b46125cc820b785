import type { TaskName } from './enqueue';
import type { JobDefinition } from './job.types';

/** Every task the worker runs. A task's file name is its identifier. */
export const JOBS: Array<JobDefinition<TaskName>> = [];
