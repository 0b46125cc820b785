import { loadConfig } from '../config';
import { createLogger } from '../logger';

/** The shop bot process. The bot itself is built in its own issue; until then this says so. */
const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'user-bot' });
logger.warn('the shop bot is not built yet; nothing to run');
