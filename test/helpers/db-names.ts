/** The template every test database is cloned from. */
export const TEMPLATE_DB = 'vp_test_template';
/** One database per jest worker (jest.config.js maxWorkers must not exceed it). */
export const WORKER_DBS = 4;
export const workerDbName = (n: number) => `vp_test_w${n}`;
